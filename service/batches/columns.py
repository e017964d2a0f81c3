"""The columns of a batch spreadsheet: what each is called, what it holds, how a cell is read.

A column is a dotted JSON path of the kind's input (`issuer.head.position.ky`, `members.0.name`).
People see it by its label, from the `errors` catalogs (context «batch column», one msgid per
column, the path itself: English needs no catalog, so an English label is the path); a header
may give either. Values are read as Excel on a Russian- or Kyrgyz-locale PC writes them
(`12.03.2026`, `ИСТИНА`, «мужской») and handed to the kind's schema in the form it reads
(`2026-03-12`, `true`, `male`); a value that cannot be read is handed on as it is, so that the
schema refuses it for that item alone, with the item's row.

Each kind that can be batched has a `Layout`: the fields the XLSX template puts on its shared
sheet, the per-item columns (`batch_columns` of service.kinds) and the fields of a member,
which have a sheet of their own, linked to their document by the column `item`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from marshmallow import Schema, fields, validate

from service.errors import InvalidInput
from service.generation import get_kind
from service.i18n import catalog_path, translate_errors, translations
from service.schemas.common import Flag

COLUMN = "batch column"  # the catalogs' context of column labels
CHOICE = "batch choice"  # …of the words a drop-down offers
SHEET = "batch sheet"  # …of sheet names and the few other words of a template
LANGUAGES = ("ky", "ru")
# The column that links a member to its document, and a document to its members.
ITEM = "item"
MEMBERS = "members"


@dataclass(frozen=True)
class Layout:
    """How a kind's template lays its fields out."""

    shared: tuple[str, ...]  # the shared sheet: a field a row (label | value)
    items: tuple[str, ...]  # the items sheet: a column each (members' columns excluded)
    member: tuple[str, ...]  # a member's fields, relative (`name`, `position.ky`)
    members_in_csv: int = 0  # numbered member column groups of the CSV template
    example: str = ""  # a batch in EXAMPLES_DIR: the template's example row
    # Fields the schema reads itself rather than declaring (`control` takes either a person
    # or {"kept_by_head": true}).
    flags: tuple[str, ...] = ()


_BILINGUAL = ("ky", "ru")


def _both(path: str) -> tuple[str, ...]:
    return tuple(f"{path}.{lang}" for lang in _BILINGUAL)


def _person(path: str) -> tuple[str, ...]:
    return (f"{path}.name", f"{path}.gender", *_both(f"{path}.position"))


ORDER_SHARED = (
    "language",
    *_both("issuer.region"),
    *_both("issuer.district"),
    *_both("act"),
    "date",
    *_both("place"),
    *_both("purpose"),
    "draft_plan.deadline",
    *_both("draft_plan.submit_to"),
    "control.kept_by_head",
    *_person("responsible_secretary"),
)


# A district's joint plans: the skeleton every municipality shares (the problems, their
# activities and indicators, as the example's shared part has them: a row each on the shared
# sheet), and per municipality its body, signatories and local figures (the items' columns).
PLAN_SHARED = (
    "language",
    *_both("issuer.country"),
    *_both("issuer.region"),
    *_both("issuer.district"),
    "period.year",
    "working_group_order.date",
    *_both("baseline_study.summary"),
    "monitoring.meetings",
    "monitoring.report_deadline",
    "monitoring.police_assessment",
)
# The annual reports of those plans: the year and the report's date shared, with the plans'
# activity numbers and indicator codes; per municipality what was done and achieved.
REPORT_SHARED = ("language", "plan_of.year", "report_date")


def layout(kind: str) -> Layout:
    """The template layout of `kind`; InvalidInput if it has no upload template."""
    found = get_kind(kind)
    columns = found.batch_columns
    if not columns:
        raise InvalidInput(errors={"kind": [f"No upload template for this kind yet: {kind}."]})
    member = tuple(dict.fromkeys(_member_part(c) for c in columns if _member_part(c)))
    items = tuple(c for c in columns if not c.startswith(f"{MEMBERS}."))
    if kind == "working-group-order":
        return Layout(
            shared=ORDER_SHARED,
            items=items,
            member=member,
            members_in_csv=12,
            example="sverdlovsky-batch.json",
            flags=("control.kept_by_head",),
        )
    if kind == "joint-plan":
        return Layout(
            shared=PLAN_SHARED, items=items, member=(), example="kadamjai-plan-batch.json"
        )
    if kind == "annual-report":
        return Layout(
            shared=REPORT_SHARED, items=items, member=(), example="kadamjai-report-batch.json"
        )
    return Layout(shared=(), items=items, member=member, members_in_csv=6 if member else 0)


