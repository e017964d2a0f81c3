"""The municipality registry's input and output."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates

from service.domain.common import Bilingual
from service.domain.numbering import pattern_error
from service.schemas.common import (
    TEXT_FORBIDDEN,
    BaseSchema,
    NameFormsSchema,
    PersonSchema,
    Text,
    bilingual,
)

NAME_ERROR = "Give the name in Kyrgyz, in Russian or in both."
# What `pattern_error` takes, as a JSON Schema pattern: literal text ({{ and }} for braces) and
# the fields {seq} and {year}, bare or zero-padded, {seq} at least once. (The length of the
# numbers it gives is checked apart.)
_LITERAL = r"(?:[^{}" + TEXT_FORBIDDEN + r"]|\{\{|\}\})"
_FIELD = r"\{(?:seq|year)(?::(?:0[1-9])?d?)?\}"
_SEQ = r"\{seq(?::(?:0[1-9])?d?)?\}"
NUMBERING_PATTERN = f"^(?:{_LITERAL}|{_FIELD})*{_SEQ}(?:{_LITERAL}|{_FIELD})*$"


class MunicipalitySchema(BaseSchema):
    """A municipality or territorial unit: letterhead, head, act words and numbering."""

    id = fields.String(dump_only=True)
    name = bilingual(
        required=True,
        metadata={"description": "Issuing body, nominative: «Үч-Коргон айыл өкмөтү» / "
                  "«Уч-Коргонский айыл окмоту»; in Kyrgyz, in Russian or in both",
                  "minProperties": 1},
    )  # fmt: skip
    country = bilingual(load_default=None, metadata={"description": "Default: Kyrgyz Republic"})
    region = bilingual(load_default=None)
    district = bilingual(load_default=None)
    head = fields.Nested(PersonSchema, required=True)
    act = bilingual(load_default=None, metadata={"description": "Act word of the head's orders"})
    order_line = bilingual(
        load_default=None,
        metadata={"description": "Line after the preamble of the head's orders; default by the "
                  "act word («БУЙРУК КЫЛАМ:» for a буйрук, none for a тескеме)"},
    )  # fmt: skip
    territory = bilingual(
        load_default=None,
        metadata={"description": "The territory the body governs, nominative («Үч-Коргон айыл "
                  "аймагы»), which titles name; default: derived from the Kyrgyz name"},
    )  # fmt: skip
    numbering_pattern = Text(
        load_default="{seq}",
        max_length=100,
        metadata={
            "description": "Outgoing number; {seq} is the sequence (reset each year), "
            "{year} the year; {seq:03d} pads the sequence with zeros (001); {{ and }} are "
            "braces. The numbers it gives (up to sequence 99999) must fit in 50 characters.",
            "example": "03-12/{seq}-Б",
            "pattern": NUMBERING_PATTERN,
        },
    )
    forms = fields.Nested(
        NameFormsSchema,
        load_default=None,
        metadata={"description": "Forms of the name set by hand; the rest are computed"},
    )

    @validates("name")
    def check_name(self, value, **kwargs) -> None:
        # A name whose texts are themselves invalid arrives unbuilt: their errors say enough.
        if isinstance(value, Bilingual) and not (value.ky or value.ru):
            raise ValidationError(NAME_ERROR)

    @validates("numbering_pattern")
    def check_pattern(self, value: str, **kwargs) -> None:
        error = pattern_error(value)
        if error is not None:
            raise ValidationError(error)


class RegisterQuerySchema(BaseSchema):
    year = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1991, max=2200),
        metadata={"description": "Default: this year"},
    )
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))
