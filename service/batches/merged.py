"""One PDF of a whole batch: every item's PDF in item order, each keeping its own page numbers
(printed in its footer, and as the PDF's page labels, so that a viewer shows them too), with a
bookmark per document. pypdf joins them without re-rendering a page."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from typing import IO

from pypdf import PdfReader, PdfWriter
from sqlalchemy.orm import Session

from service.batches.archive import MunicipalityNames, finished_items
from service.batches.creation import get
from service.errors import Conflict
from service.storage import Storage
from service.tenancy import Scope

NO_PDF_ERROR = "No item of this batch has a PDF: ask for the pdf format (or merged_pdf)."


@dataclass(frozen=True)
class MergePlan:
    """What goes into a batch's merged PDF: a bookmark title and a stored PDF per document."""

    filename: str
    parts: list[tuple[str, str]]


def plan_merge(session: Session, scope: Scope, batch_id: str) -> MergePlan:
    """The documents of a finished batch's merged PDF (BatchNotReady before; Conflict when
    no item has a PDF). Items without one (invalid, failed, withdrawn) are left out.

    Read from `session` now; the bytes are read by `write_merged`, after the session."""
    batch = get(session, scope, batch_id)
    names = MunicipalityNames(session, scope)
    parts = [
        (f"{item.row}. {names.of(item, record)} — {record.filename}", pdf.key)
        for item, record, _docx, pdf in finished_items(session, batch)
        if pdf is not None
    ]
    if not parts:
        raise Conflict(NO_PDF_ERROR)
    return MergePlan(f"batch-{batch.kind}-{batch.id[:8]}.pdf", parts)


def write_merged(storage: Storage, plan: MergePlan) -> IO[bytes]:
    """The merged PDF in a temporary file (at its start; gone once closed)."""
    writer = PdfWriter()
    contents = storage.read_many(key for _title, key in plan.parts)
    for (title, _key), content in zip(plan.parts, contents, strict=True):
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(content)), outline_item=title)
        writer.set_page_label(start, len(writer.pages) - 1, style="/D", start=1)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the response sends and closes it)
    writer.write(out)
    out.seek(0)
    return out
