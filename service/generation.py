"""The one domain entry point: input → validated model → document bytes, and job execution.

The CLI, the HTTP API and the Celery workers all call these functions.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from service import jobs, registry, reports
from service.documents import order, plan, report
from service.documents.typography import polish_context
from service.errors import InvalidInput
from service.logs import job_context
from service.models import Status
from service.rendering import render_docx, template_bytes
from service.schemas.order import WorkingGroupOrderSchema
from service.schemas.plan import JointPlanSchema
from service.schemas.report import AnnualReportSchema

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document: its input schema, its context builder and its template."""

    name: str
    schema: type[Schema]
    build_context: Callable[[Any], dict]
    file_stem: Callable[[Any], str]
    # Unusual but valid input: English message ids, localised by the caller.
    warnings: Callable[[Any], list[str]] = lambda model: []
    # Kinds with an outgoing number: the line the register shows for a document.
    register_subject: Callable[[Any], str] | None = None
    # Kinds that refer to stored documents: fills the input from them before validation.
    resolve: Callable[[Session, jobs.Scope, Any], Any] | None = None
    # Kinds with pictures: the template's media part names and the bytes that replace them.
    media: Callable[[Any], dict[str, bytes]] | None = None

    @property
    def template(self) -> str:
        return self.name


KINDS: dict[str, DocumentKind] = {
    kind.name: kind
    for kind in (
        DocumentKind(
            "working-group-order",
            WorkingGroupOrderSchema,
            order.build_context,
            order.file_stem,
            register_subject=order.register_subject,
        ),
        DocumentKind(
            "joint-plan", JointPlanSchema, plan.build_context, plan.file_stem, plan.warnings
        ),
        DocumentKind(
            "annual-report",
            AnnualReportSchema,
            report.build_context,
            report.file_stem,
            report.warnings,
            resolve=reports.resolve_plan,
            media=report.media,
        ),
    )
}


@dataclass(frozen=True)
class RenderedDocument:
    content: bytes
    filename: str
    warnings: tuple[str, ...] = ()  # unusual but valid input, English (the errors catalog)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def get_kind(name: str) -> DocumentKind:
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidInput(errors={"kind": [f"Unknown document kind: {name}."]}) from None


@cache
def _schema(kind: str) -> Schema:
    """One schema instance per kind: building the nested schemas costs more than a load, and
    a marshmallow 4 schema keeps no state between loads."""
    return get_kind(kind).schema()


def load_input(kind: str, payload: Any) -> Any:
    """Validate `payload` against the kind's schema and return the domain object."""
    if isinstance(payload, dict) and "municipality_id" in payload:
        # Already resolved into `issuer` by submit(); the domain does not need it.
        payload = {k: v for k, v in payload.items() if k != "municipality_id"}
    try:
        return _schema(kind).load(payload)
    except ValidationError as err:
        raise InvalidInput(errors=err.messages) from err


@dataclass
class Submission:
    record: jobs.DocumentRecord
    created: bool
    warnings: list[str]


def submit(
    session: Session,
    scope: jobs.Scope,
    kind: str,
    payload: Any,
    *,
    idempotency_key: str | None = None,
) -> Submission:
    """Validate and record a document job (not yet enqueued: the caller does after commit).

    A `municipality_id` fills the letterhead from the registry and, when the input has no
    number, takes the next outgoing number in this same transaction.
    """
    spec = get_kind(kind)
    fingerprint = jobs.input_fingerprint(kind, payload)
    if idempotency_key:
        existing = jobs.find_idempotent(session, scope, idempotency_key, fingerprint)
        if existing is not None:
            return Submission(existing, False, [])
    has_act = "act" in _schema(kind).fields
    resolved, municipality = registry.resolve(session, scope, payload, with_act=has_act)
    if spec.resolve is not None:
        resolved = spec.resolve(session, scope, resolved)
    issue = None
    numbered_here = (
        municipality is not None and spec.register_subject and not resolved.get("number")
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
    record, created = jobs.submit(
        session,
        kind,
        resolved,
        model.language.value,
        scope=scope,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        municipality_id=municipality.id if municipality else None,
    )
    if not created:
        # A concurrent request with the same key made the document: give the number back.
        record_id = record.id
        session.rollback()
        return Submission(jobs.get(session, record_id, scope), False, [])
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
        )
    return Submission(record, True, spec.warnings(model))


def _year_of(value: Any) -> int | None:
    try:
        return date.fromisoformat(value).year
    except (TypeError, ValueError):
        return None  # the schema reports the bad date


def warm_up() -> None:
    """Load dictionaries, catalogs and templates now rather than in the first job."""
    from service.documents import russian
    from service.i18n import DOCUMENT_LANGUAGES, MESSAGE_LANGUAGES, translations

    russian.warm_up()
    for lang in DOCUMENT_LANGUAGES:
        translations(lang, "documents")
    for lang in MESSAGE_LANGUAGES:
        translations(lang, "errors")
    for kind in KINDS.values():
        template_bytes(kind.template)


def safe_name(text: str, limit: int = 120) -> str:
    """A piece of a file name any system accepts: «№ 21 / МТУ» → «№_21_МТУ»."""
    return re.sub(r'[\\/:*?"<>|\s]+', " ", text).strip().replace(" ", "_")[:limit]


def _safe_filename(stem: str) -> str:
    return f"{safe_name(stem)}.docx"


def generate_document(kind: str, payload: Any) -> RenderedDocument:
    """Validate the input of a document of `kind` and render it to .docx bytes."""
    model = load_input(kind, payload)
    spec = get_kind(kind)
    media = spec.media(model) if spec.media is not None else None
    context = polish_context(spec.build_context(model))
    content = render_docx(spec.template, context, media=media)
    return RenderedDocument(
        content=content,
        filename=_safe_filename(spec.file_stem(model)),
        warnings=tuple(spec.warnings(model)),
    )


class Runner:
    """Executes document jobs against a database and a storage backend."""

    def __init__(self, db, storage, lease_seconds: int):
        self.db = db
        self.storage = storage
        self.lease_seconds = lease_seconds

    def run_job(self, document_id: str) -> str | None:
        """Generate the document of a queued job and record the outcome; return the status.

        A job that is done, failed or running elsewhere is left alone (None), so a task
        delivered twice never makes a second document. Unexpected errors propagate, for
        the caller to retry: the job is then released back to the queue.
        """
        with job_context(document_id):
            return self._run(document_id)

    def _run(self, document_id: str) -> str | None:
        with self.db.session() as session:
            record = jobs.claim(session, document_id, self.lease_seconds)
            if record is None:
                log.info("not claimed: done, failed or running elsewhere")
                return None
            kind, payload, attempt = record.kind, record.input, record.attempts
        log.info("generating", extra={"kind": kind, "attempt": attempt})
        try:
            document = generate_document(kind, payload)
        except InvalidInput as err:
            with self.db.session() as session:
                jobs.fail(session, document_id, {"message": err.message, "errors": err.errors})
            log.warning("invalid input")
            return Status.FAILED
        except Exception:
            with self.db.session() as session:
                jobs.release(session, document_id)
            raise
        with self.db.session() as session:
            key = self.storage.put(session, document.content)
            jobs.finish(session, document_id, document.filename, key, len(document.content))
        log.info("done", extra={"bytes": len(document.content)})
        return Status.DONE

    def give_up(self, document_id: str, message: str) -> None:
        """Fail a job for good (retries exhausted); its input stays for a later rerun."""
        with job_context(document_id), self.db.session() as session:
            jobs.fail(session, document_id, {"message": message}, unfinished=True)
