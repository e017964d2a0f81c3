"""CSV and XLSX, in and out: batch uploads read, registers, manifests and templates written.

Written for office PCs: CSV starts with a byte-order mark, so that Excel shows Cyrillic right.
Text from users never becomes a formula: a CSV cell that starts with «=», «+», «-», «@» or a
control character is written with a leading apostrophe (as OWASP advises), and an XLSX cell
is always a string.

Read from them: a header of dotted JSON paths (members.0.name), a row per batch item; the
columns of a kind's upload template are its `batch_columns` (service.kinds).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from typing import Any
from xml.parsers import expat

from service.batches import columns
from service.errors import InvalidInput
from service.schemas.batch import MAX_ITEMS

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, delimiter: str = ","
) -> bytes:
    """A CSV file for Excel: UTF-8 with a byte-order mark, no cell a formula; `;`-separated
    for Excel where the decimal separator is a comma (ru, ky)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
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


def template_csv(kind: str, language: str = "en") -> bytes:
    """The CSV upload template of `kind` (service.batches.templates)."""
    from service.batches import templates

    return templates.template_csv(kind, language)


def template_xlsx(kind: str, language: str = "en") -> bytes:
    """The XLSX upload template of `kind` (service.batches.templates)."""
    from service.batches import templates

    return templates.template_xlsx(kind, language)


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
CSV_UNREADABLE_ERROR = "Not a readable CSV file."
EMPTY_ERROR = "The file is empty."
# How to save a sheet so that it reads, said wherever a file does not: XLSX first, since
# Excel 2007 and 2010 have no «CSV UTF-8» and their «CSV» is Windows-1251, without ң, ө, ү.
CSV_ENCODING_ERROR = (
    "The CSV file is neither UTF-8 nor Windows-1251. Save the sheet as an Excel workbook: "
    "File → Save As → «Excel Workbook (*.xlsx)» (or, in Excel 2016 and later, «CSV UTF-8»)."
)
KYRGYZ_LOST_ERROR = (
    "Row {row}: the letters ң, ө, ү were lost to «?» when the sheet was saved as CSV in "
    "Windows-1251, which cannot hold them. Save the sheet as an Excel workbook: File → Save As "
    "→ «Excel Workbook (*.xlsx)» (or, in Excel 2016 and later, «CSV UTF-8»), and upload that."
)
OLD_EXCEL_ERROR = (
    "Excel 97–2003 files (.xls) cannot be read. Save the sheet as an Excel workbook: File → "
    "Save As → «Excel Workbook (*.xlsx)» (or, in Excel 2016 and later, «CSV UTF-8»)."
)
UNKNOWN_COLUMN_ERROR = (
    "Column {letter} «{column}» is neither a field of this kind nor a column of its template."
)
COLUMN_TWICE_ERROR = "The column «{path}» appears twice."
COLUMNS_CONFLICT_ERROR = "The columns «{path}» and «{other}» cannot go together."
UNKNOWN_FIELD_ERROR = "Sheet «{sheet}», row {row}: «{field}» is not a field of this kind."
ITEM_TWICE_ERROR = "Sheet «{sheet}», row {row}: another document has the № {item} already."
MEMBER_WITHOUT_ITEM_ERROR = (
    "Sheet «{sheet}», row {row}: give the № of the member's document in the column «{column}»."
)
MEMBER_UNKNOWN_ITEM_ERROR = "Sheet «{sheet}», row {row}: no document has the № {item}."
ITEM_SHEETS_ERROR = "The workbook has more than one sheet of documents: {sheets}; keep one."

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 (and an encrypted workbook)
# A «?» next to a Cyrillic letter: what Windows-1251 makes of ң, ө, ү.
_LOST_LETTER = re.compile(r"[А-яЁё]\?|\?[А-яЁё]")


def _refuse(message: str, **values: object) -> InvalidInput:
    return InvalidInput(errors={"file": [message.format(**values)]})


@dataclass
class Table:
    """An upload as read: its items, each one's row in the sheet, and the shared fields (of
    a workbook's shared sheet)."""

    items: list[dict]
    rows: list[int]
    shared: dict = dataclass_field(default_factory=dict)