def _member_part(path: str) -> str:
    match = re.fullmatch(rf"{MEMBERS}\.\d+\.(.+)", path)
    return match.group(1) if match else ""


# What a column holds, as far as reading a cell goes.
TEXT, FLAG, DATE, CHOICE_TYPE = "text", "flag", "date", "choice"
INTEGER, DECIMAL = "integer", "decimal"  # a year; an amount or a figure («14,5» from Excel)
DEADLINE = "deadline"  # a date, or a word (a plan's `2016-Q2`, `monthly`)


@dataclass(frozen=True)
class ColumnType:
    kind: str = TEXT
    choices: tuple[str, ...] = ()  # the codes the schema takes, for a choice


def _field_at(schema: Schema, path: list[str]) -> fields.Field | None:
    """The schema's field at a dotted path (list indices stepped over); None if none."""
    field: fields.Field | None = None
    keys = list(path)
    while keys:
        key = keys.pop(0)
        if field is not None:
            if isinstance(field, fields.List):
                if not key.isdigit():
                    return None
                field = field.inner
                if not keys:
                    return field
                key = keys.pop(0)
            if not isinstance(field, fields.Nested):
                return None
            schema = field.schema
        field = schema.fields.get(key)
        if field is None:
            return None
    return field


@cache
def _schema(kind: str) -> Schema:
    return get_kind(kind).schema()


def column_type(kind: str, path: str) -> ColumnType | None:
    """What the column `path` of `kind` holds; None if the kind has no such field."""
    if path in layout_or_none(kind).flags:
        return ColumnType(FLAG)
    field = _field_at(_schema(kind), path.split("."))
    if field is None:
        return None
    if isinstance(field, fields.Boolean):
        return ColumnType(FLAG)
    if isinstance(field, fields.Date):
        return ColumnType(DATE)
    if isinstance(field, fields.Enum):
        return ColumnType(CHOICE_TYPE, tuple(str(e.value) for e in field.enum))
    one_of = next((v for v in field.validators if isinstance(v, validate.OneOf)), None)
    if one_of is not None:
        return ColumnType(CHOICE_TYPE, tuple(str(c) for c in one_of.choices))
    if isinstance(field, fields.Integer):
        return ColumnType(INTEGER)
    if isinstance(field, fields.Decimal):
        return ColumnType(DECIMAL)
    if type(field).__name__ == "DeadlineField":
        return ColumnType(DEADLINE)
    if isinstance(field, (fields.Nested, fields.List, fields.Dict)):
        return None  # a whole object in one cell: not a column
    return ColumnType(TEXT)


def layout_or_none(kind: str) -> Layout:
    try:
        return layout(kind)
    except InvalidInput:
        return Layout(shared=(), items=(), member=())


# Labels ------------------------------------------------------------------------------------


def _pgettext(lang: str, context: str, message: str) -> str:
    if lang == "en":
        return message
    return translations(lang, "errors").pgettext(context, message)


def label(path: str, lang: str) -> str:
    """The column `path` as people call it in `lang` (the path itself in English).

    A path through lists is named by each list's numbered entry, then by its field:
    `problems.0.indicators.1.baseline` is «Проблема 1, индикатор 2: базовое значение», from
    the msgids `problems.{n}`, `problems.indicators.{n}` and `problems.indicators.baseline`.
    """
    if lang == "en":
        return path
    member = re.fullmatch(rf"{MEMBERS}\.(\d+)\.(.+)", path)
    if member:
        number = int(member.group(1)) + 1
        prefix = _pgettext(lang, COLUMN, f"{MEMBERS}.{{n}}").format(n=number)
        return f"{prefix}: {member_label(member.group(2), lang)}"
    parts = path.split(".")
    if not any(part.isdigit() for part in parts):
        return _pgettext(lang, COLUMN, path)
    stem: list[str] = []
    entries = []
    for part in parts:
        if part.isdigit():
            entry = _pgettext(lang, COLUMN, ".".join([*stem, "{n}"]))
            entries.append(entry.replace("{n}", str(int(part) + 1)))
        else:
            stem.append(part)
    return f"{', '.join(entries)}: {_pgettext(lang, COLUMN, '.'.join(stem))}"


