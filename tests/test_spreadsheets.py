"""Spreadsheets as offices make them: Excel on a Russian- or Kyrgyz-locale PC, in and out.

The files here are written the way Excel writes them (Windows-1251, «;», CRLF, quotes only
where a cell needs them, `12.03.2018`, ИСТИНА; or a workbook with date and boolean cells),
not the way the reader's own writer does, and go through the HTTP API as a user uploads them.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import time
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import openpyxl
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from service.batches import columns, tables, templates
from service.batches.creation import merge, skeleton_of
from service.batches.tables import read_table
from service.schemas.common import Flag
from tests.conftest import EXAMPLES
from tests.docx_reading import all_text, open_docx

BATCHES = "/api/v1/batches"
ORDER = "working-group-order"
SHARED_COLUMNS = columns.layout(ORDER).shared


@pytest.fixture
def sverdlovsky() -> dict:
    return json.loads((EXAMPLES / "sverdlovsky-batch.json").read_text(encoding="utf-8"))


def finished(client, response) -> dict:
    assert response.status_code == 202, response.get_json()
    url = response.get_json()["links"]["self"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        batch = client.get(url).get_json()
        if batch["finished"]:
            return batch
        time.sleep(0.1)
    raise AssertionError(batch["counts"])


def post(client, content: bytes, filename: str, *, language: str = "ru", **form):
    return client.post(
        BATCHES,
        data={"kind": ORDER, "file": (io.BytesIO(content), filename), **form},
        content_type="multipart/form-data",
        headers={"Accept-Language": language},
    )


def flat(value, prefix: str = "") -> dict:
    if isinstance(value, dict):
        pairs = value.items()
    elif isinstance(value, list):
        pairs = ((str(i), v) for i, v in enumerate(value))
    else:
        return {prefix: value}
    out = {}
    for key, inner in pairs:
        out |= flat(inner, f"{prefix}.{key}" if prefix else key)
    return out


def russian_only(batch: dict) -> dict:
    """The example batch as a Russian-only order: what Windows-1251 can carry whole."""
    batch = copy.deepcopy(batch)

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "ky"}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    batch["shared"] = strip(batch["shared"]) | {"language": "ru"}
    batch["items"] = [strip(item) for item in batch["items"]]
    return batch


# As Excel on a Russian-locale PC shows and saves these cells.
_EXCEL_RU = {"true": "ИСТИНА", "false": "ЛОЖЬ"}
_GENDER_RU = {"male": "мужской", "female": "женский"}
_ROLE_RU = {"leader": "руководитель", "deputy": "заместитель", "secretary": "секретарь"}


def excel_rows(batch: dict, lang: str, *, excel_date: bool = True) -> tuple[list, list]:
    """Header (labels in `lang`) and rows of a one-sheet batch, cells as Excel shows them."""
    rows = [flat(batch["shared"]) | flat(item) for item in batch["items"]]
    paths = list(dict.fromkeys(p for row in rows for p in row))
    out = []
    for row in rows:
        cells = []
        for path in paths:
            value = row.get(path, "")
            kind = columns.column_type(ORDER, path)
            if kind and kind.kind == columns.DATE and value:
                value = date.fromisoformat(value).strftime(
                    "%d.%m.%Y" if excel_date else "%-d.%-m.%y"
                )
            elif kind and kind.kind == columns.FLAG and value:
                value = _EXCEL_RU["true" if value in ("true", True) else "false"]
            elif path.endswith("gender"):
                value = _GENDER_RU.get(value, value)
            elif path.endswith("role"):
                value = _ROLE_RU.get(value, value)
            cells.append(value)
        out.append(cells)
    return [columns.label(p, lang) for p in paths], out


def excel_csv(header: list, rows: list, encoding: str = "cp1251", errors: str = "strict") -> bytes:
    """What Excel (ru) writes as «CSV (разделители — запятые)»: «;», CRLF, no BOM."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding, errors=errors)


def documents(client, batch: dict) -> list:
    with client.get(batch["links"]["archive"]) as download:
        archive = zipfile.ZipFile(io.BytesIO(download.data))
    return [open_docx(archive.read(n)) for n in archive.namelist() if n.endswith(".docx")]