def items_from_table(
    content: bytes, filename: str, kind: str | None = None, language: str = "en"
) -> tuple[list[dict], list[int]]:
    """The items of a CSV or XLSX upload and their rows (see `read_table`)."""
    table = read_table(content, filename, kind=kind, language=language)
    return table.items, table.rows


def read_table(
    content: bytes, filename: str, *, kind: str | None = None, language: str = "en"
) -> Table:
    """Read a CSV or XLSX upload: a header, then a row per item.

    Headers are dotted paths (members.0.name) or, when `kind` is known, the labels of its
    template in Kyrgyz or Russian; cells are read as Excel writes them (service.batches
    .columns). A workbook may have the template's sheets: shared fields (label | value), the
    items, their members (linked by the column `item`). Refusals name columns by their label
    in `language`.

    Returns the items and, for each, its row in the spreadsheet (the header is row 1; empty
    rows are skipped but counted), so that errors point where the user looks. Rows are
    streamed and counted as they come: the file is refused at its item MAX_ITEMS + 1, its row
    MAX_ROWS + 1 or a value past column MAX_COLUMNS, before the rest is read.
    """
    name = filename.lower()
    if name.endswith(".xls") or content.startswith(_OLE):
        raise _refuse(OLD_EXCEL_ERROR)
    reader = _Reader(kind, language)
    if name.endswith(".xlsx"):
        return reader.workbook(content)
    rows = _csv_rows(content)
    first = next(rows, None)
    if first is None:
        raise _refuse(EMPTY_ERROR)
    header = reader.header(first)
    items, numbers, _keys = reader.items(filename, header, rows)
    return Table(items, numbers)


