"""Fields and schemas shared by every document kind."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from service.domain.common import (
    Bilingual,
    Gender,
    Issuer,
    Language,
    NameForms,
    Person,
    PersonName,
)

# Characters XML 1.0 cannot carry: Word refuses a file that contains them.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Legacy look-alikes seen in official sources for the Kyrgyz letters ө and ң.
_LEGACY_KYRGYZ = {"Ѳ": "Ө", "ѳ": "ө", "Њ": "Ң", "њ": "ң"}
# What a paste from Word brings: no-break and narrow spaces become spaces, a no-break hyphen a
# hyphen, and invisible marks (soft hyphen, zero-width space, joiners, word joiner, byte-order
# mark) go. The service puts its own no-break spaces and hyphens where print needs them.
_PASTED = {
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2011": "-",
    "\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
}  # fmt: skip
_NORMALISED = str.maketrans(_LEGACY_KYRGYZ | _PASTED)

LANGUAGE_NAMES = {"ky": "Kyrgyz", "ru": "Russian"}


def clean_text(text: str) -> str:
    """NFC, legacy Kyrgyz look-alikes replaced (Ѳ → Ө, њ → ң), what a paste from Word brings
    normalised (no-break spaces, soft hyphens, zero-width spaces), no spaces around."""
    return unicodedata.normalize("NFC", text).translate(_NORMALISED).strip()


def hidden_character(text: str) -> str | None:
    """The first character that changes what is displayed without being seen (bidi controls
    such as U+202E, which would print «№ 146» reversed, and other format characters), or
    None. Checked after `clean_text`, which removes the harmless ones."""
    for char in text:
        if unicodedata.category(char) == "Cf":
            return char
    return None


def clean_texts(value: Any) -> Any:
    """`clean_text` on every string of a JSON value, for input stored as given."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: clean_texts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_texts(v) for v in value]
    return value


class Text(fields.String):
    """A user-supplied text: NFC-normalised, trimmed, legacy letters fixed, XML-safe."""

    default_error_messages = {
        "illegal_char": "Contains a character that is not allowed in documents: {char}.",
        "hidden_char": "Contains an invisible control character that changes how the text is "
        "displayed: {char}.",
        "blank": "May not be blank.",
    }

    def __init__(self, *, max_length: int = 2000, **kwargs: Any):
        kwargs.setdefault("validate", validate.Length(max=max_length))
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        bad = _ILLEGAL_XML.search(text)
        if bad:
            raise self.make_error("illegal_char", char=f"U+{ord(bad.group()):04X}")
        text = clean_text(text)
        hidden = hidden_character(text)
        if hidden is not None:
            raise self.make_error("hidden_char", char=f"U+{ord(hidden):04X}")
        if not text:
            raise self.make_error("blank")
        return text


class BaseSchema(Schema):
    class Meta:
        unknown = RAISE


class BilingualSchema(BaseSchema):
    ky = Text(metadata={"description": "Kyrgyz text (required when the language includes ky)"})
    ru = Text(metadata={"description": "Russian text (required when the language includes ru)"})

    @post_load
    def make(self, data, **kwargs) -> Bilingual:
        return Bilingual(**data)


def bilingual(**kwargs: Any) -> fields.Nested:
    return fields.Nested(BilingualSchema, **kwargs)


class PersonSchema(BaseSchema):
    name = Text(
        required=True,
        max_length=200,
        metadata={"description": "«Фамилия И.О.» or «Фамилия Имя Отчество» (nominative)"},
    )
    gender = fields.Enum(Gender, by_value=True, required=True)
    position = bilingual(required=True, metadata={"description": "Position in the nominative case"})

    @post_load
    def make(self, data, **kwargs) -> Person:
        return Person(
            name=PersonName.parse(data["name"]), gender=data["gender"], position=data["position"]
        )


