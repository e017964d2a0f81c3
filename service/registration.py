"""Numbers the state's electronic document system assigns: an act made with its number and
date left blank (`"assign_number_later": true`) gets them afterwards.

Entering them records the act in its municipality's outgoing register (it takes the next
sequence of the date's year, so the counter moves past it and no gap opens; the number is
the one the system gave) and makes the act again with them: the job goes back to the queue
with its new input, and its run makes new outputs (the old ones are dropped with the
transaction that enters the number, their bytes once no artifact names them).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, update

from service import registry, retention, submission
from service.domain.status import Status
from service.errors import Conflict, Unavailable
from service.generation import get_kind, load_input
from service.models import Artifact, Conversion, DocumentRecord, utcnow
from service.tasks import records
from service.tenancy import Scope

NOT_AWAITING_ERROR = "This document is not waiting for a number: it was made with one."
STILL_MAKING_ERROR = (
    "The document is still being made (status: {status}); enter its number once it is done."
)


def awaiting_number(record: DocumentRecord) -> bool:
    """Whether the job was made with its number and date left for the electronic system."""
    return isinstance(record.input, dict) and submission.number_later(record.input)


def enter_number(
    db, dispatcher, storage, scope: Scope, document_id: str, number: str, issued_on: date
) -> tuple[DocumentRecord, registry.Issue | None]:
    """Give document `document_id` the `number` and date the electronic system assigned:
    its register line, then a new run with them. NotFound, Gone (deleted or purged),
    Conflict (not awaiting a number, or still being made), InvalidInput (the date does not
    suit the act: a deadline before it); Unavailable, with nothing changed, when the queue
    cannot take the job now."""
    if not dispatcher.ping():
        raise Unavailable(submission.QUEUE_UNAVAILABLE)
    with db.session() as session:
        record = records.get(session, document_id, scope)
        if record.input is None or record.deleted_at is not None:
            raise records.gone(record)
        if not awaiting_number(record):
            raise Conflict(NOT_AWAITING_ERROR)
        if not Status(record.status).finished:
            raise Conflict(STILL_MAKING_ERROR, status=record.status)
        payload = {**record.input, "number": number, "date": issued_on.isoformat()}
        payload.pop("assign_number_later", None)
        model = load_input(record.kind, payload)  # InvalidInput: nothing changed
        issue = None
        if record.municipality_id is not None:
            municipality = registry.get(session, scope, record.municipality_id)
            seq, _ = registry.next_outgoing_number(session, municipality, issued_on.year)
            entry = registry.record_issue(
                session,
                municipality,
                seq=seq,
                number=number,
                issued_on=issued_on,
                kind=record.kind,
                subject=get_kind(record.kind).register_subject(model),
                document_id=record.id,
                signed_by=registry.signed_by(payload.get("issuer")),
                executed_by=getattr(model, "executed_by", None),
            )
            issue = registry._issue(entry, Status.QUEUED, None)
        keys = set(
            session.scalars(
                delete(Artifact).where(Artifact.document_id == record.id).returning(Artifact.key)
            )
        )
        session.execute(delete(Conversion).where(Conversion.document_id == record.id))
        now = utcnow()
        session.execute(
            update(DocumentRecord)
            .where(DocumentRecord.id == record.id)
            .values(
                input=payload,
                status=Status.QUEUED,
                error=None,
                filename=None,
                attempts=0,
                worker_id=None,
                lease_renewed_at=None,
                started_at=None,
                finished_at=None,
                enqueued_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    retention.forget_unused(db, storage, keys)
    submission._enqueue(db, dispatcher, document_id)
    with db.session() as session:
        return records.get(session, document_id, scope), issue