class _Reader:
    """The reading of one upload, for one kind (or none: paths only, cells as they are)."""

    def __init__(self, kind: str | None, language: str):
        self.kind = kind
        self.language = language

    def label(self, path: str, member: bool = False) -> str:
        if self.kind is None or path == columns.ITEM:
            return columns.label(path, self.language) if self.kind else path
        if member:
            return columns.member_label(path, self.language)
        return columns.label(path, self.language)

    def value(self, path: str, value: Any) -> Any:
        kind = columns.column_type(self.kind, path) if self.kind else None
        return columns.cell_value(value, kind)

    def header(self, cells: Sequence[Any], *, member: bool = False) -> list[str]:
        """The path of each column ("" for a column without a header); refused if a header
        names no field, or two name the same one."""
        paths = []
        for index, cell in enumerate(cells):
            text = "" if cell is None else str(cell).strip()
            if not text or self.kind is None:
                paths.append(text)
                continue
            path = (
                columns.member_path_of(self.kind, text)
                if member
                else columns.path_of(self.kind, text)
            )
            if path is None:
                raise _refuse(UNKNOWN_COLUMN_ERROR, letter=_letter(index + 1), column=text)
            paths.append(path)
        self._check_header(paths, member=member)
        return paths

    def _check_header(self, header: list[str], *, member: bool) -> None:
        """Each column a path of its own: no column twice, none inside another (a, a.b)."""
        paths = [h for h in header if h]
        for path in paths:
            if paths.count(path) > 1:
                raise _refuse(COLUMN_TWICE_ERROR, path=self.label(path, member))
            for other in paths:
                if other.startswith(path + "."):
                    raise _refuse(
                        COLUMNS_CONFLICT_ERROR,
                        path=self.label(path, member),
                        other=self.label(other, member),
                    )

    def _is_example(self, values: dict[str, str]) -> bool:
        key = values.get(columns.ITEM, "")
        return bool(key) and columns.normal(key) in _example_words()

    def rows(
        self, header: list[str], rows: Iterator[Sequence[Any]], *, member: bool = False
    ) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, {path: text}) of each row with a value, but the example row."""
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS:
                raise _refuse(TOO_MANY_ROWS_ERROR, max=MAX_ROWS)
            cells = {}
            for path, value in zip(header, values, strict=False):
                if path:
                    text = self.value(f"{columns.MEMBERS}.0.{path}" if member else path, value)
                    if text:
                        cells[path] = text
            if not cells or (self.kind and self._is_example(cells)):
                continue
            yield number, cells

    def items(
        self, title: str, header: list[str], rows: Iterator[Sequence[Any]]
    ) -> tuple[list[dict], list[int], list[str]]:
        items, numbers, keys = [], [], []
        seen: set[str] = set()
        for number, cells in self.rows(header, rows):
            if len(items) == MAX_ITEMS:
                raise _refuse(TOO_MANY_ITEMS_ERROR, max=MAX_ITEMS)
            key = cells.pop(columns.ITEM, "") if self.kind else ""
            if key in seen:
                raise _refuse(ITEM_TWICE_ERROR, sheet=title, row=number, item=key)
            if key:
                seen.add(key)
            item: dict = {}
            for path, value in cells.items():
                _put(item, path.split("."), value)
            items.append(_lists(item))
            numbers.append(number)
            keys.append(key)
        return items, numbers, keys

    def shared(self, title: str, header: list[str], rows: Iterator[Sequence[Any]]) -> dict:
        """The shared sheet: a field a row, named by its path or by a label; its value."""
        words = [columns.normal(h) for h in header]
        value_at = next(i for i, w in enumerate(words) if w in _value_words())
        ignored = {value_at, *(i for i, w in enumerate(words) if w in _example_words())}
        shared: dict = {}
        seen: set[str] = set()
        for number, values in enumerate(rows, start=2):
            if number > MAX_ROWS:
                raise _refuse(TOO_MANY_ROWS_ERROR, max=MAX_ROWS)
            values = list(values)
            value = values[value_at] if value_at < len(values) else None
            names = [
                str(v).strip()
                for i, v in enumerate(values)
                if i not in ignored and v is not None and str(v).strip()
            ]
            if value is None or not str(value).strip():
                continue
            path = next((p for p in (columns.path_of(self.kind, n) for n in names) if p), None)
            if path is None or path == columns.ITEM:
                raise _refuse(
                    UNKNOWN_FIELD_ERROR, sheet=title, row=number, field=(names or ["—"])[0]
                )
            if path in seen:
                raise _refuse(COLUMN_TWICE_ERROR, path=self.label(path))
            seen.add(path)
            text = self.value(path, value)
            if text:
                _put(shared, path.split("."), text)
        return _lists(shared)

    def workbook(self, content: bytes) -> Table:
        """The sheets of a workbook: the active one alone, or those of the kind's template."""
        from openpyxl import load_workbook

        check_xlsx(content)
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:
            raise _refuse(XLSX_UNREADABLE_ERROR) from None
        try:
            return self._sheets(book)
        except InvalidInput:
            raise
        except Exception:  # a part openpyxl cannot parse, a CRC that does not match…
            raise _refuse(XLSX_UNREADABLE_ERROR) from None
        finally:
            book.close()

    def _sheets(self, book) -> Table:
        sheets = [book.active] if self.kind is None else list(book.worksheets)
        shared_sheets, member_sheets, item_sheets = [], [], []
        for sheet in sheets:
            # The sheet's own <dimension> is not believed: openpyxl would pad every row to it
            # (A1:XFD1048576 makes a thousand million empty cells of a few bytes).
            sheet.reset_dimensions()
            header = _trimmed(
                next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
            )
            role = self._role(header) if self.kind else "items"
            {"shared": shared_sheets, "members": member_sheets, "items": item_sheets}.get(
                role, []
            ).append((sheet, header))
        if len(item_sheets) > 1:
            names = ", ".join(f"«{sheet.title}»" for sheet, _ in item_sheets)
            raise _refuse(ITEM_SHEETS_ERROR, sheets=names)
        if not item_sheets and not any(header for _, header in shared_sheets + member_sheets):
            raise _refuse(EMPTY_ERROR)
        shared: dict = {}
        for sheet, header in shared_sheets:
            shared.update(self.shared(sheet.title, header, _values(sheet, len(header))))
        items, numbers, keys = [], [], []
        if item_sheets:
            sheet, header = item_sheets[0]
            paths = self.header(header)
            # Values right of the header belong to no column: they are not read.
            items, numbers, keys = self.items(sheet.title, paths, _values(sheet, len(paths)))
        for sheet, header in member_sheets:
            self._join_members(sheet, header, items, keys)
        return Table(items, numbers, shared)

    def _role(self, header: list[str]) -> str:
        words = {columns.normal(h) for h in header}
        if words & _value_words():
            return "shared"
        assert self.kind is not None
        in_item = sum(columns.path_of(self.kind, h) not in (None, columns.ITEM) for h in header)
        in_member = sum(
            columns.member_path_of(self.kind, h) not in (None, columns.ITEM) for h in header
        )
        if in_member > in_item:
            return "members"
        return "items" if in_item else "other"

    def _join_members(self, sheet, header: list[str], items: list[dict], keys: list[str]):
        """Append the members of the sheet to their documents (by the column `item`)."""
        paths = self.header(header, member=True)
        by_key = {key: index for index, key in enumerate(keys) if key}
        for number, cells in self.rows(paths, _values(sheet, len(paths)), member=True):
            key = cells.pop(columns.ITEM, "")
            if not cells:
                continue
            if not key:
                raise _refuse(
                    MEMBER_WITHOUT_ITEM_ERROR,
                    sheet=sheet.title,
                    row=number,
                    column=self.label(columns.ITEM),
                )
            if key not in by_key:
                raise _refuse(MEMBER_UNKNOWN_ITEM_ERROR, sheet=sheet.title, row=number, item=key)
            member: dict = {}
            for path, value in cells.items():
                _put(member, path.split("."), value)
            item = items[by_key[key]]
            item.setdefault(columns.MEMBERS, []).append(_lists(member))


