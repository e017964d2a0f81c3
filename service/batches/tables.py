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
import itertools
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any
from xml.parsers import expat

from service.errors import InvalidInput
from service.generation import get_kind
from service.schemas.batch import MAX_ITEMS

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
    # Cell by cell: looking a row up after append() walks every cell so far (5,000 rows of
    # 59 columns took 55 s).
    for number, row in enumerate((header, *rows), start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, str):
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


# Bounds of an upload, set from a real one measured on 2026-12-01 (docs/benchmarks.md,
# "Hostile uploads"): 5,000 working-group orders, the 59 columns of the kind's template with
# Cyrillic values, written by openpyxl (inline strings, empty cells written: the fattest way
# a program writes it). CSV 8.8 MB; XLSX 1.6 MB packed, 39.8 MB unpacked, the sheet 25:1,
# 690,516 XML elements, 295,059 cells, the longest cell 70 characters. Each bound leaves a
# margin of three times or more, so that nothing a person or a program makes is refused, and
# caps what a hostile file can cost at a few times what the largest real one does.
MAX_COLUMNS = 256  # 4× the template's 59; Excel 97–2003 had no more
MAX_ROWS = 50_000  # rows walked, empty ones included: 10× the items
MAX_CSV_LINE = 1024 * 1024  # characters; the longest real line is 1,107
MAX_XLSX_BYTES = 16 * 1024 * 1024  # 10× packed, room for pictures pasted into the sheet
MAX_XLSX_PARTS = 1000  # a workbook has about 10 parts, a few more per picture
MAX_XLSX_UNPACKED = 128 * 1024 * 1024  # 3.2×
# Apache POI refuses a part compressed more than 100:1 (its minimum inflate ratio 0.01);
# sheet XML is 25:1. A part of under 1 MiB is harmless whatever its ratio.
MAX_XLSX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
MAX_XML_ELEMENTS = 2_500_000  # 3.6×
MAX_CELLS = 1_000_000  # 3.4×
MAX_ROW_CELLS = 16_384  # Excel's columns (A…XFD): openpyxl holds a row whole while parsing
MAX_TEXT = 32_767  # the characters Excel lets a cell hold

TOO_MANY_ITEMS_ERROR = "The file has more than {max} items; split it into several batches."
TOO_MANY_ROWS_ERROR = "The sheet has more than {max} rows, empty ones included."
TOO_MANY_COLUMNS_ERROR = "The sheet has values beyond column {max}."
CSV_LINE_ERROR = "A line of the CSV file is longer than {max} characters."
XLSX_SIZE_ERROR = "The XLSX file is larger than {max} MB."
XLSX_PARTS_ERROR = "The XLSX file has more than {max} parts."
XLSX_UNPACKED_ERROR = "The XLSX file unpacks to more than {max} MB."
XLSX_RATIO_ERROR = "The XLSX file is compressed more than {max} to 1; no spreadsheet is."
XLSX_METHOD_ERROR = (
    "The XLSX file uses a compression other than Deflate; save it again in Excel or LibreOffice."
)
XLSX_ELEMENTS_ERROR = "The XLSX file holds more than {max} XML elements."
XLSX_CELLS_ERROR = "The sheet has more than {max} cells."
XLSX_ROW_CELLS_ERROR = "A row of the sheet has more than {max} cells."
XLSX_TEXT_ERROR = "The XLSX file holds a text of more than {max} characters."
XLSX_UNREADABLE_ERROR = "Not a readable XLSX file."
CSV_ENCODING_ERROR = "The CSV file must be UTF-8."
CSV_UNREADABLE_ERROR = "Not a readable CSV file."
EMPTY_ERROR = "The file is empty."
OLD_EXCEL_ERROR = "Excel 97–2003 files (.xls) cannot be read; save the sheet as .xlsx or CSV."


def _refuse(message: str, **values: object) -> InvalidInput:
    return InvalidInput(errors={"file": [message.format(**values)]})


