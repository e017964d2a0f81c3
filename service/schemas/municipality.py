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
    language = fields.String(
        load_default=None,
        validate=validate.OneOf(["en", "ru", "ky"]),
        metadata={"description": "Language of a CSV or XLSX file's headers, kinds and statuses "
                  "(English: the codes); default: Accept-Language"},
    )  # fmt: skip


class CounterSchema(BaseSchema):
    """Where a municipality's numbering of a year starts: for one joining mid-year, the next
    number of its paper journal."""

    year = fields.Integer(required=True, validate=validate.Range(min=1991, max=2200))
    next = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=99999),
        metadata={"description": "The sequence the next act takes ({seq} of the pattern); "
                  "never one issued already", "example": 147},
    )  # fmt: skip


class CounterQuerySchema(BaseSchema):
    year = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1991, max=2200),
        metadata={"description": "Default: this year"},
    )


class OutsideLineSchema(BaseSchema):
    """A number taken outside the service (a letter typed by hand, a number the electronic
    document system gave), recorded in the register: it takes the next sequence of its year."""

    date = fields.Date(required=True)
    kind = fields.String(
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "What the act is: a kind of this service "
                  "(`working-group-order`) or the office's own word («письмо»)",
                  "example": "письмо"},
    )  # fmt: skip
    subject = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    number = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "As written in the journal; default: the municipality's "
                  "pattern with the sequence taken", "example": "03-12/147-Б"},
    )  # fmt: skip
    seq = fields.Integer(
        load_default=None,
        metadata={"description": "If given, must be the next sequence of the year (a check "
                  "that the paper journal and the register agree)"},
    )  # fmt: skip
    signed_by = fields.String(load_default=None, validate=validate.Length(max=200))
    executed_by = fields.String(load_default=None, validate=validate.Length(max=200))
