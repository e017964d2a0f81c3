"""Hostile uploads: zip bombs, odd compression, too many rows, columns or cells are refused at
the `file` field before they are read; a real upload of 5,000 items still reads.

The builders here make the files of `bench/upload_bombs.py` too.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from service.batches import tables
from service.batches.tables import items_from_table, xlsx_bytes
from service.kinds import KINDS
from service.schemas.batch import MAX_ITEMS
from tests.conftest import EXAMPLES, upload_batch

BATCHES = "/api/v1/batches"
ORDER = "working-group-order"
SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

_SURNAMES = (
    "Эркинбаев", "Садыкова", "Токтосунов", "Алиева", "Усенов", "Кенжебаева", "Жумабеков",
    "Осмонова", "Мамытов", "Бекназарова", "Турдубаев", "Абдыкадырова", "Сулайманов", "Өмүрзакова",
)  # fmt: skip
_INITIALS = "АБВГДЕЖЗИКЛМНОПРСТУЭЮЯ"


def legit_rows(count: int) -> tuple[list[str], list[list[str]]]:
    """`count` rows of the order's batch columns: the Sverdlovsky example's rows in turn, each
    with its own number and people's names (so that values repeat as little as in life)."""
    text = (EXAMPLES / "sverdlovsky-batch.csv").read_text(encoding="utf-8-sig")
    header, *base = list(csv.reader(io.StringIO(text)))
    # The columns of the kind's `batch_columns`, as the bounds were measured, and the shared
    # fields not in the rows (they go beside, as `shared`).
    example = json.loads((EXAMPLES / "sverdlovsky-batch.json").read_text(encoding="utf-8"))
    shared = {c for c in header if _has(example["shared"], c.split("."))}
    base = [
        {c: ("" if c in shared else v) for c, v in zip(header, row, strict=True)} for row in base
    ]
    header = list(KINDS[ORDER].batch_columns)
    base = [[row.get(column, "") for column in header] for row in base]
    rows = []
    for n in range(count):
        row = list(base[n % len(base)])
        for j, column in enumerate(header):
            if column.endswith(".name") and row[j]:
                surname = _SURNAMES[(n * 7 + j) % len(_SURNAMES)]
                row[j] = f"{surname} {_INITIALS[n % 22]}.{_INITIALS[(n // 22 + j) % 22]}."
            elif column == "number":
                row[j] = f"01-07/{n + 1}"
        rows.append(row)
    return header, rows


def _has(node: dict, path: list[str]) -> bool:
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def legit_xlsx(count: int = MAX_ITEMS) -> bytes:
    header, rows = legit_rows(count)
    return xlsx_bytes(header, rows, title="working-group-order")


def legit_csv(count: int = MAX_ITEMS) -> bytes:
    return tables.csv_bytes(*legit_rows(count))


