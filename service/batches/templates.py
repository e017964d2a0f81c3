"""Upload templates a person can fill, and a batch written the same way.

The XLSX template of a kind has three sheets (service.batches.columns.Layout): the fields all
documents share (label in Kyrgyz | label in Russian | value | example | JSON path), the
documents (a row each, labelled columns, an example row marked «Пример» that is not read),
and the members of each document's group (a row each, linked to its document by «№
документа»). Drop-downs offer the words for gender, role, language and yes/no; dates are date
cells; headers are frozen and repeated on every printed page of A4 (landscape for the wide
sheets, fitted to the page's width).

The CSV template has the same labels in one row, the shared fields as columns too (a CSV has
one sheet) and numbered members' columns; in Kyrgyz or Russian it is `;`-separated, as Excel
on a PC of those locales opens it. In English the labels are the JSON paths.
"""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from service.batches import columns
from service.batches.columns import (
    CHOICE_TYPE,
    DATE,
    DECIMAL,
    FLAG,
    INTEGER,
    ITEM,
    MEMBERS,
    Layout,
)
from service.batches.tables import csv_bytes
from service.kinds import EXAMPLES_DIR

ROWS = 1000  # rows of the items and members sheets given drop-downs and date formats
DATE_FORMAT = "DD.MM.YYYY"
_HEADER_FILL = "DDE6F0"
_EXAMPLE_FONT = "7F7F7F"


def template_xlsx(kind: str, language: str = "en") -> bytes:
    """The XLSX upload template of `kind`, labelled in `language`, with its example rows."""
    known = columns.layout(kind)
    example = _example(known)
    first = example["items"][0] if example["items"] else {}
    return _workbook(
        kind,
        language,
        shared={},
        items=[first],
        keys=[columns.word("example", language)],
        example_shared=example["shared"],
    )


def batch_xlsx(kind: str, batch: dict, language: str = "en") -> bytes:
    """A batch (its JSON form: `shared` and `items`) as a workbook of the kind's template."""
    items = batch.get("items") or []
    return _workbook(
        kind,
        language,
        shared=batch.get("shared") or {},
        items=items,
        keys=[str(n) for n in range(1, len(items) + 1)],
        example_shared={},
    )


def template_csv(kind: str, language: str = "en") -> bytes:
    """The CSV upload template of `kind`: a header row of labels, then the example row."""
    known = columns.layout(kind)
    example = _example(known)
    # The shared fields, then those of the example's shared part (a plan's skeleton).
    shared = _unique([*known.shared, *_flat(example["shared"])])
    paths = [ITEM, *_unique([*shared, *known.items])]
    paths += [f"{MEMBERS}.{n}.{p}" for n in range(known.members_in_csv) for p in known.member]
    row: dict[str, Any] = {}
    if example["items"]:
        row = _flat(example["shared"]) | _flat(example["items"][0])
    row[ITEM] = columns.word("example", language)
    values = [_csv_value(kind, path, row.get(path), language) for path in paths]
    return csv_bytes(
        [columns.label(p, language) for p in paths],
        [values],
        delimiter="," if language == "en" else ";",
    )


def batch_csv(kind: str, batch: dict) -> bytes:
    """A batch as one CSV file of JSON-path columns, the shared fields in every row (the
    columns no item fills left out)."""
    known = columns.layout(kind)
    shared = _flat(batch.get("shared") or {})
    rows = [shared | _flat(item) for item in batch.get("items") or []]
    order = _unique([*known.shared, *known.items])
    order += [f"{MEMBERS}.{n}.{p}" for n in range(200) for p in known.member]
    used = {path for row in rows for path in row}
    paths = [p for p in order if p in used] + sorted(used - set(order))
    return csv_bytes(paths, [[_csv_value(kind, p, r.get(p), "en") for p in paths] for r in rows])


# ------------------------------------------------------------------------------------------


def _example(known: Layout) -> dict:
    if not known.example:
        return {"shared": {}, "items": []}
    batch = json.loads((EXAMPLES_DIR / known.example).read_text(encoding="utf-8"))
    return {"shared": batch.get("shared") or {}, "items": batch.get("items") or []}


def _unique(paths: list[str]) -> list[str]:
    return list(dict.fromkeys(paths))


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": [x]}} → {"a.b.0": x}."""
    if isinstance(value, dict):
        pairs = value.items()
    elif isinstance(value, list):
        pairs = ((str(i), v) for i, v in enumerate(value))
    else:
        return {prefix: value}
    found: dict[str, Any] = {}
    for key, inner in pairs:
        found |= _flat(inner, f"{prefix}.{key}" if prefix else key)
    return found


def _shown(kind: str, path: str, value: Any, language: str) -> Any:
    """A value as a person reads it in a cell: a date a date, a code its word."""
    if value is None or value == "":
        return None
    found = columns.column_type(kind, path)
    text = columns.cell_text(value, found)
    if found is None:
        return text
    if found.kind == DATE:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    if found.kind == FLAG and text in ("true", "false"):
        return _flag_words(language)[text != "true"]
    if found.kind == CHOICE_TYPE and text in found.choices:
        return columns.choice_word(text, language)
    if found.kind == INTEGER and isinstance(value, int):
        return value
    if found.kind == DECIMAL:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        # A number cell (Excel shows it as the locale writes it); whole ones as integers.
        return int(number) if number == number.to_integral_value() else float(number)
    return text


def _flag_words(language: str) -> list[str]:
    """Yes and no as a cell says them: «ооба», «да»; `true` in English, as JSON has it."""
    if language == "en":
        return ["true", "false"]
    return [columns.choice_word(word, language) for word in ("yes", "no")]