# ------------------------------------------------------------------------------------------


def test_a_windows_1251_csv_as_excel_saves_it_uploads(client, sverdlovsky):
    batch = russian_only(sverdlovsky)
    header, rows = excel_rows(batch, "ru")
    # A cell with «;», quotes and a line break: Excel quotes it, and only it.
    place = header.index(columns.label("place.ru", "ru"))
    rows[0][place] = 'г. Бишкек; ул. «Киевская», "96"\nкаб. 3'
    content = excel_csv(header, rows)
    assert b"\xef\xbb\xbf" not in content and b"\r\n" in content  # cp1251, no BOM, CRLF
    table = read_table(content, "Книга1.csv", kind=ORDER, language="ru")
    assert table.items[1]["date"] == "2018-03-12"
    assert table.items[1]["members"][1]["by_agreement"] == "true"
    assert table.items[1]["members"][0]["role"] == "leader"
    assert table.items[0]["place"]["ru"] == 'г. Бишкек; ул. «Киевская», "96"\nкаб. 3'
    made = finished(client, post(client, content, "Книга1.csv"))
    assert made["counts"]["done"] == 6, made["items"]
    text = all_text(documents(client, made)[0])
    assert "(по согласованию)" in text and "12\xa0марта\xa02018" in text


def test_kyrgyz_letters_lost_to_question_marks_are_refused_with_how_to_save(client, sverdlovsky):
    header, rows = excel_rows(sverdlovsky, "ru")
    content = excel_csv(header, rows, errors="replace")  # what Excel does with ң, ө, ү
    assert "Свердлов райондук ички иштер башкармалыгынын".encode("cp1251", "replace") in content
    for lang, words in (("ru", "Книга Excel (*.xlsx)"), ("ky", "Excel китеби")):
        response = post(client, content, "Книга1.csv", language=lang)
        assert response.status_code == 422
        (message,) = response.get_json()["errors"]["file"]
        assert words in message and "UTF-8" in message, message
        assert message.startswith("Строка 2" if lang == "ru" else "2-сап"), message


def test_kyrgyz_headers_in_a_utf8_csv_with_a_bom(client, sverdlovsky):
    header, rows = excel_rows(sverdlovsky, "ky", excel_date=False)  # d.m.yy
    content = excel_csv(header, rows, encoding="utf-8-sig")
    table = read_table(content, "a.csv", kind=ORDER, language="ky")
    assert table.items[0]["draft_plan"]["deadline"] == "2018-05-31"
    assert [merge(sverdlovsky["shared"], i) for i in table.items] == [
        merge(sverdlovsky["shared"], i) for i in sverdlovsky["items"]
    ]
    made = finished(client, post(client, content, "a.csv", language="ky"))
    assert made["counts"]["done"] == 6


def test_a_workbook_with_date_and_boolean_cells_and_kyrgyz_labels(client, sverdlovsky):
    book = openpyxl.Workbook()
    sheet = book.active
    rows = [flat(sverdlovsky["shared"]) | flat(item) for item in sverdlovsky["items"]]
    paths = list(dict.fromkeys(p for row in rows for p in row))
    sheet.append([columns.label(p, "ky") for p in paths])
    spellings = ["TRUE", "Ооба", "да", "tRuE", "1", "ИСТИНА"]
    for n, row in enumerate(rows):
        cells = []
        for path in paths:
            value = row.get(path)
            kind = columns.column_type(ORDER, path)
            if kind and kind.kind == columns.DATE and value:
                value = datetime.fromisoformat(value)  # a real date cell
            elif kind and kind.kind == columns.FLAG and value:
                value = True if n % 2 else spellings[n]  # a boolean cell, or a word
            cells.append(value)
        sheet.append(cells)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "DD.MM.YYYY"
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "a.xlsx", kind=ORDER, language="ky")
    assert table.items[0]["date"] == "2018-03-12"
    assert {i["members"][1]["by_agreement"] for i in table.items} == {"true", "TRUE", "1"}
    made = finished(client, post(client, out.getvalue(), "a.xlsx", language="ky"))
    assert made["counts"]["done"] == 6, made["items"]


