"""The preview of a document form: its first pages as PNG images, made without a record.

The input is resolved as the submission resolves it (the registry's letterhead, a stored
plan), but read only: no outgoing number is taken (a numbered act without one is previewed
with its number blank) and no job is recorded. The .docx comes from the pure
`generate_document`, the PDF from the service's converter, the images from PDFium.
"""

from __future__ import annotations

import base64
import io
import shutil
from dataclasses import dataclass, field

import pypdfium2
from flask import current_app

from service import extensions, registry, submission
from service.conversion import ConversionError
from service.domain.notices import Notice
from service.errors import Conflict, Gone, InvalidInput, NotFound
from service.generation import generate_document, get_kind, input_fields
from service.tenancy import Scope
from service.web.language import N_

PAGES = 2
DPI = 100


@dataclass
class Preview:
    """What a preview shows: the pages as data: URLs, the warnings, or why there are none."""

    images: list[str] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    problem: str | None = None  # a message id of the web catalogs


def resolved_input(scope: Scope, kind: str, payload: dict) -> dict:
    """The input as the submission would make it, without taking a number."""
    spec = get_kind(kind)
    with extensions.db().session() as session:
        resolved, _municipality = registry.resolve(
            session, scope, payload, with_act=spec.act_word and "act" in input_fields(kind)
        )
        for reference in spec.references:
            given = resolved.get(reference.id_field) if isinstance(resolved, dict) else None
            if not given:
                continue
            try:
                found = submission.stored_input(session, scope, str(given), reference.kind)
            except (NotFound, Conflict, Gone):
                raise InvalidInput(errors={reference.id_field: ["Unknown joint plan."]}) from None
            resolved = {k: v for k, v in resolved.items() if k != reference.id_field}
            resolved[reference.field] = found
    if spec.numbered and not resolved.get("number"):
        resolved = {**resolved, "assign_number_later": True}
    return resolved


def preview(scope: Scope, kind: str, payload: dict) -> Preview:
    """The first pages of the document `payload` makes; InvalidInput as the API gives it."""
    document = generate_document(kind, resolved_input(scope, kind, payload))
    shown = Preview(warnings=list(document.warnings))
    soffice = current_app.config.get("CONVERTER_SOFFICE") or "soffice"
    if shutil.which(soffice) is None:
        shown.problem = N_("LibreOffice is not installed here: the preview cannot be made.")
        return shown
    try:
        pdf = extensions.converting().converter.convert(document.content)
    except ConversionError:
        shown.problem = N_("The preview could not be made. Try again in a minute.")
        return shown
    shown.images = png_pages(pdf)
    return shown


def png_pages(pdf: bytes, pages: int = PAGES, dpi: int = DPI) -> list[str]:
    """The first `pages` pages of `pdf` as data: URLs of PNG images."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        found = []
        for index in range(min(pages, len(document))):
            page = document[index]
            image = page.render(scale=dpi / 72).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", optimize=True)
            found.append("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode())
            page.close()
        return found
    finally:
        document.close()
