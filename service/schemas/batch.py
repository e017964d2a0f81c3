"""Input and output of batches."""

from __future__ import annotations

from marshmallow import fields, validate

from service.domain.status import Status
from service.i18n import translate_errors
from service.i18n.request import request_language
from service.schemas.common import BaseSchema, Text

MAX_ITEMS = 5000


class BatchInSchema(BaseSchema):
    kind = fields.String(required=True, metadata={"example": "working-group-order"})
    title = Text(load_default="", max_length=500, metadata={"description": "For people"})
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
    all_or_nothing = fields.Boolean(
        load_default=False, metadata={"description": "Refuse the whole batch if any item is bad"}
    )


class BatchItemOutSchema(BaseSchema):
    row = fields.Integer()
    municipality_id = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": [*Status, "invalid"]})
    number = fields.String(allow_none=True)
    document_id = fields.String(allow_none=True)
    errors = fields.Method(
        "localized_errors",
        metadata={
            "type": "object",
            "nullable": True,
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Why the item was refused or failed: messages by field path "
            "(`_body`: the item as a whole), in the language of Accept-Language",
        },
    )

    def localized_errors(self, item: dict) -> dict | None:
        errors = item["errors"]
        return translate_errors(errors, request_language()) if errors else None


class BatchOutSchema(BaseSchema):
    id = fields.String()
    kind = fields.String()
    title = fields.String()
    created_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)
    finished = fields.Boolean()
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(BatchItemOutSchema))
    links = fields.Method("make_links")

    def make_links(self, batch: dict) -> dict:
        from flask import url_for

        return {
            "self": url_for("batches.BatchResource", batch_id=batch["id"]),
            "archive": url_for("batches.batch_archive", batch_id=batch["id"]),
            "cancel": url_for("batches.batch_cancel", batch_id=batch["id"]),
        }