def _csv_value(kind: str, path: str, value: Any, language: str) -> str:
    shown = _shown(kind, path, value, language)
    if isinstance(shown, (int, float)) and not isinstance(shown, bool):
        return str(value)  # a figure as given («118000.00»)
    if isinstance(shown, date):
        return shown.isoformat() if language == "en" else shown.strftime("%d.%m.%Y")
    return "" if shown is None else str(shown)


def _choices(kind: str, path: str, language: str) -> list[str]:
    """The words a drop-down of `path` offers; none for a free text."""
    found = columns.column_type(kind, path)
    if found is None:
        return []
    if found.kind == FLAG:
        return _flag_words(language)
    if found.kind == CHOICE_TYPE:
        return [columns.choice_word(code, language) for code in found.choices]
    return []


def _workbook(
    kind: str,
    language: str,
    *,
    shared: dict,
    items: list[dict],
    keys: list[str],
    example_shared: dict,
) -> bytes:
    from openpyxl import Workbook

    known = columns.layout(kind)
    book = Workbook()
    _shared_sheet(book.active, kind, known, language, _flat(shared), _flat(example_shared))
    flats = [_flat({k: v for k, v in item.items() if k != MEMBERS}) for item in items]
    paths = [ITEM, *_unique([*known.items, *(p for f in flats for p in f)])]
    sheet = book.create_sheet(columns.word("documents", language)[:31])
    rows = [{ITEM: key} | flat for key, flat in zip(keys, flats, strict=True)]
    _table_sheet(sheet, kind, language, paths, rows, member=False)
    members = [
        {ITEM: key} | _flat(member)
        for key, item in zip(keys, items, strict=True)
        for member in item.get(MEMBERS) or []
    ]
    member_paths = [ITEM, *_unique([*known.member, *(p for m in members for p in m if p != ITEM)])]
    if known.member:
        sheet = book.create_sheet(columns.word("members", language)[:31])
        _table_sheet(sheet, kind, language, member_paths, members, member=True)
    book.active = 1  # the documents: where a person starts
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header_style(cell) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _put(sheet, row: int, column: int, value: Any, *, example: bool = False):
    from openpyxl.styles import Alignment, Font

    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if example:
        cell.font = Font(italic=True, color=_EXAMPLE_FONT)
    return cell


def _print_setup(sheet, *, landscape: bool) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def _validation(sheet, words: list[str], cells: str, language: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    check = DataValidation(
        type="list",
        formula1='"' + ",".join(words) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",  # a code (male, true) typed by hand still goes
        error=", ".join(words),
    )
    sheet.add_data_validation(check)
    check.add(cells)


def _shared_sheet(sheet, kind, known: Layout, language, values: dict, examples: dict) -> None:
    from openpyxl.comments import Comment

    sheet.title = columns.word("shared", language)[:31]
    head = [
        columns.word("field (ky)", language),
        columns.word("field (ru)", language),
        columns.word("value", language),
        columns.word("example", language),
        "JSON",
    ]
    for column, text in enumerate(head, start=1):
        _header_style(_put(sheet, 1, column, text))
    sheet.cell(row=1, column=3).comment = Comment(columns.word("shared fields", language), "")
    paths = _unique([*known.shared, *values, *examples])
    for row, path in enumerate(paths, start=2):
        _put(sheet, row, 1, columns.label(path, "ky"))
        _put(sheet, row, 2, columns.label(path, "ru"))
        value = _put(sheet, row, 3, _shown(kind, path, values.get(path), language))
        if columns.column_type(kind, path) and columns.column_type(kind, path).kind == DATE:
            value.number_format = DATE_FORMAT
        _put(sheet, row, 4, _shown(kind, path, examples.get(path), language), example=True)
        _put(sheet, row, 5, path, example=True)
        words = _choices(kind, path, language)
        if words:
            _validation(sheet, words, f"C{row}", language)
    for letter, width in zip("ABCDE", (42, 42, 48, 40, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    _print_setup(sheet, landscape=True)


def _table_sheet(sheet, kind, language, paths: list[str], rows: list[dict], *, member: bool):
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    def typed(path: str) -> str:
        return f"{MEMBERS}.0.{path}" if member and path != ITEM else path

    for column, path in enumerate(paths, start=1):
        label = columns.member_label if member and path != ITEM else columns.label
        cell = _put(sheet, 1, column, label(path, language))
        _header_style(cell)
        other = [label(path, lang) for lang in ("ky", "ru") if lang != language]
        note = "\n".join([*other, typed(path)])
        if path == ITEM:
            note += "\n" + columns.word("example row", language)
        cell.comment = Comment(note, "")
        letter = get_column_letter(column)
        sheet.column_dimensions[letter].width = 12 if path == ITEM else 26
        words = _choices(kind, typed(path), language)
        if words:
            _validation(sheet, words, f"{letter}2:{letter}{ROWS + 1}", language)
        found = columns.column_type(kind, typed(path))
        if found is not None and found.kind == DATE:
            for row in range(2, ROWS + 2):
                sheet.cell(row=row, column=column).number_format = DATE_FORMAT
    example = columns.word("example", language)
    for number, values in enumerate(rows, start=2):
        marked = values.get(ITEM) == example
        for column, path in enumerate(paths, start=1):
            shown = _shown(kind, typed(path), values.get(path), language)
            if shown is not None:
                _put(sheet, number, column, shown, example=marked)
    sheet.freeze_panes = "B2"
    _print_setup(sheet, landscape=len(paths) > 6)
