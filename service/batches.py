"""Batches: one kind of document for many municipalities, with a status per item.

Each valid item becomes an ordinary document job (so items run in parallel on the workers and
a failed item does not stop the others); an invalid item is kept with its errors and its row
number. Cancelling a batch cancels the items no worker has started.
"""

from __future__ import annotations

import copy
import csv
import io
import logging
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service import generation, registry, submission
from service.domain.status import Status
from service.errors import InvalidInput, NotFound, NotReady, flatten_errors
from service.i18n import translate_errors
from service.models import Batch, BatchItem, Blob, DocumentRecord, utcnow
from service.spreadsheets import csv_bytes, xlsx_bytes
from service.tenancy import Scope

INVALID = "invalid"
INTERNAL_ITEM_ERROR = "Internal error while recording this item; submit it again."

log = logging.getLogger(__name__)


class BatchNotFound(NotFound):
    message = "Batch not found."


class BatchNotReady(NotReady):
    message = "The batch is not finished yet: {unfinished} of {total} items are queued or running."


def merge(shared: Any, item: Any) -> Any:
    """Deep-merge an item's fields over the shared ones (lists are replaced, not merged)."""
    if isinstance(shared, dict) and isinstance(item, dict):
        out = copy.deepcopy(shared)
        for key, value in item.items():
            out[key] = merge(out[key], value) if key in out else copy.deepcopy(value)
        return out
    return copy.deepcopy(item)


CHUNK = 100


def create(
    db,
    scope: Scope,
    kind: str,
    shared: dict,
    items: list[dict],
    enqueue: Callable[[str], None],
    *,
    title: str = "",
    all_or_nothing: bool = False,
    rows: list[int] | None = None,
) -> str:
    """Record a batch and a job per valid item; return the batch id.

    `rows` numbers the items as the user sees them (an upload's spreadsheet rows); by default
    they are numbered from 1.

    Items are recorded in chunks, each committed and enqueued before the next is checked, so
    workers start at once and progress shows while a large batch is still being read. With
    `all_or_nothing`, everything is checked in one transaction and nothing is kept if an item
    is bad.
    """
    generation.get_kind(kind)
    batch = Batch(
        id=uuid.uuid4().hex,
        tenant=scope.tenant,
        kind=kind,
        title=title,
        shared=shared,
        item_count=len(items),
    )
    rows_given = rows is not None
    rows = list(zip(rows or range(1, len(items) + 1), items, strict=True))
    if all_or_nothing:
        with db.session() as session:
            session.add(batch)
            created, invalid = _add_items(session, scope, batch, rows)
            if invalid:
                raise InvalidInput(
                    "The batch was refused: some items are invalid.",
                    errors=_refusal(invalid, uploaded=rows_given),
                )
        for document_id in created:
            enqueue(document_id)
        return batch.id
    with db.session() as session:
        session.add(batch)
    for start in range(0, len(rows), CHUNK):
        with db.session() as session:
            created, _invalid = _add_items(session, scope, batch, rows[start : start + CHUNK])
            if session.scalar(select(Batch.cancelled_at).where(Batch.id == batch.id)):
                # Cancelled while still being read: the rest is recorded, and cancelled.
                _cancel_queued(session, created)
                created = []
        for document_id in created:
            enqueue(document_id)
    return batch.id


def _refusal(invalid: dict[str, dict], *, uploaded: bool) -> dict[str, list[str]]:
    """The errors of a refused batch by path: `items.0.date` (a JSON path, from 0) for items
    sent as JSON, `rows.5.date` (the spreadsheet's row) for an upload."""
    errors = {}
    for row, of_item in invalid.items():
        where = f"rows.{row}" if uploaded else f"items.{int(row) - 1}"
        for path, messages in of_item.items():
            errors[where if path == "_body" else f"{where}.{path}"] = messages
    return errors


def _add_items(session: Session, scope: Scope, batch: Batch, rows) -> tuple[list[str], dict]:
    created, invalid = [], {}
    for row, fields in rows:
        item = BatchItem(batch_id=batch.id, row=row, fields=fields)
        try:
            # A savepoint per item: a refused item gives its outgoing number back.
            with session.begin_nested():
                payload = merge(batch.shared, fields)
                made = submission.record_document(session, scope, batch.kind, payload)
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
    batch = session.scalar(select(Batch).where(Batch.id == batch_id, Batch.tenant == scope.tenant))
    if batch is None:
        raise BatchNotFound()
    return batch


