"""Fields and schemas shared by every document kind."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
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

from service.domain.clock import local
from service.domain.common import (
    Bilingual,
    Gender,
    Issuer,
    Language,
    NameForms,
    Person,
    PersonForms,
    PersonName,
    Phrase,
)
from service.language.names import parse_name

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


def _char_class(codes: Iterable[int]) -> str:
    """A regex character class body for `codes` (of the basic plane): ranges of \\uXXXX, which
    ECMA 262, Python and Rust read alike."""
    spans: list[list[int]] = []
    for code in sorted(codes):
        if spans and code == spans[-1][1] + 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])

    def char(code: int) -> str:
        return f"\\u{code:04x}"

    return "".join(char(a) if a == b else f"{char(a)}-{char(b)}" for a, b in spans)


def _text_pattern() -> tuple[str, str]:
    """What no text may hold, and what `Text` accepts as a JSON Schema pattern (OpenAPI's
    documentation of the rule):
    no XML-illegal character and no invisible format character (Unicode Cf) but those
    `clean_text` removes, and at least one character that is neither a space nor removed.
    Characters of the basic plane only: the few format characters beyond it (tags from
    U+E0001, Egyptian and musical format controls) are refused all the same, but listing them
    makes the pattern too big for validators to compile at the lengths of texts (and no JSON
    string that reaches a schema holds a surrogate)."""
    removed = {ord(c) for c, to in _PASTED.items() if to == ""}
    chars = [chr(code) for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF]
    illegal = {ord(c) for c in chars if _ILLEGAL_XML.match(c)}
    hidden = {ord(c) for c in chars if unicodedata.category(c) == "Cf"} - removed
    forbidden = illegal | hidden
    skipped = ({ord(c) for c in chars if c.isspace()} | removed) - forbidden
    return _char_class(forbidden), (
        f"^[{_char_class(skipped)}]*[^{_char_class(forbidden | skipped)}]"
        f"[^{_char_class(forbidden)}]*$"
    )


# TEXT_FORBIDDEN: the body of a character class of what no text may hold.
TEXT_FORBIDDEN, TEXT_PATTERN = _text_pattern()
# The body of a character class of the spaces `str.strip` removes (those of the basic plane).
SPACE_CLASS = _char_class(code for code in range(0x10000) if chr(code).isspace())


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
        # The length is of the text as sent (what OpenAPI's maxLength states), checked before
        # any cleaning; a field's own `validate` (a pattern) applies to the cleaned text.
        self.length = validate.Length(max=max_length)
        documented = {"minLength": 1, "maxLength": max_length}
        if "validate" not in kwargs:
            documented["pattern"] = TEXT_PATTERN
        kwargs["metadata"] = documented | kwargs.get("metadata", {})
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = self.length(super()._deserialize(value, attr, data, **kwargs))
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


class Flag(fields.Boolean):
    """true or false; also the words a table cell gives ("true", "no", "1"...), and 0 or 1.
    Documented as exactly these (the API maps the class to no single OpenAPI type)."""

    def __init__(self, **kwargs: Any):
        words = sorted(v for v in self.truthy | self.falsy if isinstance(v, str))
        documented = {
            "anyOf": [
                {"type": "boolean"},
                {"type": "string", "enum": words},
                {"type": "integer", "enum": [0, 1]},
            ]
        }
        kwargs["metadata"] = documented | kwargs.get("metadata", {})
        super().__init__(**kwargs)


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


class PersonFormsSchema(BaseSchema):
    """A person's name set by hand in the forms documents print; these always win."""

    list = Text(
        max_length=300,
        metadata={"description": "In lists and tables", "example": "Жумабек кызы М."},
    )
    signature = Text(
        max_length=300,
        metadata={"description": "Under a signature or an approval", "example": "М. Жумабек кызы"},
    )
    ru_genitive = Text(max_length=300, metadata={"example": "Асанова Б.К."})
    ru_dative = Text(max_length=300, metadata={"example": "Асанову Б.К."})
    ru_accusative = Text(
        max_length=300,
        metadata={"description": "«возложить на …» (the order's control clause)",
                  "example": "Асанова Б.К."},
    )  # fmt: skip
    ru_instrumental = Text(max_length=300, metadata={"example": "Асановым Б.К."})
    ky_genitive = Text(max_length=300, metadata={"example": "Б.К. Асановдун"})
    ky_dative = Text(
        max_length=300,
        metadata={"description": "«… жүктөлсүн» (the order's control clause)",
                  "example": "Б.К. Асановго"},
    )  # fmt: skip

    @post_load
    def make(self, data, **kwargs) -> PersonForms:
        return PersonForms(**data)


