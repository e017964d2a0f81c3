"""CSV and XLSX, in and out: batch uploads read, registers, manifests and templates written.

Written for office PCs: CSV starts with a byte-order mark, so that Excel shows Cyrillic right.
Text from users never becomes a formula: a CSV cell that starts with «=», «+», «-», «@» or a
control character is written with a leading apostrophe (as OWASP advises), and an XLSX cell
is always a string.

Read from them: a header of dotted JSON paths (members.0.name), a row per batch item; the
columns of a kind's upload template are its `batch_columns` (service.kinds).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from service.errors import InvalidInput
from service.generation import get_kind

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file for Excel: UTF-8 with a byte-order mark, no cell a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_inert(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str,
    widths: Sequence[float] = (),
) -> bytes:
    """An XLSX workbook of one sheet named `title`; every text cell a string."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit
    for row in (header, *rows):
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever it starts with
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(kind: str) -> bytes:
    """The upload template of `kind`: a header row of the per-item columns."""
    return csv_bytes(_columns(kind), [])


def template_xlsx(kind: str) -> bytes:
    """The upload template of `kind` as a workbook."""
    return xlsx_bytes(_columns(kind), [], title=kind)


def _columns(kind: str) -> list[str]:
    columns = list(get_kind(kind).batch_columns)
    if not columns:
        raise InvalidInput(errors={"kind": [f"No upload template for this kind yet: {kind}."]})
    return columns


def items_from_table(content: bytes, filename: str) -> tuple[list[dict], list[int]]:
    """Read a CSV or XLSX upload: a header of dotted paths (members.0.name), a row per item.

    Returns the items and, for each, its row in the spreadsheet (the header is row 1; empty
    rows are skipped but counted), so that errors point where the user looks.
    """
    name = filename.lower()
    if name.endswith(".xls"):
        raise InvalidInput(errors={"file": [OLD_EXCEL_ERROR]})
    rows = _xlsx_rows(content) if name.endswith(".xlsx") else _csv_rows(content)
    if not rows:
        raise InvalidInput(errors={"file": ["The file is empty."]})
    header = [str(h).strip() for h in rows[0]]
    _check_header(header)
    items, numbers = [], []
    for number, values in enumerate(rows[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        item: dict = {}
        for path, value in zip(header, values, strict=False):
            value = str(value).strip()
            if path and value:
                _put(item, path.split("."), value)
        items.append(_lists(item))
        numbers.append(number)
    return items, numbers


OLD_EXCEL_ERROR = "Excel 97–2003 files (.xls) cannot be read; save the sheet as .xlsx or CSV."


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(errors={"file": ["The CSV file must be UTF-8."]}) from None
    # Excel saves CSV with «;» where the decimal separator is a comma (ru, ky): the header
    # line, made of column names, tells which.
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:
        raise InvalidInput(errors={"file": ["Not a readable CSV file."]}) from None


def _check_header(header: list[str]) -> None:
    """Each column a path of its own: no column twice, none inside another (a, a.b)."""
    paths = [h for h in header if h]
    for path in paths:
        if paths.count(path) > 1:
            raise InvalidInput(errors={"file": [f"The column {path} appears twice."]})
        for other in paths:
            if other.startswith(path + "."):
                raise InvalidInput(
                    errors={"file": [f"The columns {path} and {other} cannot go together."]}
                )


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception:
        raise InvalidInput(errors={"file": ["Not a readable XLSX file."]}) from None
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _cell(v) for v in row])
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _put(node: dict, path: list[str], value: str) -> None:
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _lists(node: Any) -> Any:
    """Turn {"0": …, "1": …} (from members.0.name) into lists."""
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node