def _items(session: Session, batch: Batch) -> list[tuple[BatchItem, DocumentRecord | None]]:
    rows = session.execute(
        select(BatchItem, DocumentRecord)
        .outerjoin(DocumentRecord, DocumentRecord.id == BatchItem.document_id)
        .where(BatchItem.batch_id == batch.id)
        .order_by(BatchItem.row)
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
                "status": record.status if record else INVALID,
                "number": (record.input.get("number") if record else None),
                "document_id": item.document_id,
                "errors": item_errors(item, record),
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


MANIFEST_COLUMNS = ("item", "municipality", "number", "file", "sha256", "status", "error")


def archive(session: Session, scope: Scope, batch_id: str, lang: str = "en") -> tuple[bytes, str]:
    """A ZIP of the batch's documents with readable names and a manifest.csv (errors in `lang`)."""
    batch = get(session, scope, batch_id)
    items = _items(session, batch)
    pending = [r for _, r in items if r is not None and not Status(r.status).finished]
    if pending or len(items) < batch.item_count:
        unfinished = len(pending) + batch.item_count - len(items)
        raise BatchNotReady(unfinished=unfinished, total=batch.item_count)
    out = io.BytesIO()
    manifest = []
    # A .docx is compressed already: stored as it is, the archive is made at copying speed.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive_file:
        for item, record in items:
            number = record.input.get("number", "") if record else ""
            municipality = _municipality_name(session, scope, item, record)
            name = ""
            if record is not None and record.status == Status.DONE:
                name = _archive_name(item.row, municipality, record.filename)
                data = session.scalar(select(Blob.data).where(Blob.key == record.output_key))
                archive_file.writestr(name, data)
            manifest.append(
                [
                    item.row,
                    municipality,
                    number,
                    name,
                    record.output_key if record and record.output_key else "",
                    record.status if record else INVALID,
                    _error_text(item_errors(item, record), lang),
                ]
            )
        archive_file.writestr("manifest.csv", csv_bytes(MANIFEST_COLUMNS, manifest))
    return out.getvalue(), f"batch-{batch.kind}-{batch.id[:8]}.zip"


def _municipality_name(
    session: Session, scope: Scope, item: BatchItem, record: DocumentRecord | None
) -> str:
    """The issuing body of an item: from its document, or (a refused item) from its fields."""
    fields = record.input if record is not None else item.fields
    issuer = fields.get("issuer") if isinstance(fields, dict) else None
    body = issuer.get("body") if isinstance(issuer, dict) else None
    if isinstance(body, dict) and (body.get("ru") or body.get("ky")):
        return str(body.get("ru") or body.get("ky"))
    reference = fields.get("municipality_id") if isinstance(fields, dict) else None
    if isinstance(reference, str):
        try:
            name = registry.get(session, scope, reference).data["name"]
            return name.get("ru") or name.get("ky") or ""
        except NotFound:
            pass
    return ""


def _archive_name(row: int, municipality: str, filename: str) -> str:
    """The row, who, then what: «0001_Муниципальное_территориальное_управление_№_21_
    Распоряжение_01-07_31_2018-03-12.docx»."""
    who = generation.safe_name(municipality, 60)
    return f"{row:04d}_{who}_{filename}" if who else f"{row:04d}_{filename}"


def item_errors(item: BatchItem, record: DocumentRecord | None) -> dict[str, list[str]] | None:
    """An item's errors by field path: its own (refused at submission) or its job's."""
    if item.errors:
        return item.errors
    if record is None or not record.error:
        return None
    error = record.error
    return flatten_errors(error.get("errors") or {}) or {"_body": [error.get("message", "")]}


def _error_text(errors: dict[str, list[str]] | None, lang: str) -> str:
    """«date: Not a valid date.; number: May not be blank.» in `lang`."""
    return "; ".join(
        " ".join(([] if path == "_body" else [f"{path}:"]) + messages)
        for path, messages in translate_errors(errors or {}, lang).items()
    )


def template_csv(kind: str) -> bytes:
    """The upload template of `kind`: a header row of the per-item columns."""
    return csv_bytes(_columns(kind), [])


def template_xlsx(kind: str) -> bytes:
    return xlsx_bytes(_columns(kind), [], title=kind)


def _columns(kind: str) -> list[str]:
    columns = list(generation.get_kind(kind).batch_columns)
    if not columns:
        raise InvalidInput(errors={"kind": [f"No upload template for this kind yet: {kind}."]})
    return columns


def items_from_table(content: bytes, filename: str) -> tuple[list[dict], list[int]]:
    """Read a CSV or XLSX upload: a header of dotted paths (members.0.name), a row per item.

    Returns the items and, for each, its row in the spreadsheet (the header is row 1; empty
    rows are skipped but counted), so that errors point where the user looks.
    """
    name = filename.lower()
    if name.endswith(".xls"):
        raise InvalidInput(errors={"file": [OLD_EXCEL_ERROR]})
    rows = _xlsx_rows(content) if name.endswith(".xlsx") else _csv_rows(content)
    if not rows:
        raise InvalidInput(errors={"file": ["The file is empty."]})
    header = [str(h).strip() for h in rows[0]]
    _check_header(header)
    items, numbers = [], []
    for number, values in enumerate(rows[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        item: dict = {}
        for path, value in zip(header, values, strict=False):
            value = str(value).strip()
            if path and value:
                _put(item, path.split("."), value)
        items.append(_lists(item))
        numbers.append(number)
    return items, numbers


OLD_EXCEL_ERROR = "Excel 97–2003 files (.xls) cannot be read; save the sheet as .xlsx or CSV."


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(errors={"file": ["The CSV file must be UTF-8."]}) from None
    # Excel saves CSV with «;» where the decimal separator is a comma (ru, ky): the header
    # line, made of column names, tells which.
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise InvalidInput(errors={"file": ["Not a readable CSV file."]}) from None


def _check_header(header: list[str]) -> None:
    """Each column a path of its own: no column twice, none inside another (a, a.b)."""
    paths = [h for h in header if h]
    for path in paths:
        if paths.count(path) > 1:
            raise InvalidInput(errors={"file": [f"The column {path} appears twice."]})
        for other in paths:
            if other.startswith(path + "."):
                raise InvalidInput(
                    errors={"file": [f"The columns {path} and {other} cannot go together."]}
                )


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception:
        raise InvalidInput(errors={"file": ["Not a readable XLSX file."]}) from None
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _cell(v) for v in row])
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _put(node: dict, path: list[str], value: str) -> None:
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _lists(node: Any) -> Any:
    """Turn {"0": …, "1": …} (from members.0.name) into lists."""
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node
