"""Deletion and retention: what an organisation removes, and what the retention setting
purges, of its documents.

* Deleting a document removes its input and its outputs; the job's row stays, marked
  deleted, so that its outgoing register line stays too, withdrawn, keeping the number taken.
* Retention (the RETENTION_DAYS setting; default: none, everything is kept, as orders on core
  activity are kept permanently) purges the outputs of documents finished more than that many
  days ago, and their inputs only where no later document needs them: a joint plan's input
  stays while a report that refers to it keeps its own.

Both are audited in the transaction that does them. Bytes are content-addressed and shared by
equal documents, so a blob goes only once no artifact names it (after the commit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import JSON, delete, select, update
from sqlalchemy.orm import Session

from service import audit
from service.db import Database
from service.domain.status import Status
from service.errors import Conflict
from service.kinds import KINDS
from service.models import Artifact, BatchItem, DocumentRecord, utcnow
from service.storage import Storage
from service.tasks import records
from service.tenancy import Scope

UNFINISHED_ERROR = (
    "The document is still being made (status: {status}); delete it once it is done, failed "
    "or cancelled."
)
# The audit log's name for what the retention setting does.
RETENTION_ACTOR = "retention"


@dataclass
class Removed:
    """What a deletion or a purge took away: the blob keys its artifacts named."""

    keys: set[str] = field(default_factory=set)


def delete_document(
    session: Session, scope: Scope, document_id: str, actor: audit.Actor
) -> tuple[DocumentRecord, Removed]:
    """Delete the document `document_id` of the scope: its input and outputs go, its row and
    register line stay. A second deletion changes nothing. Conflict while it is being made."""
    record = records.get(session, document_id, scope)
    removed = Removed()
    if record.deleted_at is not None:
        return record, removed
    if not Status(record.status).finished:
        raise Conflict(UNFINISHED_ERROR, status=record.status)
    removed.keys |= _drop_artifacts(session, [record.id])
    _drop_inputs(session, [record.id])
    now = utcnow()
    session.execute(
        update(DocumentRecord)
        .where(DocumentRecord.id == record.id)
        .values(deleted_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        actor,
        "deleted",
        "document",
        record.id,
        municipality_id=record.municipality_id,
        details={"kind": record.kind, "filename": record.filename},
    )
    session.expire(record)
    return record, removed


@dataclass(frozen=True)
class Purge:
    """What a retention run purged (or, in a dry run, would purge)."""

    outputs: list[str]
    inputs: list[str]
    blobs: int = 0


def purge_expired(
    db: Database, storage: Storage, days: int, *, now: datetime | None = None, dry_run=False
) -> Purge:
    """Purge, in every organisation, the outputs of documents finished more than `days` days
    ago and the inputs no later document needs; audit each document purged."""
    if days < 1:
        raise ValueError("retention is counted in whole days, at least 1")
    cutoff = (now or utcnow()) - timedelta(days=days)
    with db.session() as session:
        expired = DocumentRecord.finished_at < cutoff
        alive = DocumentRecord.deleted_at.is_(None)
        outputs = list(
            session.scalars(
                select(DocumentRecord.id)
                .where(expired, alive, DocumentRecord.outputs_purged_at.is_(None))
                .where(DocumentRecord.status.in_([s.value for s in Status if s.finished]))
                .order_by(DocumentRecord.id)
            )
        )
        candidates = list(
            session.execute(
                select(DocumentRecord.id, DocumentRecord.kind)
                .where(expired, alive, DocumentRecord.input_purged_at.is_(None))
                .order_by(DocumentRecord.id)
            )
        )
        inputs = _inputs_no_one_needs(session, candidates)
        if dry_run:
            session.rollback()
            return Purge(outputs, inputs)
        keys = _drop_artifacts(session, outputs)
        _drop_inputs(session, inputs)
        stamp = utcnow()
        for ids, column in ((outputs, "outputs_purged_at"), (inputs, "input_purged_at")):
            for chunk in _chunks(ids):
                session.execute(
                    update(DocumentRecord)
                    .where(DocumentRecord.id.in_(chunk))
                    .values({column: stamp})
                    .execution_options(synchronize_session=False)
                )
        _audit_purge(session, outputs, inputs, days)
    return Purge(outputs, inputs, blobs=forget_unused(db, storage, keys))


def _inputs_no_one_needs(session: Session, candidates: list) -> list[str]:
    """The candidates' ids but those a kept document refers to (a report's plan).

    A reference counts while the referring document keeps its input; purging a report in this
    run frees its plan in the same run.
    """
    purging = {document_id for document_id, _kind in candidates}
    referring = {
        spec.name: spec.references for spec in KINDS.values() if spec.references
    }  # kind → its references
    needed: set[str] = set()
    if referring:
        rows = session.execute(
            select(DocumentRecord.id, DocumentRecord.kind, DocumentRecord.input).where(
                DocumentRecord.kind.in_(referring),
                DocumentRecord.deleted_at.is_(None),
                DocumentRecord.input_purged_at.is_(None),
            )
        )
        for document_id, kind, payload in rows:
            if document_id in purging or not isinstance(payload, dict):
                continue
            for reference in referring[kind]:
                if payload.get(reference.id_field):
                    needed.add(str(payload[reference.id_field]))
    return [document_id for document_id, _kind in candidates if document_id not in needed]


def _drop_artifacts(session: Session, document_ids: list[str]) -> set[str]:
    keys: set[str] = set()
    for chunk in _chunks(document_ids):
        keys |= set(
            session.scalars(
                delete(Artifact).where(Artifact.document_id.in_(chunk)).returning(Artifact.key)
            )
        )
    return keys


def _drop_inputs(session: Session, document_ids: list[str]) -> None:
    """Forget the inputs (JSON null) and what was said of them, of the jobs and their batch
    items alike."""
    for chunk in _chunks(document_ids):
        session.execute(
            update(DocumentRecord)
            .where(DocumentRecord.id.in_(chunk))
            .values(input=JSON.NULL, warnings=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(BatchItem)
            .where(BatchItem.document_id.in_(chunk))
            .values(fields=JSON.NULL)
            .execution_options(synchronize_session=False)
        )


def forget_unused(db: Database, storage: Storage, keys: Iterable[str]) -> int:
    """Delete the blobs under `keys` that no artifact names any more; how many went."""
    keys = sorted(set(keys))
    if not keys:
        return 0
    with db.session() as session:
        used = set()
        for chunk in _chunks(keys):
            used |= set(session.scalars(select(Artifact.key).where(Artifact.key.in_(chunk))))
    gone = [key for key in keys if key not in used]
    for key in gone:
        storage.delete(key)
    return len(gone)


def _audit_purge(session: Session, outputs: list[str], inputs: list[str], days: int) -> None:
    purged = sorted(set(outputs) | set(inputs))
    outputs_set, inputs_set = set(outputs), set(inputs)
    for chunk in _chunks(purged):
        rows = session.execute(
            select(DocumentRecord.id, DocumentRecord.tenant, DocumentRecord.municipality_id)
            .where(DocumentRecord.id.in_(chunk))
        )  # fmt: skip
        for document_id, tenant, municipality_id in rows:
            actor = audit.Actor(tenant, None, RETENTION_ACTOR, None, None)
            audit.record(
                session,
                actor,
                "purged",
                "document",
                document_id,
                municipality_id=municipality_id,
                details={
                    "outputs": document_id in outputs_set,
                    "input": document_id in inputs_set,
                    "retention_days": days,
                },
            )


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
