"""Input of batches."""

from __future__ import annotations

from marshmallow import fields, validate

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