def test_the_template_filled_by_a_person_uploads_without_shared_json(client, sverdlovsky):
    with client.get(f"{BATCHES}/templates/{ORDER}.xlsx?language=ru") as response:
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.data))
    common, items, members = book.worksheets
    assert [common.title, items.title, members.title] == [
        "Общие сведения",
        "Документы",
        "Члены группы",
    ]
    # The shared sheet: label | label | value; fill the values as a person does, by label.
    by_label = {row[1].value: row[2] for row in common.iter_rows(min_row=2)}
    values = flat(sverdlovsky["shared"])
    for path, value in values.items():
        cell = by_label[columns.label(path, "ru")]
        kind = columns.column_type(ORDER, path)
        if kind.kind == columns.DATE:
            cell.value = datetime.fromisoformat(value)
        elif kind.kind == columns.CHOICE_TYPE:
            cell.value = columns.choice_word(value, "ru")  # the drop-down's word
        else:
            cell.value = value
    header = [c.value for c in items[1]]
    member_header = [c.value for c in members[1]]
    member_row = members.max_row + 1  # below the example
    for n, item in enumerate(sverdlovsky["items"][:2], start=3):
        items.cell(row=n, column=1, value=str(n - 2))
        for path, value in flat({k: v for k, v in item.items() if k != "members"}).items():
            column = header.index(columns.label(path, "ru")) + 1
            items.cell(row=n, column=column, value=_GENDER_RU.get(value, value))
        for member in item["members"]:
            members.cell(row=member_row, column=1, value=n - 2)  # a number, as typed
            for path, value in flat(member).items():
                column = member_header.index(columns.member_label(path, "ru")) + 1
                word = {"true": "да"}.get(value) or _GENDER_RU.get(value) or _ROLE_RU.get(value)
                members.cell(row=member_row, column=column, value=word or value)
            member_row += 1
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "filled.xlsx", kind=ORDER, language="ru")
    assert table.shared == sverdlovsky["shared"]
    assert table.items == sverdlovsky["items"][:2] and table.rows == [3, 4]
    made = finished(client, post(client, out.getvalue(), "filled.xlsx"))
    assert made["counts"]["done"] == 2 and [i["row"] for i in made["items"]] == [3, 4]


def test_the_xlsx_template_is_made_for_people():
    book = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx(ORDER, "ky")))
    common, items, members = book.worksheets
    assert book.active.title == items.title == "Документтер"
    for sheet in book.worksheets:
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        assert sheet.print_title_rows == "$1:$1" and sheet.freeze_panes in ("A2", "B2")
    assert items.page_setup.orientation == "landscape"
    assert [c.value for c in common[1]][:3] == ["Талаа (кыргызча)", "Талаа (орусча)", "Маани"]
    assert common["A2"].value == "Документтин тили" and common["B2"].value == "Язык документа"
    # Drop-downs: gender, role, language and yes/no, in the template's language.
    lists = {
        dv.formula1 for sheet in book.worksheets for dv in sheet.data_validations.dataValidation
    }
    assert {'"эркек,аял"', '"жетекчи,орун басар,катчы,мүчө"', '"ооба,жок"'} <= lists
    assert '"кыргызча,орусча,кыргызча жана орусча"' in lists
    # An example row in each sheet of rows, marked so that it is not read; a date a date.
    assert items["A2"].value == members["A2"].value == "Үлгү"
    header = [c.value for c in items[1]]
    assert header[1] == "Муниципалитеттин коду (реестрден)"
    assert items.cell(2, header.index("Чыгуучу номери") + 1).value == "01-07/31"
    assert [c.value for c in members[1]][:2] == ["Документтин №", "Фамилиясы жана инициалдары"]
    assert members.max_row == 1 + 5  # the example's five members
    example_date = common.cell(
        [c.value for c in common["E"]].index("draft_plan.deadline") + 1, 4
    ).value
    assert example_date == datetime(2018, 5, 31)
    assert read_table(templates.template_xlsx(ORDER, "ky"), "t.xlsx", kind=ORDER).items == []


