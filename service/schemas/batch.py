"""Input of batches."""

from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, validate

from service.kinds import KINDS
from service.schemas.common import BaseSchema, Flag, Text
from service.schemas.outputs import FORMATS, PDF, PDF_PROFILES, PROFILE_WITHOUT_PDF_ERROR

MAX_ITEMS = 5000


class BatchInSchema(BaseSchema):
    kind = fields.String(
        required=True, metadata={"example": "working-group-order", "enum": sorted(KINDS)}
    )
    # A callable default: "" is not a valid title to send, so it is not documented as one.
    title = Text(load_default=str, max_length=500, metadata={"description": "For people"})
    shared = fields.Dict(
        load_default=dict,
        metadata={"description": "Fields common to every item (a partial document input)"},
    )
    items = fields.List(
        fields.Dict(),
        required=True,
        validate=validate.Length(min=1, max=MAX_ITEMS),
        metadata={
            "description": "Per-item fields, merged over `shared`: a `municipality_id` or an "
            "inline `issuer`, and whatever differs (number, people...)"
        },
    )
    all_or_nothing = Flag(
        load_default=False, metadata={"description": "Refuse the whole batch if any item is bad"}
    )
    formats = fields.List(
        fields.String(validate=validate.OneOf(FORMATS)),
        load_default=list,
        validate=validate.Length(max=len(FORMATS)),
        metadata={"description": 'The outputs of every item, e.g. ["docx", "pdf"]'},
    )
    pdf_profile = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(PDF_PROFILES),
        metadata={"description": "pdf/a-2b: every item's PDF as a PDF/A-2b"},
    )
    callback_url = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={
            "description": "POSTed to (signed, see the README's Integrations) once every item "
            "has ended; an address on a public network"
        },
    )
    merged_pdf = Flag(
        load_default=False,
        metadata={
            "description": "Also one PDF of every item, in item order, each keeping its own "
            "page numbers (implies the pdf format): GET …/merged.pdf"
        },
    )

    @post_load
    def _outputs(self, data: dict, **_kwargs) -> dict:
        """The outputs go to every item, as a document request's own fields do."""
        formats = list(dict.fromkeys(data.pop("formats") + ([PDF] if data["merged_pdf"] else [])))
        if data["pdf_profile"] and PDF not in formats:
            raise ValidationError(PROFILE_WITHOUT_PDF_ERROR, "pdf_profile")
        outputs = {"formats": formats} if formats else {}
        if data["pdf_profile"]:
            outputs["pdf_profile"] = data["pdf_profile"]
        data["shared"] = {**data["shared"], **outputs}
        data.pop("pdf_profile")
        data.pop("merged_pdf")
        return data
