"""Input of batches."""

from __future__ import annotations

from marshmallow import fields, validate

from service.kinds import KINDS
from service.schemas.common import BaseSchema, Flag, Text

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