def test_the_csv_template_has_the_same_labels(client):
    with client.get(f"{BATCHES}/templates/{ORDER}.csv", headers={"Accept-Language": "ru"}) as r:
        text = r.data.decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text), delimiter=";"))
    book = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx(ORDER, "ru")))
    sheet_labels = {c.value for c in book.worksheets[1][1]} | {
        row[1].value for row in book.worksheets[0].iter_rows(min_row=2)
    }
    assert sheet_labels <= set(header)
    assert "Член 12: Фамилия и инициалы" in header  # 12 members in a CSV; a sheet has no bound
    assert example[0] == "Пример" and "12.03.2018" in example and "мужской" in example
    assert read_table(r.data, "t.csv", kind=ORDER).items == []


def test_a_member_sheet_names_any_number_of_members(sverdlovsky):
    batch = copy.deepcopy(sverdlovsky)
    people = batch["items"][0]["members"]
    batch["items"][0]["members"] = people + [
        {**people[-1], "name": f"Асанов {chr(0x410 + n)}.Б."} for n in range(25)
    ]
    table = read_table(templates.batch_xlsx(ORDER, batch, "ky"), "a.xlsx", kind=ORDER)
    assert len(table.items[0]["members"]) == 30 and table.items == batch["items"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h, r: h.__setitem__(3, "Цвет глаз"),
         "Столбец D «Цвет глаз» не поле документов этого вида и не столбец его шаблона."),
        (lambda h, r: h.__setitem__(4, h[3]),
         "Столбец «Районный орган, на кыргызском» встречается дважды."),
    ],
)  # fmt: skip
def test_a_column_is_named_by_its_label_in_the_users_language(client, sverdlovsky, change, message):
    header, rows = excel_rows(sverdlovsky, "ru")
    change(header, rows)
    response = post(client, excel_csv(header, rows, encoding="utf-8"), "a.csv")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"file": [message]}


def test_a_bad_cell_is_its_items_error_with_the_sheets_row(client, sverdlovsky):
    header, rows = excel_rows(sverdlovsky, "ru")
    rows[2][header.index("Дата документа")] = "31.02.2018"
    rows[3][header.index("Член 2: По согласованию (да/нет)")] = "может быть"
    made = finished(client, post(client, excel_csv(header, rows, encoding="utf-8"), "a.csv"))
    refused = {i["row"]: i["errors"] for i in made["items"] if i["status"] == "invalid"}
    assert set(refused) == {4, 5} and made["counts"]["done"] == 4
    assert "date" in refused[4] and "members.1.by_agreement" in refused[5]


def test_members_sheet_pointing_nowhere_is_refused_naming_sheet_and_row(client, sverdlovsky):
    book = openpyxl.load_workbook(io.BytesIO(templates.batch_xlsx(ORDER, sverdlovsky, "ru")))
    book.worksheets[2]["A4"] = "99"
    out = io.BytesIO()
    book.save(out)
    response = post(client, out.getvalue(), "a.xlsx")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "file": ["Лист «Члены группы», строка 4: нет документа с № 99."]
    }


def test_the_form_shared_json_still_works_and_wins(client, sverdlovsky):
    content = templates.batch_xlsx(ORDER, sverdlovsky, "ru")
    made = finished(
        client,
        post(client, content, "a.xlsx", shared=json.dumps({"date": "2018-04-01"})),
    )
    assert made["counts"]["done"] == 6
    texts = [all_text(document) for document in documents(client, made)]
    assert all("1\xa0апреля\xa02018" in text for text in texts)  # the sheet said 12 March


@pytest.mark.parametrize(
    "content",
    [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), b"PK\x03\x04garbage", b"\x00\x01\x02"],
)
def test_odd_files_are_a_4xx_naming_the_file(client, content):
    for name in ("a.xlsx", "a.csv", "a.xls"):
        response = post(client, content, name)
        assert 400 <= response.status_code < 500, response.get_json()


