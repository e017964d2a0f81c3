"""Creating, describing and cancelling batches: one kind of document for many municipalities.

Each valid item becomes an ordinary document job (so items run in parallel on the workers and
a failed item does not stop the others); an invalid item is kept with its errors and its row
number. Cancelling a batch cancels the items no worker has started.
"""

from __future__ import annotations

import copy
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, lazyload

from service import generation
from service.batches import numbers
from service.domain.status import Status
from service.errors import Forbidden, InvalidInput, NotFound, flatten_errors
from service.models import Batch, BatchItem, DocumentRecord, utcnow
from service.tasks import records
from service.tenancy import Role, Scope, get_scoped, kind_role

INVALID = "invalid"
INTERNAL_ITEM_ERROR = "Internal error while recording this item; submit it again."

log = logging.getLogger(__name__)


class BatchNotFound(NotFound):
    message = "Batch not found."


def merge(shared: Any, item: Any, skeleton: tuple[str, ...] = (), _path: str = "") -> Any:
    """Deep-merge an item's fields over the shared ones.

    A list the kind names in `skeleton` (its `batch_skeleton`: dotted paths without indices,
    such as a plan's `problems` and `problems.indicators`) merges entry by entry: the item's
    entry at a place over the shared one there (a municipality's figures over the plan's
    skeleton, `problems.0.indicators.1.baseline`), the shared list's further entries kept,
    an entry the item leaves out (None, a gap in a spreadsheet's numbered columns) the
    shared one. Any other list (an order's members: people, not a skeleton to fill), and any
    other value, is replaced."""
    if isinstance(shared, dict) and isinstance(item, dict):
        out = copy.deepcopy(shared)
        for key, value in item.items():
            inner = f"{_path}.{key}" if _path else key
            out[key] = (
                merge(out[key], value, skeleton, inner) if key in out else _without_gaps(value)
            )
        return out
    if _path in skeleton and isinstance(shared, list) and isinstance(item, list):
        out = [
            copy.deepcopy(shared[i]) if entry is None else merge(shared[i], entry, skeleton, _path)
            for i, entry in enumerate(item[: len(shared)])
        ]
        out += [_without_gaps(entry) for entry in item[len(shared) :] if entry is not None]
        return out + copy.deepcopy(shared[len(item) :])
    return _without_gaps(item)