def package(sheet_xml: Iterable[bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A real workbook (of one sheet, as openpyxl writes it) with its sheet replaced, written a
    block at a time so that a bomb is never whole in memory."""
    template = zipfile.ZipFile(io.BytesIO(xlsx_bytes(["number"], [], title=ORDER)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as made:
        for info in template.infolist():
            if info.filename == SHEET:
                entry = zipfile.ZipInfo(SHEET)
                entry.compress_type = method
                with made.open(entry, "w", force_zip64=True) as part:
                    for block in sheet_xml:
                        part.write(block)
            else:
                made.writestr(info.filename, template.read(info))
    return out.getvalue()


def sheet(rows: Iterable[bytes], head: bytes = b"") -> Iterable[bytes]:
    yield f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">'.encode() + head + b"<sheetData>"
    yield from rows
    yield b"</sheetData></worksheet>"


def number_rows(count: int) -> Iterable[bytes]:
    """A header «number» and `count` items, inline strings."""
    yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>number</t></is></c></row>'
    for n in range(2, count + 2):
        yield f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{n}</t></is></c></row>'.encode()


def zip_bomb(unpacked_mib: int) -> bytes:
    """A sheet of the same empty row over and over: deflate packs it about 1,000 to 1."""
    block = b"<row/>" * (1024 * 1024 // 6)
    return package(sheet(block for _ in range(unpacked_mib)))


def wide_row(cells: int, first_value_column: int | None = None) -> bytes:
    """A sheet whose row 2 has `cells` empty cells and perhaps a value far to the right."""
    row = [b'<row r="2">', b"<c/>" * cells]
    if first_value_column:
        letters = get_column_letter(first_value_column)
        row.append(f'<c r="{letters}2"><v>1</v></c>'.encode())
    row.append(b"</row>")
    return package(sheet([next(number_rows(0)), b"".join(row)]))


def billion_laughs() -> bytes:
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    doc = f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]><worksheet xmlns="{MAIN}">'
    doc += '<sheetData><row r="1"><c t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData>'
    return package([(doc + "</worksheet>").encode()])


def upload(client, content: bytes, filename: str, **headers):
    sverdlovsky = json.loads((EXAMPLES / "sverdlovsky-batch.json").read_text(encoding="utf-8"))
    return upload_batch(client, sverdlovsky, content, filename, **headers)


def refusal(content: bytes, filename: str = "bomb.xlsx") -> str:
    with pytest.raises(tables.InvalidInput) as refused:
        items_from_table(content, filename)
    assert list(refused.value.errors) == ["file"]
    (message,) = refused.value.errors["file"]
    return message


def test_a_zip_bomb_is_refused_from_its_directory(client):
    bomb = zip_bomb(64)
    assert len(bomb) < 128 * 1024  # 64 MiB of sheet in under 128 KB
    assert refusal(bomb) == "The XLSX file is compressed more than 100 to 1; no spreadsheet is."
    response = upload(client, bomb, "bomb.xlsx", **{"Accept-Language": "ru"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "file": ["Файл XLSX сжат сильнее, чем 100 к 1; так не сжимается ни одна таблица."]
    }


def test_a_part_unpacking_past_the_bound_is_refused():
    # Compressed a little less than a bomb (random-looking text), but far too large.
    block = b"".join(f"<row><c><v>{n * 7919 % 100003}</v></c></row>".encode() for n in range(40000))
    big = package(sheet(block for _ in range(tables.MAX_XLSX_UNPACKED // len(block) + 2)))
    assert refusal(big) == "The XLSX file unpacks to more than 128 MB."


def test_an_unsupported_compression_method_is_refused(client):
    lzma = package(sheet(number_rows(3)), method=zipfile.ZIP_LZMA)
    assert zipfile.ZipFile(io.BytesIO(lzma)).getinfo(SHEET).compress_type == zipfile.ZIP_LZMA
    response = upload(client, lzma, "lzma.xlsx", **{"Accept-Language": "ky"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "file": [
            "XLSX файлы Deflate эмес ыкма менен кысылган; аны Excel же LibreOffice менен "
            "кайра сактаңыз."
        ]
    }


def test_one_item_more_than_a_batch_takes_is_refused_while_it_streams(client):
    over = package(sheet(number_rows(MAX_ITEMS + 1)))
    response = upload(client, over, "over.xlsx")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "file": [f"The file has more than {MAX_ITEMS} items; split it into several batches."]
    }
    items, rows = items_from_table(package(sheet(number_rows(MAX_ITEMS))), "full.xlsx")
    assert len(items) == MAX_ITEMS and rows[-1] == MAX_ITEMS + 1


def test_the_same_for_a_csv(client):
    lines = "number\n" + "".join(f"01-07/{n}\n" for n in range(MAX_ITEMS + 1))
    response = upload(client, lines.encode(), "over.csv", **{"Accept-Language": "ru"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "file": [f"В файле больше {MAX_ITEMS} позиций; разделите его на несколько пакетов."]
    }


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (wide_row(10, first_value_column=300), "wide.xlsx",
         "The sheet has values beyond column 256."),
        (wide_row(20_000), "wide.xlsx", "A row of the sheet has more than 16384 cells."),
        (b"number" + b",x" * 300 + b"\n1\n", "wide.csv", "The sheet has values beyond column 256."),
        (b"number\n" + b"1" * (2 * 1024 * 1024) + b"\n", "long.csv",
         "A line of the CSV file is longer than 1048576 characters."),
        (package(sheet([b'<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>'])),
         "far.xlsx", "The sheet has more than 50000 rows, empty ones included."),
        (b"number\n" + b"\n" * 60_000 + b"1\n", "far.csv",
         "The sheet has more than 50000 rows, empty ones included."),
        (billion_laughs(), "laughs.xlsx", "Not a readable XLSX file."),
        (package(sheet(f'<row r="{n}"><c/></row>'.encode() for n in range(1, 70_000))),
         "empty.xlsx",
         "The sheet has more than 50000 rows, empty ones included."),
    ],
)  # fmt: skip
def test_too_many_columns_rows_or_cells_are_refused(content, filename, message):
    assert refusal(content, filename) == message


def test_too_many_cells_over_few_rows():
    rows = (
        "".join(
            [
                f'<row r="{n}">',
                *(f'<c r="{get_column_letter(c)}{n}"/>' for c in range(1, 16_001)),
                "</row>",
            ]
        ).encode()
        for n in range(1, 70)
    )
    assert refusal(package(sheet(rows))) == "The sheet has more than 1000000 cells."


def test_a_dimension_claiming_the_whole_sheet_is_not_believed():
    # The sheet says A1:XFD1048576: openpyxl would make 17 thousand million empty cells.
    claims = package(sheet(number_rows(2), head=b'<dimension ref="A1:XFD1048576"/>'))
    assert items_from_table(claims, "claims.xlsx") == ([{"number": "2"}, {"number": "3"}], [2, 3])


@pytest.fixture(scope="module")
def five_thousand() -> dict[str, bytes]:
    return {"xlsx": legit_xlsx(), "csv": legit_csv()}


@pytest.mark.parametrize("ext", ["xlsx", "csv"])
def test_a_real_upload_of_five_thousand_items_reads(five_thousand, ext):
    header, rows = legit_rows(MAX_ITEMS)
    items, numbers = items_from_table(five_thousand[ext], f"batch.{ext}")
    assert len(items) == MAX_ITEMS and numbers == list(range(2, MAX_ITEMS + 2))
    assert items[-1]["number"] == f"01-07/{MAX_ITEMS}"
    assert items[4999]["members"][0]["name"] == rows[4999][header.index("members.0.name")]
    if ext == "xlsx":
        tables.check_xlsx(five_thousand[ext])  # passes with room to spare


def test_a_legitimate_workbook_is_far_inside_every_bound(five_thousand):
    archive = zipfile.ZipFile(io.BytesIO(five_thousand["xlsx"]))
    unpacked = sum(i.file_size for i in archive.infolist())
    assert len(five_thousand["xlsx"]) * 8 < tables.MAX_XLSX_BYTES
    assert unpacked * 3 < tables.MAX_XLSX_UNPACKED
    worst = max(i.file_size / i.compress_size for i in archive.infolist())
    assert worst * 3 < tables.MAX_XLSX_RATIO


def test_workbooks_written_by_openpyxl_itself_still_read():
    book = Workbook()
    book.active.append(["number", "date"])
    book.active.append(["01-07/1", "2024-03-01"])
    out = io.BytesIO()
    book.save(out)
    assert items_from_table(out.getvalue(), "a.xlsx")[0] == [
        {"number": "01-07/1", "date": "2024-03-01"}
    ]