def _values(sheet, width: int) -> Iterator[tuple[Any, ...]]:
    return sheet.iter_rows(min_row=2, max_col=max(width, 1), values_only=True)


@cache
def _value_words() -> frozenset[str]:
    return frozenset(columns.normal(columns.word("value", lang)) for lang in ("en", "ky", "ru"))


@cache
def _example_words() -> frozenset[str]:
    return frozenset(columns.normal(columns.word("example", lang)) for lang in ("en", "ky", "ru"))


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    """The rows of a CSV file, decoded and split a line at a time.

    UTF-8 (with or without a byte-order mark), UTF-16 with one (Excel's «Unicode text»), else
    Windows-1251, what Excel on a Russian-locale PC saves as «CSV»: unless Kyrgyz letters were
    lost in it to «?», it reads as well.
    """
    encoding = _encoding(content)
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")

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
    separator = re.fullmatch(r'"?sep=(.)"?\s*', first)
    if separator:  # Excel's own hint, not a row it shows
        delimiter = separator.group(1)
        first = next(source, "")
    else:
        # Excel saves CSV with «;» where the decimal separator is a comma (ru, ky): the header
        # line, made of column names, tells which (what is quoted in it does not count). A
        # label may hold commas («Проблема 1, индикатор 2: …»), never «;» or a tab.
        bare = re.sub(r'"[^"]*"', "", first)
        delimiter = next((d for d in (";", "\t") if d in bare), ",")
    if not first:
        return
    reader = csv.reader(itertools.chain([first], source), delimiter=delimiter)
    check_lost = encoding == "cp1251"
    try:
        for number, row in enumerate(reader, start=1):
            if any(v.strip() for v in row[MAX_COLUMNS:]):
                raise _refuse(TOO_MANY_COLUMNS_ERROR, max=MAX_COLUMNS)
            row = row[:MAX_COLUMNS]
            if check_lost and any(_LOST_LETTER.search(v) for v in row):
                raise _refuse(KYRGYZ_LOST_ERROR, row=number)
            yield row
    except csv.Error:
        raise _refuse(CSV_UNREADABLE_ERROR) from None


def _encoding(content: bytes) -> str:
    """UTF-8 if the whole file is (checked a block at a time, nothing kept), else cp1251."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(content), _CHUNK):
            decoder.decode(content[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1251"
    return "utf-8-sig"


def _trimmed(row: Sequence[Any]) -> list[str]:
    values = ["" if v is None else str(v).strip() for v in row]
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


def _letter(column: int) -> str:
    """A column's letters: 28 → AB."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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


def _put(node: dict, path: list[str], value: str) -> None:
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


# Numbered columns past this place are not made into a list (members.999999.name).
_MAX_PLACE = 1000


def _lists(node: Any) -> Any:
    """Turn {"0": …, "2": …} (from members.0.name) into lists, each entry at its place: a
    place left out is None (service.batches.creation.merge keeps the shared entry there,
    or drops the gap)."""
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            places = {int(k): v for k, v in node.items()}
            if max(places) >= _MAX_PLACE:
                return [places[k] for k in sorted(places)]
            return [places.get(i) for i in range(max(places) + 1)]
    return node
