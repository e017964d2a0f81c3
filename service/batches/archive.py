"""The archive of a finished batch: its documents under readable names, and a manifest (as
manifest.csv and manifest.xlsx, service.batches.spreadsheets).

The items are read first, with their documents and .docx artifacts, in one query (and the
registry once, if some item names its municipality only by reference); then the ZIP is made
while it is sent: each document is read through storage, written as a stored entry (a .docx
is compressed already) and handed on before the next is read. No database session is held
meanwhile, and only one document is in memory at a time.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased, lazyload

from service import generation, registry
from service.batches import columns, spreadsheets
from service.batches.creation import INVALID, get, item_errors
from service.domain.status import Status
from service.errors import NotReady
from service.i18n import translate_errors
from service.models import DOCX, Artifact, Batch, BatchItem, DocumentRecord
from service.registry import WITHDRAWN
from service.schemas.outputs import PDF
from service.storage import Storage
from service.tasks import records
from service.tenancy import Scope

MANIFEST_COLUMNS = (
    "item", "municipality", "number", "date", "file", "sha256", "status", "error",
)  # fmt: skip
MANIFEST_WIDTHS = (6, 40, 16, 11, 60, 20, 12, 60)


class BatchNotReady(NotReady):
    message = "The batch is not finished yet: {unfinished} of {total} items are queued or running."


@dataclass(frozen=True)
class Entry:
    """A document of the archive: its name there and where its bytes are."""

    name: str
    key: str


@dataclass(frozen=True)
class Archive:
    """A batch's archive: its file name, and its bytes as they are made."""

    filename: str
    chunks: Iterator[bytes]


def stream_archive(
    session: Session, storage: Storage, scope: Scope, batch_id: str, lang: str = "en"
) -> Archive:
    """The ZIP of a finished batch (BatchNotReady before), manifest errors in `lang`.

    The batch is read from `session` now; the returned chunks read only `storage`.
    """
    batch = get(session, scope, batch_id)
    rows = finished_items(session, batch)
    names = MunicipalityNames(session, scope)
    entries, manifest, bodies, years = [], [], set(), []
    for item, record, docx, pdf in rows:
        number = (record.input or {}).get("number", "") if record else ""
        issued_on = _date_of(record)
        municipality = names.of(item, record)
        bodies.add(municipality)
        years += [issued_on.year] if issued_on else []
        name = ""
        if record is not None and record.status == Status.DONE and docx is not None:
            name = _archive_name(item.row, municipality, record.filename)
            entries.append(Entry(name, docx.key))
            if pdf is not None:
                entries.append(Entry(str(PurePath(name).with_suffix(f".{PDF}")), pdf.key))
        manifest.append(
            [
                item.row,
                municipality,
                number,
                issued_on or "",
                name,
                docx.sha256 if docx else "",
                spreadsheets.status_name(_status(record), lang),
                _error_text(item_errors(item, record), lang, labelled=batch.uploaded),
            ]
        )
    header = spreadsheets.labels("manifest column", MANIFEST_COLUMNS, lang)
    what = spreadsheets.labels("export", ["batch"], lang)[0]
    year = max(set(years), key=years.count) if years else batch.created_at.year
    bodies.discard("")  # a refused item that names no municipality
    body = bodies.pop() if len(bodies) == 1 else ""
    files = {
        "manifest.csv": spreadsheets.csv_export(header, manifest),
        "manifest.xlsx": spreadsheets.xlsx_export(
            header, manifest, title=what, widths=MANIFEST_WIDTHS
        ),
    }
    return Archive(
        filename=spreadsheets.export_filename(
            what, body, year, batch.title or spreadsheets.kind_name(batch.kind, lang), ext="zip"
        ),
        chunks=_zip(storage, entries, files),
    )


def _date_of(record: DocumentRecord | None) -> date | None:
    """The date of an item's act, when its input has one (a purged input has none)."""
    value = (record.input or {}).get("date") if record is not None else None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


# A document's status in the manifest once retention purged its file.
PURGED = "purged"


def finished_items(session: Session, batch: Batch) -> list[tuple]:
    """(item, its document, .docx, PDF) of every item of a finished batch, in item order;
    BatchNotReady while an item or one of its outputs is still being made."""
    pdf_artifact = aliased(Artifact)
    rows = session.execute(
        select(BatchItem, DocumentRecord, Artifact, pdf_artifact)
        .outerjoin(DocumentRecord, DocumentRecord.id == BatchItem.document_id)
        .outerjoin(
            Artifact, and_(Artifact.document_id == DocumentRecord.id, Artifact.format == DOCX)
        )
        .outerjoin(
            pdf_artifact,
            and_(pdf_artifact.document_id == DocumentRecord.id, pdf_artifact.format == PDF),
        )
        .where(BatchItem.batch_id == batch.id)
        .order_by(BatchItem.row)
        .options(lazyload(DocumentRecord.artifacts))
    ).all()
    pending = sum(
        1
        for _, record, _, _ in rows
        if record is not None and not Status(records.overall_status(record)).finished
    )
    if pending or len(rows) < batch.item_count:
        unfinished = pending + batch.item_count - len(rows)
        raise BatchNotReady(unfinished=unfinished, total=batch.item_count)
    return rows