def _without_gaps(value: Any) -> Any:
    """A copy of `value` without the None entries of its lists (places left out)."""
    if isinstance(value, dict):
        return {key: _without_gaps(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_without_gaps(entry) for entry in value if entry is not None]
    return copy.deepcopy(value)


CHUNK = 100
COORDINATOR_ONLY_ERROR = "Only a coordinator may submit batches."
KIND_ROLE_ERROR = "Your account has no role for documents of this kind ({role})."


def create(
    db,
    scope: Scope,
    kind: str,
    shared: dict,
    items: list[dict],
    enqueue: Callable[[str], None],
    *,
    record: Callable[..., Any],
    enqueue_many: Callable[[list[str]], None] | None = None,
    title: str = "",
    all_or_nothing: bool = False,
    rows: list[int] | None = None,
) -> str:
    """Record a batch and a job per valid item; return the batch id.

    `record` records one item's document in a session (`service.submission.record_document`:
    the path every document takes); `enqueue` hands a committed job to the workers, or
    `enqueue_many`, when given, a committed chunk's jobs at once.

    `rows` numbers the items as the user sees them (an upload's spreadsheet rows); by default
    they are numbered from 1.

    Items are recorded in chunks, each committed and enqueued before the next is checked, so
    workers start at once and progress shows while a large batch is still being read. With
    `all_or_nothing`, everything is checked in one transaction and nothing is kept if an item
    is bad.
    """
    authorize(scope, kind)
    batch = Batch(
        id=uuid.uuid4().hex,
        tenant=scope.tenant,
        kind=kind,
        title=title,
        shared=shared,
        item_count=len(items),
        uploaded=rows is not None,
    )
    rows_given = rows is not None
    rows = list(zip(rows or range(1, len(items) + 1), items, strict=True))
    if all_or_nothing:
        with db.session() as session:
            session.add(batch)
            created, invalid = _add_items(session, scope, batch, rows, record)
            if invalid:
                raise InvalidInput(
                    "The batch was refused: some items are invalid.",
                    errors=_refusal(invalid, uploaded=rows_given),
                )
        _hand_over(created, enqueue, enqueue_many)
        return batch.id
    with db.session() as session:
        session.add(batch)
    for start in range(0, len(rows), CHUNK):
        with db.session() as session:
            created, _invalid = _add_items(
                session, scope, batch, rows[start : start + CHUNK], record
            )
            if session.scalar(select(Batch.cancelled_at).where(Batch.id == batch.id)):
                # Cancelled while still being read: the rest is recorded, and cancelled.
                _cancel_queued(session, created)
                created = []
        _hand_over(created, enqueue, enqueue_many)
    return batch.id


def _hand_over(document_ids: list[str], enqueue, enqueue_many) -> None:
    if enqueue_many is not None:
        if document_ids:
            enqueue_many(document_ids)
        return
    for document_id in document_ids:
        enqueue(document_id)


def authorize(scope: Scope, kind: str) -> None:
    """Forbidden unless `scope` may submit a batch of `kind` (UnknownKind for no such kind)."""
    generation.get_kind(kind)
    if not scope.has(Role.COORDINATOR):
        raise Forbidden(COORDINATOR_ONLY_ERROR)
    if kind_role(kind) not in scope.roles:
        # Each item is a document of the kind: its role is needed too.
        raise Forbidden(KIND_ROLE_ERROR, role=kind_role(kind).value)


def _refusal(invalid: dict[str, dict], *, uploaded: bool) -> dict[str, list[str]]:
    """The errors of a refused batch by path: `items.0.date` (a JSON path, from 0) for items
    sent as JSON, `rows.5.date` (the spreadsheet's row) for an upload."""
    errors = {}
    for row, of_item in invalid.items():
        where = f"rows.{row}" if uploaded else f"items.{int(row) - 1}"
        for path, messages in of_item.items():
            errors[where if path == "_body" else f"{where}.{path}"] = messages
    return errors


def _add_items(
    session: Session, scope: Scope, batch: Batch, rows, record: Callable[..., Any]
) -> tuple[list[str], dict]:
    """Record a chunk's items in `session`, each checked once, numbered in order among the
    valid ones (service.batches.numbers), written in one flush.

    An item refused for its input writes nothing (it is checked before anything of it is
    added) and takes no number. An item refused for a defect may have left part of itself in
    the session: then the chunk is done again the slow way, a savepoint per item.
    """
    savepoint = session.begin_nested()
    try:
        with numbers.installed(session) as chunk_numbers:
            created, invalid, defects = _record_items(
                session, scope, batch, rows, record, chunk_numbers
            )
            if defects:
                raise _Defective()
        session.flush()
        savepoint.commit()
        return created, invalid
    except _Defective:
        savepoint.rollback()
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    return _add_items_one_by_one(session, scope, batch, rows, record)


class _Defective(Exception):
    """An item of the chunk failed for a defect, not its input."""


def skeleton_of(kind: str) -> tuple[str, ...]:
    """The lists of `kind` an item fills entry by entry (see merge)."""
    return generation.get_kind(kind).batch_skeleton


def _record_items(session, scope, batch, rows, record, chunk_numbers):
    created, invalid, defects = [], {}, False
    skeleton = skeleton_of(batch.kind)
    items = []
    for row, fields in rows:
        item = BatchItem(batch_id=batch.id, row=row, fields=fields)
        try:
            made = record(session, scope, batch.kind, merge(batch.shared, fields, skeleton))
            chunk_numbers.keep()
            item.document_id = made.record.id
            item.municipality_id = made.record.municipality_id
            created.append(made.record.id)
        except InvalidInput as err:
            chunk_numbers.drop()
            item.errors = flatten_errors(err.errors)
            invalid[str(row)] = item.errors
        except SQLAlchemyError:
            raise  # the database is down or refuses: the whole request fails, and says so
        except Exception:
            log.exception("batch item could not be recorded", extra={"row": row})
            return created, invalid, True
        items.append(item)
    session.flush()  # the documents, then the items naming them (no relationship orders them)
    session.add_all(items)
    return created, invalid, defects


def _add_items_one_by_one(
    session: Session, scope: Scope, batch: Batch, rows, record: Callable[..., Any]
) -> tuple[list[str], dict]:
    created, invalid = [], {}
    for row, fields in rows:
        item = BatchItem(batch_id=batch.id, row=row, fields=fields)
        try:
            # A savepoint per item: a refused item gives its outgoing number back.
            with session.begin_nested():
                payload = merge(batch.shared, fields, skeleton_of(batch.kind))
                made = record(session, scope, batch.kind, payload)
            item.document_id = made.record.id
            item.municipality_id = made.record.municipality_id
            created.append(made.record.id)
        except InvalidInput as err:
            item.errors = flatten_errors(err.errors)
            invalid[str(row)] = item.errors
        except SQLAlchemyError:
            raise  # the database is down or refuses: the whole request fails, and says so
        except Exception:
            # A defect, not the user's: this item is refused, the others go on.
            log.exception("batch item could not be recorded", extra={"row": row})
            item.errors = {"_body": [INTERNAL_ITEM_ERROR]}
            invalid[str(row)] = item.errors
        session.add(item)
    session.flush()
    return created, invalid


def get(session: Session, scope: Scope, batch_id: str) -> Batch:
    """The batch `batch_id` of the scope's tenant, to a coordinator acting for all of its
    items' municipalities; BatchNotFound for any other."""
    batch = get_scoped(session, Batch, batch_id, scope)
    if batch is None or not scope.has(Role.COORDINATOR):
        raise BatchNotFound()
    if scope.municipalities is not None:
        municipalities = session.scalars(
            select(BatchItem.municipality_id).where(BatchItem.batch_id == batch.id).distinct()
        )
        if not all(scope.covers(m) for m in municipalities):
            raise BatchNotFound()
    return batch


def _items(session: Session, batch: Batch) -> list[tuple[BatchItem, DocumentRecord | None]]:
    rows = session.execute(
        select(BatchItem, DocumentRecord)
        .outerjoin(DocumentRecord, DocumentRecord.id == BatchItem.document_id)
        .where(BatchItem.batch_id == batch.id)
        .order_by(BatchItem.row)
        .options(lazyload(DocumentRecord.artifacts))  # progress needs no outputs
    )
    return [(item, record) for item, record in rows]


def describe(session: Session, scope: Scope, batch_id: str) -> dict:
    """Counts per status, and each item's status, number, document and errors."""
    batch = get(session, scope, batch_id)
    items = []
    for item, record in _items(session, batch):
        items.append(
            {
                "row": item.row,
                "municipality_id": item.municipality_id,
                "status": records.overall_status(record) if record else INVALID,
                "number": ((record.input or {}).get("number") if record else None),
                "document_id": item.document_id,
                "errors": item_errors(item, record),
                "uploaded": batch.uploaded,  # errors then name columns by their labels
            }
        )
    counts = Counter(i["status"] for i in items)
    finished = len(items) == batch.item_count and all(
        Status(i["status"]).finished for i in items if i["status"] != INVALID
    )
    return {
        "id": batch.id,
        "kind": batch.kind,
        "title": batch.title,
        "created_at": batch.created_at,
        "cancelled_at": batch.cancelled_at,
        "finished": finished,
        "total": batch.item_count,
        "counts": {s: counts.get(s, 0) for s in [*Status, INVALID]},
        "items": items,
    }


def cancel(session: Session, scope: Scope, batch_id: str) -> int:
    """Cancel the items not yet started (and those still to be read); return how many were
    cancelled. A finished batch stays as it is."""
    batch = get(session, scope, batch_id)
    documents = select(BatchItem.document_id).where(BatchItem.batch_id == batch.id)
    cancelled = _cancel_queued(session, documents)
    recorded = session.scalar(
        select(func.count()).select_from(BatchItem).where(BatchItem.batch_id == batch.id)
    )
    if cancelled or recorded < batch.item_count:
        batch.cancelled_at = batch.cancelled_at or utcnow()
    return cancelled


def _cancel_queued(session: Session, documents) -> int:
    """Cancel those of `documents` (ids, or a query of them) no worker has started."""
    result = session.execute(
        update(DocumentRecord)
        .where(DocumentRecord.id.in_(documents), DocumentRecord.status == Status.QUEUED)
        .values(status=Status.CANCELLED, finished_at=utcnow(), updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def item_errors(item: BatchItem, record: DocumentRecord | None) -> dict[str, list[str]] | None:
    """An item's errors by field path: its own (refused at submission) or its job's."""
    if item.errors:
        return item.errors
    if record is None or not record.error:
        return None
    error = record.error
    return flatten_errors(error.get("errors") or {}) or {"_body": [error.get("message", "")]}