def labelled_errors(errors: dict[str, list[str]], lang: str) -> dict[str, list[str]]:
    """An uploaded item's errors in `lang`, each naming its column as the sheet heads it
    («Дата: Неверная дата…»); paths that are no column (`_body`) keep their messages."""
    return {
        path: [
            f"{label(path, lang)}: {message}" if path != "_body" and lang != "en" else message
            for message in translate_errors({path: messages}, lang)[path]
        ]
        for path, messages in errors.items()
    }


def member_label(path: str, lang: str) -> str:
    """A member's field `path` (`name`, `position.ky`) on the members sheet."""
    if lang == "en":
        return path
    return _pgettext(lang, COLUMN, f"member.{path}")


def word(message: str, lang: str) -> str:
    """A word of the template itself (a sheet's name, «value», «example») in `lang`."""
    return _pgettext(lang, SHEET, message)


def choice_word(code: str, lang: str) -> str:
    """What a drop-down offers for the schema's code (`male` → «эркек», «мужской»)."""
    return _pgettext(lang, CHOICE, code)


def normal(text: object) -> str:
    """A header or a word as compared: case, «ё», spaces, a trailing «*» or «:» ignored."""
    value = re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip()
    return value.rstrip("*: ").casefold().replace("ё", "е")


@cache
def _labels(kind: str) -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    """Every label of `kind` → its path; and the numbered members' label patterns."""
    found: dict[str, str] = {}
    known = layout_or_none(kind)
    paths = [*known.shared, *known.items]
    for lang in LANGUAGES:
        for path in paths:
            found.setdefault(normal(label(path, lang)), path)
    members = []
    for lang in LANGUAGES:
        prefix = normal(_pgettext(lang, COLUMN, f"{MEMBERS}.{{n}}"))
        pattern = re.escape(prefix).replace(re.escape("{n}"), r"(\d+)")
        members.append((re.compile(rf"^{pattern}: ?(.+)$"), lang))
    return found, members


@cache
def _member_labels(kind: str) -> dict[str, str]:
    found = {normal(ITEM): ITEM}
    for lang in LANGUAGES:
        found.setdefault(normal(label(ITEM, lang)), ITEM)
        for path in layout_or_none(kind).member:
            found.setdefault(normal(member_label(path, lang)), path)
    return found


def path_of(kind: str, header: str) -> str | None:
    """The path a header names (a path, or a label in Kyrgyz or Russian); None if none."""
    text = str(header).strip()
    if text == ITEM or column_type(kind, text) is not None:
        return text
    labels, members = _labels(kind)
    key = normal(text)
    if key == normal(ITEM) or key in (normal(label(ITEM, lang)) for lang in LANGUAGES):
        return ITEM
    if key in labels:
        return labels[key]
    for pattern, _lang in members:
        match = pattern.match(key)
        if match and int(match.group(1)) >= 1:
            member = _member_labels(kind).get(match.group(2).strip())
            if member and member != ITEM:
                return f"{MEMBERS}.{int(match.group(1)) - 1}.{member}"
    found = _numbered_path(key)
    if found is not None and column_type(kind, found) is not None:
        return found
    return None


@cache
def _numbered_labels() -> tuple[list[tuple[re.Pattern[str], str]], dict[str, str]]:
    """The catalogs' numbered entries («Проблема {n}» → `problems`) as patterns, and every
    column label → its msgid (a field within a list: `problems.indicators.baseline`)."""
    from babel.messages.pofile import read_po

    entries, leaves = [], {}
    for lang in LANGUAGES:
        with catalog_path(lang, "errors").open("rb") as fp:
            catalog = read_po(fp, locale=lang)
        for message in catalog:
            msgid, text = message.id, message.string
            if message.context != COLUMN or not isinstance(msgid, str) or not text:
                continue
            if msgid.endswith(".{n}"):
                pattern = re.escape(normal(text)).replace(re.escape("{n}"), r"(\d+)")
                entries.append((re.compile(rf"^{pattern}$"), msgid[: -len(".{n}")]))
            else:
                leaves.setdefault(normal(text), msgid)
    return entries, leaves


