"""What a request asks to get besides the document's input: the formats of its outputs and
the PDF's profile. Read off the request body before the kind's schema sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from service.errors import InvalidInput

DOCX, PDF = "docx", "pdf"
FORMATS = (DOCX, PDF)
PDF_A_2B = "pdf/a-2b"
PDF_PROFILES = (PDF_A_2B,)
# The request fields that are not the document's input.
OUTPUT_FIELDS = ("format", "formats", "pdf_profile")
BOTH_ERROR = "Give either format or formats, not both."
PROFILE_WITHOUT_PDF_ERROR = "A PDF profile needs the pdf format."


@dataclass(frozen=True)
class Outputs:
    """The outputs asked for: every job makes its .docx; `converted` lists the others."""

    converted: tuple[str, ...] = ()
    pdf_profile: str | None = None


class OutputsSchema(Schema):
    class Meta:
        unknown = RAISE

    format = fields.String(
        validate=validate.OneOf(FORMATS),
        metadata={"description": "The output wanted: docx (the default) or pdf (the .docx "
                  "is made too, and kept); give either format or formats, not both"},
    )  # fmt: skip
    formats = fields.List(
        fields.String(validate=validate.OneOf(FORMATS)),
        validate=validate.Length(min=1, max=len(FORMATS)),
        metadata={"description": 'The outputs wanted, e.g. ["docx", "pdf"]'},
    )
    pdf_profile = fields.String(
        allow_none=True,
        validate=validate.OneOf(PDF_PROFILES),
        metadata={"description": "pdf/a-2b: a PDF/A-2b for archiving (pdf format only)"},
    )

    @validates_schema
    def _consistent(self, data: dict, **_kwargs) -> None:
        if "format" in data and "formats" in data:
            raise ValidationError(BOTH_ERROR, "formats")
        wanted = data.get("formats") or [data.get("format", DOCX)]
        if data.get("pdf_profile") and PDF not in wanted:
            raise ValidationError(PROFILE_WITHOUT_PDF_ERROR, "pdf_profile")


def split_outputs(payload: Any) -> tuple[Outputs, Any]:
    """The outputs a request body asks for, and the body without those fields; InvalidInput
    naming the field when they are wrong."""
    if not isinstance(payload, dict) or not any(key in payload for key in OUTPUT_FIELDS):
        return Outputs(), payload
    asked = {key: payload[key] for key in OUTPUT_FIELDS if key in payload}
    rest = {key: value for key, value in payload.items() if key not in OUTPUT_FIELDS}
    try:
        data = OutputsSchema().load(asked)
    except ValidationError as err:
        raise InvalidInput(errors=err.messages) from None
    wanted = data.get("formats") or [data.get("format", DOCX)]
    converted = tuple(f for f in FORMATS if f in wanted and f != DOCX)
    return Outputs(converted, data.get("pdf_profile") if converted else None), rest
