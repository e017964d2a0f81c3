"""Submission: from a request's input to a committed job handed to the dispatcher.

One path for the API and batches: the registry fills the letterhead, a numbered
kind takes the next outgoing number, a reference to a stored document (a report's plan) is
looked up, the job is recorded and committed, and only then enqueued. A broker known to be
down refuses the request before anything is recorded (503, nothing saved); a hand-off that
fails after the commit keeps the job (and the number it took), marked not enqueued, for the
recovery to send once the broker is back: a kept job is never reported as failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service import callbacks, quotas, registry
from service.batches import creation
from service.domain.notices import Notice
from service.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound, Unavailable
from service.generation import get_kind, input_fields, load_input
from service.kinds.annual_report.draft import draft_input
from service.models import DocumentRecord
from service.quotas import DailyQuota
from service.schemas.common import Flag
from service.schemas.outputs import split_outputs
from service.tasks import chunks, liveness, records
from service.tenancy import Scope, kind_role

KIND_ROLE_ERROR = "Your account has no role for documents of this kind ({role})."
MUNICIPALITY_REQUIRED_ERROR = (
    "Required: your account acts for the municipalities assigned to it; name one of them."
)
NO_PLAN_OF_ERROR = "No stored joint plan of «{municipality}» for {year}."
PLAN_OF_AND_PLAN_ERROR = "Give either plan_of or plan, not both."
PLAN_GONE_ERROR = (
    "This joint plan was deleted, or its input purged: a report cannot be made from it."
)
QUEUE_UNAVAILABLE = "The document queue is unavailable; nothing was saved, please retry later."

log = logging.getLogger(__name__)


@dataclass
class Submission:
    """A recorded job, whether this request made it, and the warnings about its input."""

    record: DocumentRecord
    created: bool
    warnings: list[Notice]


def submit_document(
    db,
    dispatcher,
    scope: Scope,
    kind: str,
    payload: Any,
    *,
    idempotency_key: str | None = None,
    quota: DailyQuota | None = None,
    callback: tuple[str, str] | None = None,
) -> Submission:
    """Record a document job, commit it, then hand it to the dispatcher.

    `callback` (address, language of its messages): the job's callback_url, checked.

    Unavailable, with nothing saved, when the dispatcher cannot take jobs now. Once committed
    the job is kept: a hand-off failing then leaves it for the recovery to send. A new job
    counts against the organisation's daily `quota` (TooManyRequests, nothing saved, past it).
    """
    if not dispatcher.ping():
        raise Unavailable(QUEUE_UNAVAILABLE)
    with db.session() as session:
        submission = record_document(
            session, scope, kind, payload, idempotency_key=idempotency_key, callback=callback
        )
        if submission.created and quota is not None:
            quotas.take(session, scope, quota, 1)
    if submission.created:
        _enqueue(db, dispatcher, submission.record.id)
    return submission


def _enqueue(db, dispatcher, document_id: str) -> None:
    """Hand a committed job over; if that fails, record it not enqueued (the recovery sends
    it when the broker is back)."""
    try:
        dispatcher.enqueue(document_id)
    except Exception:
        log.warning("enqueue failed, left for the recovery", extra={"job_id": document_id})
        with db.session() as session:
            liveness.not_enqueued(session, [document_id])


def _enqueue_chunks(db, dispatcher, document_ids: list[str]) -> None:
    """Hand committed jobs of a batch over in messages of several jobs each
    (service.tasks.chunks); those of a message the broker did not take are recorded not
    enqueued, for the recovery to send."""
    for n, chunk in enumerate(chunks.split(document_ids)):
        try:
            dispatcher.enqueue_many(chunk)
        except Exception:
            log.warning("enqueue failed, left for the recovery", extra={"jobs": len(chunk)})
            left = [i for later in chunks.split(document_ids)[n:] for i in later]
            with db.session() as session:
                liveness.not_enqueued(session, left)
            return


def submit_batch(
    db,
    dispatcher,
    scope: Scope,
    kind: str,
    shared: dict,
    items: list[dict],
    *,
    title: str = "",
    all_or_nothing: bool = False,
    rows: list[int] | None = None,
    quota: DailyQuota | None = None,
) -> str:
    """Record a batch and a job per valid item, each handed to the dispatcher once committed;
    return the batch id.

    Unavailable, with nothing saved, when the dispatcher cannot take jobs now. A job whose
    hand-off fails later stays queued, for the recovery to send. Every item submitted counts
    against the organisation's daily `quota` of batch items (TooManyRequests past it).
    """
    if not dispatcher.ping():
        raise Unavailable(QUEUE_UNAVAILABLE)
    # A batch refused for its kind or the caller's roles takes nothing of the quota.
    creation.authorize(scope, kind)
    if quota is not None:
        with db.session() as session:
            quotas.take(session, scope, quota, len(items))

    return creation.create(
        db,
        scope,
        kind,
        shared,
        items,
        partial(_enqueue, db, dispatcher),
        enqueue_many=partial(_enqueue_chunks, db, dispatcher),
        record=record_document,
        title=title,
        all_or_nothing=all_or_nothing,
        rows=rows,
    )


def record_document(
    session: Session,
    scope: Scope,
    kind: str,
    payload: Any,
    *,
    idempotency_key: str | None = None,
    callback: tuple[str, str] | None = None,
) -> Submission:
    """Validate and record a document job in `session` (the caller commits and enqueues).

    A `municipality_id` fills the letterhead from the registry and, when the input has no
    number, takes the next outgoing number in this same transaction.
    """
    spec = get_kind(kind)
    if kind_role(kind) not in scope.roles:
        raise Forbidden(KIND_ROLE_ERROR, role=kind_role(kind).value)
    fingerprint = records.input_fingerprint(kind, payload)
    outputs, payload = split_outputs(payload)
    if isinstance(payload, dict) and "callback_url" in payload:
        # Part of the request (its fingerprint), not of the document: `callback` holds it.
        payload = {k: v for k, v in payload.items() if k != "callback_url"}
    if idempotency_key:
        existing = records.find_idempotent(session, scope, idempotency_key, fingerprint)
        if existing is not None:
            return Submission(existing, False, stored_warnings(existing))
    resolved, municipality = registry.resolve(
        session, scope, payload, with_act=spec.act_word and "act" in input_fields(kind)
    )
    if municipality is None and scope.municipalities is not None:
        raise InvalidInput(errors={"municipality_id": [MUNICIPALITY_REQUIRED_ERROR]})
    for reference in spec.references:
        resolved = _resolve_reference(session, scope, reference, resolved)
    issue = None
    numbered_here = (
        municipality is not None
        and spec.numbered
        and not resolved.get("number")
        and not number_later(resolved)
    )
    if numbered_here:
        year = _year_of(resolved.get("date"))
        if year is not None:
            issue = registry.next_outgoing_number(session, municipality, year)
            resolved["number"] = issue[1]
    try:
        model = load_input(kind, resolved)
    except InvalidInput as err:
        if numbered_here and issue is None:
            # No number without a valid date: the date's error says it all.
            err.errors.pop("number", None)
        raise
    record, created = records.submit(
        session,
        kind,
        resolved,
        model.language.value,
        scope=scope,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        municipality_id=municipality.id if municipality else None,
        outputs=outputs,
    )
    if not created:
        # A concurrent request with the same key made the document: give the number back.
        record_id = record.id
        session.rollback()
        existing = records.get(session, record_id, scope)
        return Submission(existing, False, stored_warnings(existing))
    if issue is not None:
        registry.record_issue(
            session,
            municipality,
            seq=issue[0],
            number=issue[1],
            issued_on=model.date,
            kind=kind,
            subject=spec.register_subject(model),
            document_id=record.id,
            signed_by=registry.signed_by(resolved.get("issuer")),
            executed_by=getattr(model, "executed_by", None),
        )
    if callback is not None:
        watched = callbacks.watch(
            session, scope.tenant, callback[0], callback[1], document_id=record.id
        )
        set_committed_value(record, "callback", watched)
    warnings = spec.warnings(model)
    # Kept with the job, so that its status shows them after this response.
    record.warnings = [notice.as_json() for notice in warnings]
    return Submission(record, True, warnings)


def number_later(payload: dict) -> bool:
    """Whether the input leaves its number and date to the electronic document system."""
    try:
        return Flag().deserialize(payload.get("assign_number_later", False)) is True
    except ValidationError:
        return False  # the schema reports it


def stored_warnings(record: DocumentRecord) -> list[Notice]:
    """The warnings recorded with a job at its submission."""
    return [Notice.from_json(item) for item in record.warnings or []]


def _year_of(value: Any) -> int | None:
    try:
        return date.fromisoformat(value).year
    except (TypeError, ValueError):
        return None  # the schema reports the bad date


def stored_input(session: Session, scope: Scope, document_id: str, kind: str) -> dict:
    """The stored input of document `document_id` of `kind`; NotFound, or Conflict when the
    document is of another kind."""
    record = records.get(session, document_id, scope)
    if record.kind != kind:
        raise Conflict(
            "Document {id} is a {kind}, not a joint plan.", id=document_id, kind=record.kind
        )
    if record.input is None:
        raise records.gone(record)
    return record.input


def _resolve_reference(session: Session, scope: Scope, reference, payload: Any) -> Any:
    """Put the stored input a reference names into its field (keeping the reference)."""
    if not isinstance(payload, dict):
        return payload
    named = payload.get(reference.found_by) if reference.found_by else None
    if isinstance(named, dict) and not payload.get(reference.id_field):
        if reference.field in payload:
            raise InvalidInput(errors={reference.found_by: [PLAN_OF_AND_PLAN_ERROR]})
        found = find_plan(session, scope, named.get("municipality"), named.get("year"))
        if found is None:
            return payload  # the schema reports a malformed plan_of
        return {**payload, reference.id_field: found.id, reference.field: found.input}
    if not payload.get(reference.id_field):
        return payload
    if reference.field in payload:
        raise InvalidInput(errors={reference.id_field: ["Give either plan_id or plan, not both."]})
    try:
        found = stored_input(session, scope, str(payload[reference.id_field]), reference.kind)
    except (NotFound, Conflict):
        raise InvalidInput(errors={reference.id_field: ["Unknown joint plan."]}) from None
    except Gone:
        raise InvalidInput(errors={reference.id_field: [PLAN_GONE_ERROR]}) from None
    return {**payload, reference.field: found}


def find_plan(session: Session, scope: Scope, municipality: Any, year: Any):
    """The newest stored joint plan of `municipality` (its registry id, or its body as the
    plan names it, in either language) for `year`, that `scope` may see; None when
    `municipality` or `year` is malformed (the schema says why); InvalidInput if none."""
    if not isinstance(municipality, str) or not municipality.strip():
        return None
    try:
        year = int(year)
    except (TypeError, ValueError):
        return None
    found = _stored_plans(session, scope).get((_plain(municipality), year))
    if found is None:
        raise InvalidInput(
            errors={"plan_of": [NO_PLAN_OF_ERROR.format(municipality=municipality, year=year)]}
        )
    return records.get(session, found, scope)


_PLANS_KEY = "docgen.stored_plans"


def _stored_plans(session: Session, scope: Scope) -> dict[tuple[str, int], str]:
    """(municipality's id or body, year) → the newest stored plan's id, of the plans `scope`
    may see; read once per transaction (a batch's chunk names many)."""
    kept = session.info.setdefault(_PLANS_KEY, {})
    if scope in kept:
        return kept[scope]
    plans: dict[tuple[str, int], str] = {}
    if kind_role("joint-plan") not in scope.roles:
        kept[scope] = plans
        return plans
    query = (
        select(DocumentRecord.id, DocumentRecord.municipality_id, DocumentRecord.input)
        .where(
            DocumentRecord.tenant == scope.tenant,
            DocumentRecord.kind == "joint-plan",
            DocumentRecord.deleted_at.is_(None),
            DocumentRecord.input.is_not(None),
        )
        .order_by(DocumentRecord.created_at.desc(), DocumentRecord.id)
    )
    for record_id, municipality_id, plan in session.execute(query):
        year = _plan_year(plan) if isinstance(plan, dict) else None
        if year is None or not scope.covers(municipality_id):
            continue
        body = (plan.get("issuer") or {}).get("body") or {}
        names = {municipality_id, *(body.values() if isinstance(body, dict) else ())}
        for name in names:
            if isinstance(name, str):
                plans.setdefault((_plain(name), year), record_id)
    kept[scope] = plans
    return plans


def _plain(text: str) -> str:
    return " ".join(text.replace("ё", "е").split()).casefold()


def _plan_year(plan: dict) -> int | None:
    period = plan.get("period") or {}
    if isinstance(period.get("year"), int):
        return period["year"]
    return _year_of(period.get("start"))


def report_draft(session: Session, scope: Scope, plan_id: str) -> dict:
    """A report input on the stored plan `plan_id`, with every activity and indicator to fill."""
    return draft_input(stored_input(session, scope, plan_id, "joint-plan"), plan_id=plan_id)