def items_from_table(content: bytes, filename: str) -> tuple[list[dict], list[int]]:
    """Read a CSV or XLSX upload: a header of dotted paths (members.0.name), a row per item.

    Returns the items and, for each, its row in the spreadsheet (the header is row 1; empty
    rows are skipped but counted), so that errors point where the user looks. Rows are
    streamed and counted as they come: the file is refused at its item MAX_ITEMS + 1, its row
    MAX_ROWS + 1 or a value past column MAX_COLUMNS, before the rest is read.
    """
    name = filename.lower()
    if name.endswith(".xls"):
        raise _refuse(OLD_EXCEL_ERROR)
    rows = _xlsx_rows(content) if name.endswith(".xlsx") else _csv_rows(content)
    first = next(rows, None)
    if first is None:
        raise _refuse(EMPTY_ERROR)
    header = [str(h).strip() for h in first]
    _check_header(header)
    items, numbers = [], []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise _refuse(TOO_MANY_ROWS_ERROR, max=MAX_ROWS)
        if not any(str(v).strip() for v in values):
            continue
        if len(items) == MAX_ITEMS:
            raise _refuse(TOO_MANY_ITEMS_ERROR, max=MAX_ITEMS)
        item: dict = {}
        for path, value in zip(header, values, strict=False):
            value = str(value).strip()
            if path and value:
                _put(item, path.split("."), value)
        items.append(_lists(item))
        numbers.append(number)
    return items, numbers


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    """The rows of a CSV file, decoded and split a line at a time."""
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")

    def lines() -> Iterator[str]:
        while True:
            try:
                line = text.readline(MAX_CSV_LINE + 1)
            except UnicodeDecodeError:
                raise _refuse(CSV_ENCODING_ERROR) from None
            if not line:
                return
            if len(line) > MAX_CSV_LINE:
                raise _refuse(CSV_LINE_ERROR, max=MAX_CSV_LINE)
            yield line

    source = lines()
    first = next(source, "")
    if not first:
        return
    # Excel saves CSV with «;» where the decimal separator is a comma (ru, ky): the header
    # line, made of column names, tells which.
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(itertools.chain([first], source), delimiter=delimiter)
    try:
        for row in reader:
            if any(v.strip() for v in row[MAX_COLUMNS:]):
                raise _refuse(TOO_MANY_COLUMNS_ERROR, max=MAX_COLUMNS)
            yield row[:MAX_COLUMNS]
    except csv.Error:
        raise _refuse(CSV_UNREADABLE_ERROR) from None


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


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    """The rows of the workbook's active sheet, once the package has passed `check_xlsx`."""
    from openpyxl import load_workbook

    check_xlsx(content)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise _refuse(XLSX_UNREADABLE_ERROR) from None
    try:
        sheet = book.active
        # The sheet's own <dimension> is not believed: openpyxl would pad every row to it
        # (A1:XFD1048576 makes a thousand million empty cells of a few bytes).
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
        header = _trimmed(header)
        yield header
        # Values right of the header belong to no column: they are not read.
        for row in sheet.iter_rows(min_row=2, max_col=max(len(header), 1), values_only=True):
            yield ["" if v is None else _cell(v) for v in row]
    except InvalidInput:
        raise
    except Exception:  # a part openpyxl cannot parse, a CRC that does not match…
        raise _refuse(XLSX_UNREADABLE_ERROR) from None
    finally:
        book.close()


def _trimmed(row: Sequence[Any]) -> list[str]:
    values = ["" if v is None else _cell(v) for v in row]
    while values and values[-1] == "":
        values.pop()
    return values


_SHEET_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict Open XML
)
_ROW = {f"{ns} row" for ns in _SHEET_NAMESPACES}
_CELL = {f"{ns} c" for ns in _SHEET_NAMESPACES}
_VALUE = {f"{ns} {name}" for ns in _SHEET_NAMESPACES for name in ("v", "is", "f")}
_CHUNK = 64 * 1024