# Cells, with hypothesis -------------------------------------------------------------------


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2029, 12, 31)))
def test_dates_in_every_spelling_excel_gives(day):
    for text in (
        day.strftime("%d.%m.%Y"),
        f"{day.day}.{day.month}.{day.year % 100:02d}",
        f"{day.day}.{day.month}.{day.year}",
        day.isoformat(),
        f"{day.isoformat()} 00:00:00",
        f"{day.strftime('%d.%m.%Y')} 0:00",
    ):
        assert columns.read_date(text) == day.isoformat(), text
    assert columns.cell_text(datetime(day.year, day.month, day.day), columns.ColumnType("date"))
    serial = (day - date(1899, 12, 30)).days
    assert columns.cell_text(serial, columns.ColumnType("date")) == day.isoformat()


_FLAGS = {
    "true": ["true", "1", "да", "ооба", "истина"],
    "false": ["false", "0", "нет", "жок", "ложь"],
}


@given(st.sampled_from(sorted((w, v) for v, ws in _FLAGS.items() for w in ws)), st.data())
def test_booleans_in_any_case(pair, data):
    word, value = pair
    spelled = "".join(c.upper() if data.draw(st.booleans()) else c.lower() for c in word)
    read = columns.cell_text(f" {spelled} ", columns.ColumnType("flag"))
    assert Flag().deserialize(read) is (value == "true")


_CP1251_TEXT = st.text(
    alphabet=st.sampled_from(
        'абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ №;,"«»-./\n'
    ),
    max_size=40,
).filter(lambda s: s.strip() == s and s)


@given(st.lists(_CP1251_TEXT, min_size=1, max_size=5))
def test_any_russian_text_survives_a_windows_1251_csv(names):
    header = ["number", "place.ru"]
    rows = [[str(n), name] for n, name in enumerate(names)]
    content = excel_csv(header, rows)
    # A file whose Windows-1251 bytes are valid UTF-8 too cannot be told from the UTF-8 one
    # («В«» is C2 AB, UTF-8's «); a sheet's real text never is: two lower-case letters in a
    # row are not.
    assume(not _is_utf8(content))
    table = read_table(content, "a.csv", kind=ORDER, language="ru")
    assert [i["place"]["ru"] for i in table.items] == names


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_tables_errors_are_translated_by_the_catalogs():
    for message in (tables.KYRGYZ_LOST_ERROR, tables.OLD_EXCEL_ERROR, tables.CSV_ENCODING_ERROR):
        from service.i18n import translate_error

        for lang in ("ky", "ru"):
            assert translate_error(message.format(row=7), lang) != message.format(row=7)


def test_a_template_in_an_unknown_language_is_a_400(client):
    response = client.get(f"{BATCHES}/templates/{ORDER}.xlsx?language=de")
    assert response.status_code == 400
    assert response.get_json()["message"] == "Unknown language; use ky, ru or en."
    english = client.get(f"{BATCHES}/templates/{ORDER}.csv?language=en")
    assert english.data.decode("utf-8-sig").startswith("item,language,")


# Plans and reports per municipality, from a district's shared skeleton -----------------------

PLAN, REPORT = "joint-plan", "annual-report"
KADAMJAI = {PLAN: "kadamjai-plan-batch", REPORT: "kadamjai-report-batch"}


def _example_batch(kind: str) -> dict:
    return json.loads((EXAMPLES / f"{KADAMJAI[kind]}.json").read_text(encoding="utf-8"))