def _numbered_path(key: str) -> str | None:
    """The path a numbered label names («проблема 1, индикатор 2: базовое значение» →
    `problems.0.indicators.1.baseline`), its words as `normal` gives them; None if none."""
    head, sep, leaf = key.partition(":")
    if not sep:
        return None
    entries, leaves = _numbered_labels()
    field = leaves.get(leaf.strip())
    if field is None:
        return None
    places: list[tuple[str, int]] = []
    for part in head.split(","):
        part = part.strip()
        match = next(((m, stem) for p, stem in entries if (m := p.match(part))), None)
        if match is None or int(match[0].group(1)) < 1:
            return None
        places.append((match[1], int(match[0].group(1)) - 1))
    path, done = "", ""
    for stem, index in places:
        if not stem.startswith(done) or stem == done.rstrip("."):
            return None
        path += stem[len(done) :] + f".{index}."
        done = stem + "."
    if not field.startswith(done):
        return None
    return (path + field[len(done) :]).lstrip(".")


def member_path_of(kind: str, header: str) -> str | None:
    """The member field (or `item`) a header of the members sheet names; None if none."""
    text = str(header).strip()
    if column_type(kind, f"{MEMBERS}.0.{text}") is not None:
        return text
    return _member_labels(kind).get(normal(text))


# Cells -------------------------------------------------------------------------------------

# Excel's own words for TRUE and FALSE (a boolean cell saved as CSV), in the languages of
# its interface here, and the yes/no words people type.
_EXCEL_TRUE = ("true", "истина", "1")
_EXCEL_FALSE = ("false", "ложь", "0")
_FLAG_WORDS = {"yes": "true", "no": "false"}


@cache
def _flag_words() -> dict[str, str]:
    found = {w: "true" for w in _EXCEL_TRUE} | {w: "false" for w in _EXCEL_FALSE}
    for code, value in _FLAG_WORDS.items():
        found[code] = value
        for lang in LANGUAGES:
            found[normal(choice_word(code, lang))] = value
    return found


@cache
def _choice_words(choices: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for code in choices:
        found[normal(code)] = code
        for lang in LANGUAGES:
            found.setdefault(normal(choice_word(code, lang)), code)
    return found


_STRICT_FLAGS = {v for v in Flag.truthy | Flag.falsy if isinstance(v, str)}
_DOTTED = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01, counting Excel's 29 February 1900


def read_date(text: str) -> str | None:
    """`12.03.2026`, `1.3.26`, `12/03/2026`, `2026-03-12` → `2026-03-12`; None if not a date.

    A two-digit year is read as Excel reads it: 00–29 are 2000–2029, 30–99 are 1930–1999.
    """
    dotted = _DOTTED.fullmatch(text)
    if dotted:
        day, month, year = (int(g) for g in dotted.groups())
        if len(dotted.group(3)) == 2:
            year += 2000 if year < 30 else 1900
    else:
        iso = _ISO.fullmatch(text)
        if not iso:
            return None
        year, month, day = (int(g) for g in iso.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def cell_text(value: Any, kind: ColumnType | None) -> str:
    """A cell's value as the schema reads it ("" for an empty cell)."""
    if value is None:
        return ""
    kind = kind or ColumnType()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if (
            kind.kind in (DATE, DEADLINE) and 0 < value < 2_958_466
        ):  # a serial number: a date cell as such
            return (_EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
    else:
        text = str(value).strip()
    if not text:
        return ""
    if kind.kind == FLAG and text not in _STRICT_FLAGS:
        return _flag_words().get(normal(text), text)
    if kind.kind in (DATE, DEADLINE):
        return read_date(text) or text
    if kind.kind == CHOICE_TYPE:
        return _choice_words(kind.choices).get(normal(text), text)
    if kind.kind in (INTEGER, DECIMAL):
        return _number_text(text)
    return text


_GROUPED = re.compile(r"-?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|-?\d+(?:[.,]\d+)?")


def _number_text(text: str) -> str:
    """`12 500,50` (Excel on a Russian-locale PC) → `12500.50`; other text as it is."""
    if not _GROUPED.fullmatch(text):
        return text
    return re.sub(r"[ \u00a0\u202f]", "", text).replace(",", ".")


def cell_value(value: Any, kind: ColumnType | None) -> Any:
    """A cell's value as the schema takes it: `cell_text`, a whole number as an int for an
    integer field (a year), which takes no string."""
    text = cell_text(value, kind)
    if kind is not None and kind.kind == INTEGER and re.fullmatch(r"-?\d{1,9}", text):
        return int(text)
    return text