def check_xlsx(content: bytes) -> None:
    """Refuse an XLSX package that would cost far more to read than a real batch does.

    First what the zip directory says, nothing unpacked: the size, the parts, each part's
    compression method, sizes and ratio (Python's zipfile never unpacks more than a part's
    stated size, so the stated sizes bound the work). Then every XML part is unpacked a
    chunk at a time and counted by expat, never kept: elements, the sheets' rows and cells,
    the longest text, no entity declarations. The first bound passed stops the reading.
    """
    if len(content) > MAX_XLSX_BYTES:
        raise _refuse(XLSX_SIZE_ERROR, max=MAX_XLSX_BYTES // (1024 * 1024))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(XLSX_UNREADABLE_ERROR) from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_XLSX_PARTS:
            raise _refuse(XLSX_PARTS_ERROR, max=MAX_XLSX_PARTS)
        unpacked = 0
        for part in parts:
            if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _refuse(XLSX_METHOD_ERROR)
            if part.flag_bits & 0x1:  # encrypted
                raise _refuse(XLSX_UNREADABLE_ERROR)
            if part.file_size > RATIO_FLOOR and part.file_size > MAX_XLSX_RATIO * max(
                part.compress_size, 1
            ):
                raise _refuse(XLSX_RATIO_ERROR, max=MAX_XLSX_RATIO)
            unpacked += part.file_size
        if unpacked > MAX_XLSX_UNPACKED:
            raise _refuse(XLSX_UNPACKED_ERROR, max=MAX_XLSX_UNPACKED // (1024 * 1024))
        if unpacked > RATIO_FLOOR and unpacked > MAX_XLSX_RATIO * len(content):
            raise _refuse(XLSX_RATIO_ERROR, max=MAX_XLSX_RATIO)
        tally = _Tally()
        try:
            for part in parts:
                _scan_part(archive, part, tally)
        except InvalidInput:
            raise
        except Exception:  # expat's errors, a bad CRC, a truncated stream
            raise _refuse(XLSX_UNREADABLE_ERROR) from None


class _Tally:
    """What the scan of a package has counted so far."""

    def __init__(self) -> None:
        self.elements = 0
        self.cells = 0


def _scan_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, tally: _Tally) -> None:
    """Count one part with expat if it is XML (pictures are not): see `check_xlsx`."""
    with archive.open(part) as stream:
        chunk = stream.read(_CHUNK)
        if not chunk.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").startswith(b"<"):
            return
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        row = column = row_cells = text = 0
        wide = False

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal row, column, row_cells, text, wide
            tally.elements += 1
            text = 0
            if tally.elements > MAX_XML_ELEMENTS:
                raise _refuse(XLSX_ELEMENTS_ERROR, max=MAX_XML_ELEMENTS)
            if name in _ROW:
                row = _number(attrs.get("r")) or row + 1
                column = row_cells = 0
                if row > MAX_ROWS:
                    raise _refuse(TOO_MANY_ROWS_ERROR, max=MAX_ROWS)
            elif name in _CELL:
                tally.cells += 1
                row_cells += 1
                if tally.cells > MAX_CELLS:
                    raise _refuse(XLSX_CELLS_ERROR, max=MAX_CELLS)
                if row_cells > MAX_ROW_CELLS:
                    raise _refuse(XLSX_ROW_CELLS_ERROR, max=MAX_ROW_CELLS)
                column = _column(attrs.get("r")) or column + 1
                wide = column > MAX_COLUMNS
            elif wide and name in _VALUE:
                raise _refuse(TOO_MANY_COLUMNS_ERROR, max=MAX_COLUMNS)

        def end(_name: str) -> None:
            nonlocal text
            text = 0

        def characters(data: str) -> None:
            nonlocal text
            text += len(data)
            if text > MAX_TEXT:
                raise _refuse(XLSX_TEXT_ERROR, max=MAX_TEXT)

        def entity(*_args: object) -> None:
            # Entities are how a few bytes of XML become gigabytes; no workbook declares any.
            raise _refuse(XLSX_UNREADABLE_ERROR)

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = characters
        parser.EntityDeclHandler = entity
        while chunk:
            parser.Parse(chunk, False)
            chunk = stream.read(_CHUNK)
        parser.Parse(b"", True)


def _number(digits: str | None) -> int:
    return int(digits) if digits and digits.isdigit() and len(digits) < 10 else 0


def _column(reference: str | None) -> int:
    """The column of a cell reference: AB12 → 28; 0 if there is none."""
    column = 0
    for char in reference or "":
        if "A" <= char <= "Z":
            column = column * 26 + ord(char) - 64
            if column > 1_000_000:
                break
        else:
            break
    return column


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