def _upload(client, kind: str, filename: str, content: bytes | None = None, language="ru"):
    content = content if content is not None else (EXAMPLES / filename).read_bytes()
    return client.post(
        BATCHES,
        data={"kind": kind, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
        headers={"Accept-Language": language},
    )


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_plan_and_report_examples_upload_as_they_are(client, suffix):
    plans = finished(client, _upload(client, PLAN, f"{KADAMJAI[PLAN]}.{suffix}"))
    assert plans["counts"]["done"] == 3, plans["items"]
    reports = finished(client, _upload(client, REPORT, f"{KADAMJAI[REPORT]}.{suffix}"))
    assert reports["counts"]["done"] == 3, reports["items"]
    texts = [all_text(document) for document in documents(client, reports)]
    # Each report is on its own municipality's plan (found by its body and the year), with
    # that plan's figures: Khalmion's road accidents went from 6 to 4.
    for name in ("Үч-Коргон", "Халмион", "Марказ"):
        (text,) = [t for t in texts if f"{name} айыл өкмөтү" in t]
        assert all(other not in text for other in {"Үч-Коргон", "Халмион", "Марказ"} - {name})
    (khalmion,) = [t for t in texts if "Халмион" in t]
    assert "Н.М.\u00a0Ташиев" in khalmion  # its signatory, as a signature line prints him
    plan_texts = [all_text(document) for document in documents(client, plans)]
    (khalmion_plan,) = [t for t in plan_texts if "Халмион" in t]
    assert "Сыдыкова" in khalmion_plan and "Мамытов" not in khalmion_plan


def test_a_report_whose_municipality_has_no_plan_is_its_items_error(client):
    batch = _example_batch(REPORT)
    batch["items"][1]["plan_of"]["municipality"] = "Кара-Добо айыл өкмөтү"
    content = templates.batch_xlsx(REPORT, batch, "ky")
    made = finished(client, _upload(client, REPORT, "r.xlsx", content, language="ky"))
    assert made["items"][1]["status"] == "invalid"
    (error,) = made["items"][1]["errors"]["plan_of"]
    assert error == "No stored joint plan of «Кара-Добо айыл өкмөтү» for 2016."
    from service.i18n import translate_error

    assert translate_error(error, "ky") == (
        "«Кара-Добо айыл өкмөтү» үчүн 2016-жылга сакталган биргелешкен план жок."
    )


@pytest.mark.parametrize("kind", [PLAN, REPORT])
def test_the_plan_and_report_example_workbooks_are_their_json(kind):
    batch = _example_batch(kind)
    name = KADAMJAI[kind]
    made = read_table(templates.batch_xlsx(kind, batch, "ru"), "a.xlsx", kind=kind)
    committed = read_table((EXAMPLES / f"{name}.xlsx").read_bytes(), "b.xlsx", kind=kind)
    assert made == committed
    assert (EXAMPLES / f"{name}.csv").read_bytes() == templates.batch_csv(kind, batch)
    from service.generation import load_input

    csv_items, _rows = tables.items_from_table(
        (EXAMPLES / f"{name}.csv").read_bytes(), f"{name}.csv", kind
    )
    for item, from_xlsx, from_csv in zip(batch["items"], committed.items, csv_items, strict=True):
        expected = merge(batch["shared"], item, skeleton_of(kind))
        if kind == PLAN:  # a report needs its stored plan to load
            assert load_input(
                kind, merge(committed.shared, from_xlsx, skeleton_of(kind))
            ) == load_input(kind, expected)
            assert load_input(kind, merge({}, from_csv)) == load_input(kind, expected)
        else:  # amounts as number cells: «118000.00» reads back as «118000»
            assert _figures(merge(committed.shared, from_xlsx, skeleton_of(kind))) == _figures(
                expected
            )
            assert merge({}, from_csv) == expected


def _figures(value):
    """`value` with every figure as a Decimal, however it was written."""
    if isinstance(value, dict):
        return {k: _figures(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_figures(v) for v in value]
    try:
        return Decimal(value) if isinstance(value, str) else value
    except InvalidOperation:
        return value


@pytest.mark.parametrize("kind", [PLAN, REPORT])
@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_plan_and_report_column_has_a_label_that_reads_back(kind, lang):
    known = columns.layout(kind)
    batch = _example_batch(kind)
    paths = [*known.shared, *known.items, *flat(batch["shared"])]
    for path in paths:
        shown = columns.label(path, lang)
        assert shown != path and "{n}" not in shown and "." not in shown.split(":")[-1], shown
        assert columns.path_of(kind, shown) == path, shown
    # A place the template does not show reads too: a sixth problem's seventh activity, a
    # third indicator's figure added as a column.
    for path in ("problems.5.activities.6.resources.2.amount", "problems.1.indicators.2.target"):
        assert columns.path_of(PLAN, columns.label(path, lang)) == path


def test_the_plan_template_is_made_for_people():
    book = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx(PLAN, "ru")))
    common, items = book.worksheets
    assert [common.title, items.title] == ["Общие сведения", "Документы"]
    assert book.active.title == items.title
    for sheet in book.worksheets:
        assert int(sheet.page_setup.paperSize) == 9 and sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes in ("A2", "B2")
    # The shared sheet carries the district's skeleton: the example's problems, by label.
    labels = [row[1].value for row in common.iter_rows(min_row=2)]
    assert "Год плана" in labels
    assert "Проблема 1, мероприятие 2: название мероприятия, на русском" in labels
    example = {row[1].value: row[3].value for row in common.iter_rows(min_row=2)}
    assert example["Проблема 2: название проблемы, на русском"] == "Скотокрадство"
    # The items: a municipality each, its signatories and its own figures.
    header = [c.value for c in items[1]]
    assert "Председатель кенеша: фамилия и инициалы" in header
    assert "Проблема 1, индикатор 2: базовое значение" in header
    assert items["A2"].value == "Пример"
    assert items.cell(2, header.index("Председатель кенеша: фамилия и инициалы") + 1).value == (
        "Мамытов Б.Т."
    )
    lists = {
        dv.formula1 for sheet in book.worksheets for dv in sheet.data_validations.dataValidation
    }
    assert {'"ежемесячно,ежеквартально"', '"меньше,больше"', '"да,нет"'} <= lists
    assert '"местный бюджет,бизнес,международные организации,местное сообщество,другое"' in lists
    report = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx(REPORT, "ky")))
    report_lists = {
        dv.formula1 for sheet in report.worksheets for dv in sheet.data_validations.dataValidation
    }
    assert '"аткарылды,жарым-жартылай аткарылды,аткарылган жок,жокко чыгарылды"' in report_lists
    header = [c.value for c in report.worksheets[1][1]]
    assert "Пландын 1-иш-чарасы: аткарылышы" in header
    assert header[1] == "Кимдин планы: пландагыдай орган (же муниципалитеттин коду)"


