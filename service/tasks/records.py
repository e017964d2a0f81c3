"""Document job records: record, read, claim, finish and fail, always in a scope.

A job's state lives only here, in the database: queued → running → done | failed. Who holds
a job, and when a holder is dead, is service.tasks.liveness.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service.domain.clock import BISHKEK, local
from service.domain.status import Status
from service.errors import Conflict, Gone, NotFound
from service.kinds import KINDS
from service.models import DOCX, Artifact, Conversion, DocumentRecord, utcnow
from service.schemas.outputs import Outputs
from service.tasks.liveness import abandoned
from service.tenancy import Scope, get_scoped, kind_role


def input_fingerprint(kind: str, payload: Any) -> str:
    canonical = json.dumps([kind, payload], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def submit(
    session: Session,
    kind: str,
    payload: dict,
    language: str,
    *,
    scope: Scope,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
    municipality_id: str | None = None,
    outputs: Outputs | None = None,
) -> tuple[DocumentRecord, bool]:
    """Record a new queued job; with a known idempotency key return the earlier one.

    Returns (record, created). `fingerprint` identifies the request as the client sent it
    (default: `payload`); the same key with another fingerprint is a Conflict.
    """
    fingerprint = fingerprint or input_fingerprint(kind, payload)
    outputs = outputs or Outputs()
    if idempotency_key:
        existing = find_idempotent(session, scope, idempotency_key, fingerprint)
        if existing is not None:
            return existing, False
    record = DocumentRecord(
        id=uuid.uuid4().hex,
        tenant=scope.tenant,
        municipality_id=municipality_id,
        kind=kind,
        language=language,
        status=Status.QUEUED,
        input=payload,
        input_sha256=fingerprint,
        idempotency_key=idempotency_key,
        attempts=0,
        formats=list(outputs.converted) or None,
        pdf_profile=outputs.pdf_profile,
        artifacts=[],
        conversions=[],
        # Handed to the broker right after the commit; a failed hand-off clears it.
        enqueued_at=utcnow(),
    )
    set_committed_value(record, "callback", None)  # service.callbacks.watch may give one
    if not idempotency_key:
        session.add(record)
        return record, True
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        # A concurrent request with the same key won the race.
        existing = find_idempotent(session, scope, idempotency_key, fingerprint)
        if existing is None:
            raise
        return existing, False
    return record, True


def find_idempotent(
    session: Session, scope: Scope, key: str, fingerprint: str
) -> DocumentRecord | None:
    """The job an earlier request with this key made; Conflict if its body differed."""
    existing = _by_idempotency_key(session, scope, key)
    return None if existing is None else _same_request(existing, fingerprint)


def _by_idempotency_key(session: Session, scope: Scope, key: str) -> DocumentRecord | None:
    return session.scalar(
        select(DocumentRecord).where(
            DocumentRecord.tenant == scope.tenant, DocumentRecord.idempotency_key == key
        )
    )


def _same_request(record: DocumentRecord, fingerprint: str) -> DocumentRecord:
    if record.input_sha256 != fingerprint:
        raise Conflict()
    return record


def get(session: Session, document_id: str, scope: Scope) -> DocumentRecord:
    """The job `document_id` of the scope's tenant, of a kind of its roles and a municipality
    it acts for; NotFound for any other."""
    record = get_scoped(session, DocumentRecord, document_id, scope)
    if record is None or not visible(record, scope):
        raise NotFound()
    return record


INPUT_PURGED_ERROR = (
    "The retention setting purged this document's input on {date}; its register line stays."
)
OUTPUTS_PURGED_ERROR = (
    "The retention setting purged this document's files on {date}; its register line stays."
)


def gone(record: DocumentRecord, *, outputs: bool = False) -> Gone:
    """The error for a deleted job, or one whose input (or `outputs`) retention purged."""
    if record.deleted_at is not None:
        return Gone(date=_day(record.deleted_at))
    if outputs:
        return Gone(OUTPUTS_PURGED_ERROR, date=_day(record.outputs_purged_at))
    return Gone(INPUT_PURGED_ERROR, date=_day(record.input_purged_at))


def _day(instant) -> str:
    return local(instant).strftime("%d.%m.%Y") if instant else ""


@dataclass(frozen=True)
class Output:
    """One output a job was asked for: its format, its own status, its bytes once made, and
    why it failed."""

    document_id: str
    format: str
    status: str
    artifact: Artifact | None = None
    error: dict | None = None


def outputs(record: DocumentRecord) -> list[Output]:
    """The job's outputs: its .docx, then each other format asked for (none once deleted or
    purged)."""
    if record.deleted_at is not None or record.outputs_purged_at is not None:
        return []
    docx = record.artifact(DOCX)
    made = [Output(record.id, DOCX, Status.DONE if docx else record.status, docx)]
    conversions = {c.format: c for c in record.conversions}
    for name in record.formats or ():
        conversion = conversions.get(name)
        if conversion is None:  # its .docx is not made yet (or could not be)
            status = Status.QUEUED if record.status == Status.DONE else record.status
            made.append(Output(record.id, name, status))
        else:
            artifact = record.artifact(name) if conversion.status == Status.DONE else None
            status = conversion.status
            if status == Status.DONE and artifact is None:
                # The artifacts were read just before the conversion's commit (one query each):
                # made, but not seen yet; the next read shows both.
                status = Status.RUNNING
            made.append(Output(record.id, name, status, artifact, conversion.error))
    return made


def overall_status(record: DocumentRecord, made: list[Output] | None = None) -> str:
    """The job's status as its clients see it: done only once every output asked for is
    final (made, or failed with its reason); running while one is still being made. With
    `made` (its `outputs`), judged by them; else by its conversions alone."""
    if record.status != Status.DONE:
        return record.status
    if made is not None:
        pending = any(not Status(output.status).finished for output in made)
        return Status.RUNNING if pending else Status.DONE
    made = {c.format: c.status for c in record.conversions}
    pending = any(not Status(made.get(f, Status.QUEUED)).finished for f in record.formats or ())
    return Status.RUNNING if pending else Status.DONE


def visible(record: DocumentRecord, scope: Scope) -> bool:
    """Whether `scope` may see the job (its tenant is checked by the query)."""
    return kind_role(record.kind) in scope.roles and scope.covers(record.municipality_id)


@dataclass(frozen=True)
class Claimed:
    """What a worker needs of the job it claimed."""

    kind: str
    input: Any
    attempts: int
    formats: list[str] | None = None
    pdf_profile: str | None = None


def claim(
    session: Session, document_id: str, lease_seconds: int, worker_id: str | None = None
) -> Claimed | None:
    """Move a queued (or abandoned running) job to running, held by `worker_id`, with a fresh
    lease; None if a live run has it or it is over.

    A running job is abandoned only when its lease ran out (its holder stopped renewing it: a
    long job of a live worker is never taken from it), or when it has no holder (the embedded
    mode's jobs, all orphaned when its process starts).
    """
    now = utcnow()
    result = session.execute(
        update(DocumentRecord)
        .where(
            DocumentRecord.id == document_id,
            or_(
                DocumentRecord.status == Status.QUEUED,
                (DocumentRecord.status == Status.RUNNING) & abandoned(lease_seconds, now),
            ),
        )
        .values(
            status=Status.RUNNING,
            worker_id=worker_id,
            lease_renewed_at=now,
            started_at=now,
            updated_at=now,
            attempts=DocumentRecord.attempts + 1,
        )
        .returning(
            DocumentRecord.kind,
            DocumentRecord.input,
            DocumentRecord.attempts,
            DocumentRecord.formats,
            DocumentRecord.pdf_profile,
        )
        .execution_options(synchronize_session=False)
    )
    row = result.one_or_none()
    return None if row is None else Claimed(*row)


def finish(
    session: Session,
    document_id: str,
    filename: str,
    artifacts: list[Artifact],
    *,
    worker_id: str | None = None,
    attempt: int | None = None,
    conversions: list[Conversion] = (),
) -> bool:
    """Record the job done with its outputs, in the caller's transaction (so that a done job
    always has them), and the `conversions` that make its other formats; return whether it
    was running under this run's claim (`worker_id`, `attempt`). Only the run holding the
    current claim can finish it, so a duplicate run, or a run whose job was given to another
    meanwhile, changes nothing."""
    now = utcnow()
    result = session.execute(
        update(DocumentRecord)
        .where(_claimed_by(document_id, worker_id, attempt))
        .values(
            status=Status.DONE,
            filename=filename,
            error=None,
            finished_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    for artifact in artifacts:
        artifact.document_id = document_id
        session.add(artifact)
    for conversion in conversions:
        session.add(conversion)
    return True


def _claimed_by(document_id: str, worker_id: str | None, attempt: int | None):
    """SQL: the job is running under the claim of worker `worker_id`, attempt `attempt`."""
    holder = (
        DocumentRecord.worker_id.is_(None)
        if worker_id is None
        else DocumentRecord.worker_id == worker_id
    )
    condition = (
        (DocumentRecord.id == document_id) & (DocumentRecord.status == Status.RUNNING) & holder
    )
    if attempt is not None:
        condition &= DocumentRecord.attempts == attempt
    return condition


def fail(session: Session, document_id: str, error: dict, *, unfinished: bool = False) -> None:
    """Record a failure of a running job (or, with `unfinished`, of a queued one too)."""
    now = utcnow()
    statuses = [Status.RUNNING, Status.QUEUED] if unfinished else [Status.RUNNING]
    session.execute(
        update(DocumentRecord)
        .where(DocumentRecord.id == document_id, DocumentRecord.status.in_(statuses))
        .values(status=Status.FAILED, error=error, finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def release(
    session: Session, document_id: str, worker_id: str | None = None, attempt: int | None = None
) -> None:
    """Give a job running under this run's claim back to the queue (a transient failure,
    before the task's retry hands it to the broker again)."""
    now = utcnow()
    session.execute(
        update(DocumentRecord)
        .where(_claimed_by(document_id, worker_id, attempt))
        .values(status=Status.QUEUED, worker_id=None, enqueued_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class Filters:
    """What a list of jobs may be narrowed to (None: any). Days are Asia/Bishkek days."""

    kind: str | None = None
    status: str | None = None
    municipality_id: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    number: str | None = None


def listed(
    session: Session, scope: Scope, filters: Filters, *, page: int, per_page: int
) -> tuple[list[DocumentRecord], int]:
    """A page of the jobs `scope` may see (exactly those `get` finds), newest first, and how
    many match in all."""
    kinds = scope.kinds_allowed(KINDS)
    query = select(DocumentRecord).where(
        DocumentRecord.tenant == scope.tenant, DocumentRecord.kind.in_(kinds)
    )
    if scope.municipalities is not None:
        query = query.where(DocumentRecord.municipality_id.in_(sorted(scope.municipalities)))
    if filters.kind is not None:
        query = query.where(DocumentRecord.kind == filters.kind)
    if filters.municipality_id is not None:
        query = query.where(DocumentRecord.municipality_id == filters.municipality_id)
    if filters.created_from is not None:
        query = query.where(DocumentRecord.created_at >= _start_of(filters.created_from))
    if filters.created_to is not None:
        query = query.where(
            DocumentRecord.created_at < _start_of(filters.created_to + timedelta(days=1))
        )
    if filters.number is not None:
        query = query.where(DocumentRecord.input["number"].as_string() == filters.number)
    if filters.status is not None:
        query = query.where(_overall_status_is(filters.status))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(DocumentRecord.created_at.desc(), DocumentRecord.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BISHKEK).astimezone(UTC)


def _overall_status_is(status: str):
    """SQL: the job's `overall_status` is `status` (done with a PDF still being made is
    running)."""
    unfinished = (
        select(Conversion.id)
        .where(
            Conversion.document_id == DocumentRecord.id,
            Conversion.status.in_([Status.QUEUED, Status.RUNNING]),
        )
        .exists()
    )
    if status == Status.DONE:
        return (DocumentRecord.status == Status.DONE) & ~unfinished
    if status == Status.RUNNING:
        return (DocumentRecord.status == Status.RUNNING) | (
            (DocumentRecord.status == Status.DONE) & unfinished
        )
    return DocumentRecord.status == status