def _status(record: DocumentRecord | None) -> str:
    """An item's status in the manifest; a deleted document is withdrawn, and one whose file
    retention purged says so."""
    if record is None:
        return INVALID
    if record.deleted_at is not None:
        return WITHDRAWN
    if record.outputs_purged_at is not None:
        return PURGED
    return records.overall_status(record)


def _zip(storage: Storage, entries: Iterable[Entry], manifest: dict[str, bytes]) -> Iterator[bytes]:
    """The ZIP's bytes, an entry at a time: the documents, then the manifest's files."""
    out = _EntryBuffer()
    entries = list(entries)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive_file:
        for entry, content in zip(
            entries, storage.read_many(entry.key for entry in entries), strict=True
        ):
            archive_file.writestr(entry.name, content)
            yield out.take()
        for name, content in manifest.items():
            archive_file.writestr(name, content)
    yield out.take()


class _EntryBuffer(io.RawIOBase):
    """A file for zipfile that keeps only the bytes not yet handed on.

    zipfile goes back only within the entry it is writing (to put its size and CRC in its
    header), so each entry, once written, can be sent: the archive is byte for byte what a
    ZipFile on a whole file makes (no data descriptors, which some readers refuse for stored
    entries).
    """

    def __init__(self) -> None:
        self._sent = 0  # bytes handed on, from the start of the archive
        self._pending = bytearray()
        self._position = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        end = self._sent + len(self._pending)
        target = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: end}[whence] + offset
        if not self._sent <= target <= end:
            raise io.UnsupportedOperation("that part of the archive is sent already")
        self._position = target
        return target

    def write(self, data) -> int:
        start = self._position - self._sent
        self._pending[start : start + len(data)] = data
        self._position += len(data)
        return len(data)

    def take(self) -> bytes:
        """The bytes written since the last take; they can no longer change."""
        data = bytes(self._pending)
        self._sent += len(data)
        self._pending.clear()
        return data


class MunicipalityNames:
    """The issuing body of each item: from its document, or (a refused item) from its fields,
    or from the registry, read once for the whole archive."""

    def __init__(self, session: Session, scope: Scope):
        self._session = session
        self._scope = scope
        self._registry: dict[str, str] | None = None

    def of(self, item: BatchItem, record: DocumentRecord | None) -> str:
        fields = record.input if record is not None else item.fields
        issuer = fields.get("issuer") if isinstance(fields, dict) else None
        body = issuer.get("body") if isinstance(issuer, dict) else None
        if isinstance(body, dict) and (body.get("ru") or body.get("ky")):
            return str(body.get("ru") or body.get("ky"))
        reference = fields.get("municipality_id") if isinstance(fields, dict) else None
        if reference is None and record is not None:
            reference = record.municipality_id  # a deleted document keeps its municipality
        if isinstance(reference, str):
            return self._registered().get(reference, "")
        return ""

    def _registered(self) -> dict[str, str]:
        if self._registry is None:
            self._registry = {}
            for municipality in registry.all_of(self._session, self._scope):
                name = municipality.data["name"]
                self._registry[municipality.id] = name.get("ru") or name.get("ky") or ""
        return self._registry


def _archive_name(row: int, municipality: str, filename: str) -> str:
    """The row, who, then what: «0001_Муниципальное_территориальное_управление_№_21_
    Распоряжение_01-07_31_2018-03-12.docx»."""
    who = generation.safe_name(municipality, 60)
    return f"{row:04d}_{who}_{filename}" if who else f"{row:04d}_{filename}"


def _error_text(errors: dict[str, list[str]] | None, lang: str, *, labelled: bool = False) -> str:
    """«date: Not a valid date.; number: May not be blank.» in `lang`; for an uploaded batch
    (`labelled`) each column named as its sheet heads it («Дата: Неверная дата…»)."""
    if labelled:
        found = columns.labelled_errors(errors or {}, lang)
        return "; ".join(" ".join(messages) for messages in found.values())
    return "; ".join(
        " ".join(([] if path == "_body" else [f"{path}:"]) + messages)
        for path, messages in translate_errors(errors or {}, lang).items()
    )