@pytest.mark.parametrize("kind", [PLAN, REPORT])
def test_the_plan_and_report_csv_templates_have_the_same_labels(client, kind):
    with client.get(f"{BATCHES}/templates/{kind}.csv", headers={"Accept-Language": "ru"}) as r:
        text = r.data.decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text), delimiter=";"))
    book = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx(kind, "ru")))
    sheet_labels = {c.value for c in book.worksheets[1][1]} | {
        row[1].value for row in book.worksheets[0].iter_rows(min_row=2)
    }
    assert sheet_labels - {"№ документа"} <= set(header)
    assert example[0] == "Пример"
    assert read_table(r.data, "t.csv", kind=kind).items == []


def test_a_filled_plan_template_with_excel_numbers_reads(client):
    # A Russian-locale Excel: «12,5» typed in a figure, the year a number cell.
    batch = _example_batch(PLAN)
    content = templates.batch_xlsx(PLAN, batch, "ru")
    book = openpyxl.load_workbook(io.BytesIO(content))
    items = book.worksheets[1]
    header = [c.value for c in items[1]]
    column = header.index("Проблема 1, индикатор 2: базовое значение") + 1
    items.cell(2, column).value = "12,5"
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "p.xlsx", kind=PLAN, language="ru")
    assert table.shared["period"]["year"] == 2016
    assert table.items[0]["problems"][0]["indicators"][1]["baseline"] == "12.5"
    # A municipality that leaves a problem's figures out keeps the skeleton's place.
    del table.items[2]["problems"][0]
    table.items[2]["problems"].insert(0, None)
    merged = merge(table.shared, table.items[2], skeleton_of(PLAN))
    assert merged["problems"][0]["indicators"][0] == batch["shared"]["problems"][0]["indicators"][0]
    assert merged["problems"][1]["indicators"][0]["baseline"] == "17"