class NameFormsSchema(BaseSchema):
    """Hand-set forms of the body's name, for when the computed ones are wrong."""

    ru_genitive = Text(max_length=500, metadata={"example": "Уч-Коргонского айыл окмоту"})
    ru_locative = Text(max_length=500, metadata={"example": "Уч-Коргонском айыл окмоту"})
    ky_genitive = Text(max_length=500, metadata={"example": "Үч-Коргон айыл өкмөтүнүн"})
    ky_dative = Text(max_length=500, metadata={"example": "Үч-Коргон айыл өкмөтүнө"})
    ky_locative = Text(max_length=500, metadata={"example": "Үч-Коргон айыл өкмөтүндө"})

    @post_load
    def make(self, data, **kwargs) -> NameForms:
        return NameForms(**data)


class IssuerSchema(BaseSchema):
    country = bilingual(load_default=None, metadata={"description": "Default: Kyrgyz Republic"})
    region = bilingual(load_default=None)
    district = bilingual(load_default=None)
    body = bilingual(required=True, metadata={"description": "Name of the issuing body"})
    head = fields.Nested(PersonSchema, required=True)
    forms = fields.Nested(
        NameFormsSchema,
        load_default=None,
        metadata={"description": "Forms of the body's name; computed where not given"},
    )

    @post_load
    def make(self, data, **kwargs) -> Issuer:
        if data["forms"] is None:
            data["forms"] = NameForms()
        if data["country"] is None:
            from service.i18n import Phrases

            data["country"] = Bilingual(
                ky=Phrases("ky").gettext("Kyrgyz Republic"),
                ru=Phrases("ru").gettext("Kyrgyz Republic"),
            )
        return Issuer(**data)


def missing_languages(value: Any, languages: tuple[str, ...], path: tuple = ()) -> dict:
    """Find every bilingual text lacking a language the document needs, as nested errors."""
    errors: dict = {}

    def put(p: tuple, message: str) -> None:
        node = errors
        for key in p[:-1]:
            node = node.setdefault(key, {})
        node.setdefault(p[-1], []).append(message)

    def walk(v: Any, p: tuple) -> None:
        if isinstance(v, Bilingual):
            for lang in languages:
                if not v.has(lang):
                    put((*p, lang), f"Missing {LANGUAGE_NAMES[lang]} text.")
        elif isinstance(v, PersonName | str | int | float | bool) or v is None:
            return
        elif dataclasses.is_dataclass(v):
            for f in dataclasses.fields(v):
                walk(getattr(v, f.name), (*p, f.name))
        elif isinstance(v, dict):
            for k, item in v.items():
                walk(item, (*p, k))
        elif isinstance(v, list | tuple):
            for i, item in enumerate(v):
                walk(item, (*p, i))

    walk(value, path)
    return errors


def issuer_field() -> fields.Nested:
    """The letterhead of a document that a registry entry can give instead."""
    return fields.Nested(
        IssuerSchema,
        required=True,
        metadata={"description": "Letterhead; optional with `municipality_id`, which fills it "
                  "(the parts given here win)"},
    )  # fmt: skip


class DocumentSchema(BaseSchema):
    """Base of every document input: the language, and a check that each text has it."""

    language = fields.Enum(
        Language,
        by_value=True,
        load_default=Language.KY_RU,
        metadata={"description": "ky, ru or ky+ru (Kyrgyz first, then Russian)"},
    )
    # Resolved into `issuer` before validation (service.submission), never loaded.
    municipality_id = fields.String(
        load_only=True,
        metadata={
            "description": "A registry entry: fills `issuer` (and, for numbered kinds, the "
            "next outgoing `number` when it is left out). Needs the HTTP API."
        },
    )

    @validates_schema(skip_on_field_errors=False)
    def require_languages(self, data, **kwargs):
        if "language" not in data:
            return
        errors = missing_languages(
            {k: v for k, v in data.items() if k != "language"}, data["language"].parts
        )
        if errors:
            raise ValidationError(errors)