def person_values(data: dict) -> dict:
    """The loaded fields of a person (or of a subclass's schema) as `Person` arguments: the
    name parsed, the hand-set forms."""
    values = dict(data)
    keep = values.pop("keep_capitals", False)
    values["name"] = parse_name(values["name"], keep_capitals=keep)
    values["forms"] = values.get("forms") or PersonForms()
    return values


class NameFormsSchema(BaseSchema):
    """Hand-set forms of a declined phrase (a body's name, a position), for when the computed
    ones are wrong: a form given here always wins."""

    ru_in_text = Text(
        max_length=500,
        metadata={
            "description": "The nominative inside a sentence",
            "example": "мэрия города Кара-Суу",
        },
    )
    ru_genitive = Text(max_length=500, metadata={"example": "Уч-Коргонского айыл окмоту"})
    ru_dative = Text(max_length=500, metadata={"example": "Уч-Коргонскому айыл окмоту"})
    ru_accusative = Text(max_length=500, metadata={"example": "Жети-Огузский РОВД"})
    ru_instrumental = Text(max_length=500, metadata={"example": "Уч-Коргонским айыл окмоту"})
    ru_locative = Text(max_length=500, metadata={"example": "Уч-Коргонском айыл окмоту"})
    ky_genitive = Text(max_length=500, metadata={"example": "Үч-Коргон айыл өкмөтүнүн"})
    ky_dative = Text(max_length=500, metadata={"example": "Үч-Коргон айыл өкмөтүнө"})
    ky_locative = Text(max_length=500, metadata={"example": "Үч-Коргон айыл өкмөтүндө"})

    @post_load
    def make(self, data, **kwargs) -> NameForms:
        return NameForms(**data)


class PhraseSchema(BilingualSchema):
    """A text that documents decline, with its forms set by hand where the computed ones fail."""

    forms = fields.Nested(
        NameFormsSchema,
        load_default=None,
        metadata={"description": "Forms set by hand (they win); the rest are computed"},
    )

    @post_load
    def make(self, data, **kwargs) -> Phrase:
        return Phrase(**{**data, "forms": data.get("forms") or NameForms()})


def phrase(**kwargs: Any) -> fields.Nested:
    """A bilingual text that documents decline (hand-set forms under `forms`)."""
    return fields.Nested(PhraseSchema, **kwargs)


class PersonSchema(BaseSchema):
    name = Text(
        required=True,
        max_length=200,
        metadata={
            "description": "Nominative, in any shape offices write: «Фамилия И.О.», «И.О. "
            "Фамилия», «Фамилия Имя Отчество», «Фамилия Имя», «Асан уулу Бакыт», «Мээрим "
            "Жумабек кызы». A name in capitals prints in normal capitalisation (see "
            "`keep_capitals`); one that cannot be read prints as written, with a warning."
        },
    )
    gender = fields.Enum(Gender, by_value=True, required=True)
    position = phrase(
        required=True,
        metadata={
            "description": "Position in the nominative case; its declined forms may be set by "
            "hand under `forms` (they win)"
        },
    )
    keep_capitals = Flag(
        load_default=False,
        metadata={"description": "Print a surname written in capitals («АСАНОВ») as written"},
    )
    forms = fields.Nested(
        PersonFormsSchema,
        load_default=None,
        metadata={"description": "The name set by hand in the forms documents print; the "
                  "others are computed"},
    )  # fmt: skip

    @post_load
    def make(self, data, **kwargs) -> Person:
        return Person(**person_values(data))


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
    territory = bilingual(
        load_default=None,
        metadata={"description": "The territory the body governs, nominative: «Үч-Коргон "
                  "айыл аймагы» / «Уч-Коргонский айылный аймак»; titles name it. Default: "
                  "from the body's name (Kyrgyz), the body itself (Russian)"},
    )  # fmt: skip

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
            "next outgoing `number` when it is left out). Needs the HTTP API; an id the "
            "registry does not have is refused (422).",
            "minLength": 1,
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


class LocalDateTime(fields.DateTime):
    """An instant (stored in UTC) as ISO 8601 in Asia/Bishkek time: 2026-03-12T14:05:00+06:00."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(local(value), attr, obj, **kwargs)
