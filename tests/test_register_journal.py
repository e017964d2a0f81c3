"""The register as offices keep it, in both modes: `;`-CSV with a BOM and XLSX in the request's
language, dates as dates, a print layout; a counter started mid-year; numbers taken outside
the service; an act made with its number and date blank, numbered afterwards and made again."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from datetime import datetime
from urllib.parse import unquote

import openpyxl
import pytest

from service import extensions
from service.batches import columns
from service.models import AuditEvent
from tests import test_spreadsheets as spreadsheet_tests
from tests.conftest import EXAMPLES, ORDERS, wait_until_finished
from tests.docx_reading import open_docx, paragraphs

MUNICIPALITIES = "/api/v1/municipalities"


@pytest.fixture
def uch_korgon(order_input) -> dict:
    issuer = order_input["issuer"]
    return {
        "name": issuer["body"],
        "country": issuer["country"],
        "region": issuer["region"],
        "district": issuer["district"],
        "head": issuer["head"],
        "act": {"ky": "БУЙРУК", "ru": "РАСПОРЯЖЕНИЕ"},
        "numbering_pattern": "03-12/{seq}-Б",
    }


@pytest.fixture
def municipality(client, uch_korgon) -> str:
    response = client.post(MUNICIPALITIES, json=uch_korgon)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


@pytest.fixture
def order(order_input, municipality) -> dict:
    del order_input["issuer"], order_input["number"], order_input["act"]
    order_input["municipality_id"] = municipality
    order_input["executed_by"] = "Асанова А. К."
    return order_input


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # the BOM Excel needs to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _filename(response) -> str:
    disposition = response.headers["Content-Disposition"]
    return unquote(disposition.split("filename*=UTF-8''")[1])


def test_register_as_a_journal_in_csv_and_xlsx(client, municipality, order, uch_korgon):
    first = client.post(ORDERS, json=order).get_json()
    wait_until_finished(client, first["links"]["self"])
    register = f"{MUNICIPALITIES}/{municipality}/register?year=2015"

    with client.get(register + "&format=csv", headers={"Accept-Language": "ru"}) as response:
        assert response.content_type == "text/csv; charset=utf-8"
        rows = _csv(response.data)
        name = _filename(response)
    assert rows[0] == [
        "№ п/п", "Исходящий номер", "Дата", "Вид документа", "Краткое содержание",
        "Кем подписан", "Исполнитель", "Отметка", "Документ в сервисе",
    ]  # fmt: skip
    assert rows[1][:4] == ["1", "03-12/1-Б", "26.06.2015", "Распоряжение"]
    assert rows[1][4] == order["subject"]["ru"]
    head = uch_korgon["head"]
    assert rows[1][5] == f"{head['position']['ru']} {head['name']}"  # who signs: the head
    assert rows[1][6:8] == ["Асанова А. К.", "готов"]
    assert name.startswith("Реестр_исходящих_") and name.endswith("_2015.csv")
    assert "Уч-Коргон" in name

    with client.get(register + "&format=xlsx&language=ky") as response:
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        ky_name = _filename(response)
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["Катар №", "Чыгыш номери", "Күнү"]
    assert sheet["D2"].value == "Буйрук" and sheet["H2"].value == "даяр"
    date_cell = sheet["C2"]
    assert date_cell.is_date and date_cell.value == datetime(2015, 6, 26)
    assert date_cell.number_format == "DD.MM.YYYY"
    assert sheet["A2"].value == 1  # a number, not a text
    assert sheet.title == "2015 Чыгыш документтердин"  # Excel's 31 characters, cut at a word
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"  # the header row on every page
    assert sheet.freeze_panes == "A2"
    assert ky_name.startswith("Чыгыш_документтердин_реестри_") and ky_name.endswith("2015.xlsx")

    with client.get(register + "&format=csv&language=en") as response:
        rows = _csv(response.data)
    assert rows[0][:4] == ["seq", "number", "date", "kind"]
    assert rows[1][3] == "working-group-order"


def test_counter_starts_mid_year_and_never_goes_back(client, municipality, order):
    counter = f"{MUNICIPALITIES}/{municipality}/register/counter"
    response = client.put(counter, json={"year": 2015, "next": 147})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "year": 2015, "last_seq": 146, "next": 147, "next_number": "03-12/147-Б", "issued": 0,
    }  # fmt: skip
    assert client.post(ORDERS, json=order).status_code == 202
    entries = client.get(f"{MUNICIPALITIES}/{municipality}/register?year=2015").get_json()
    assert [(e["seq"], e["number"]) for e in entries] == [(147, "03-12/147-Б")]
    # Below a number issued: refused, in the user's language.
    refused = client.put(
        counter, json={"year": 2015, "next": 147}, headers={"Accept-Language": "ru"}
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["next"] == [
        "Номера до 147 за 2015 год уже выданы: следующий номер не может быть 147."
    ]
    # Forward is fine (a gap the office chose, e.g. numbers given on paper meanwhile).
    assert client.put(counter, json={"year": 2015, "next": 150}).get_json()["next"] == 150
    assert client.get(counter + "?year=2015").get_json()["issued"] == 147
    # Another year is a counter of its own.
    assert client.get(counter + "?year=2016").get_json()["next"] == 1


def test_numbers_taken_outside_the_service_take_their_seq(client, municipality, order):
    lines = f"{MUNICIPALITIES}/{municipality}/register/lines"
    assert client.post(ORDERS, json=order).status_code == 202
    outside = {
        "date": "2015-06-27",
        "kind": "письмо",
        "subject": "О предоставлении сведений",
        "signed_by": "Глава Айдаров Ш. Ш.",
        "executed_by": "Токтогулова Б.",
    }
    response = client.post(lines, json=outside)
    assert response.status_code == 201, response.get_json()
    line = response.get_json()
    assert (line["seq"], line["number"], line["document_id"], line["status"]) == (
        2, "03-12/2-Б", None, "recorded",
    )  # fmt: skip
    # Its own number as the journal has it, with a check that the sequences agree.
    wrong = client.post(lines, json={**outside, "seq": 7, "number": "03-12/7"})
    assert wrong.status_code == 422 and "seq" in wrong.get_json()["errors"]
    given = client.post(lines, json={**outside, "seq": 3, "number": "03-12/3-п"})
    assert given.status_code == 201 and given.get_json()["number"] == "03-12/3-п"
    # The next document moves on past them: no gap, no number twice.
    assert client.post(ORDERS, json=order).status_code == 202
    entries = client.get(f"{MUNICIPALITIES}/{municipality}/register?year=2015").get_json()
    assert [e["seq"] for e in entries] == [1, 2, 3, 4]
    assert [e["status"] for e in entries][1:3] == ["recorded", "recorded"]
    with client.get(
        f"{MUNICIPALITIES}/{municipality}/register?year=2015&format=csv&language=ru"
    ) as response:
        rows = _csv(response.data)
    assert rows[2][:8] == [
        "2", "03-12/2-Б", "27.06.2015", "письмо", "О предоставлении сведений",
        "Глава Айдаров Ш. Ш.", "Токтогулова Б.", "вне сервиса",
    ]  # fmt: skip
    assert rows[2][8] == ""


def test_a_line_recorded_twice_with_its_idempotency_key_is_one_line(client, municipality):
    lines = f"{MUNICIPALITIES}/{municipality}/register/lines"
    line = {"date": "2015-07-01", "kind": "письмо", "subject": "О сведениях"}
    key = {"Idempotency-Key": "journal-2015-07-01"}
    first = client.post(lines, json=line, headers=key)
    again = client.post(lines, json=line, headers=key)
    assert first.status_code == again.status_code == 201, again.get_json()
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Location"] == first.headers["Location"]
    assert first.headers["Location"].endswith(f"/{municipality}/register?year=2015")
    other = client.post(lines, json={**line, "subject": "Другое"}, headers=key)
    assert other.status_code == 409
    # Without a key, the same body is another line.
    assert client.post(lines, json=line).get_json()["seq"] == 2
    entries = client.get(f"{MUNICIPALITIES}/{municipality}/register?year=2015").get_json()
    assert [e["seq"] for e in entries] == [1, 2]


def test_a_batch_numbers_on_from_the_counter_start_and_the_outside_lines(
    client, municipality, order, monkeypatch
):
    from service.batches import creation

    monkeypatch.setattr(creation, "CHUNK", 2)  # three chunks, each numbering on the last
    counter = f"{MUNICIPALITIES}/{municipality}/register/counter"
    assert client.put(counter, json={"year": 2015, "next": 147}).status_code == 200
    lines = f"{MUNICIPALITIES}/{municipality}/register/lines"
    outside = {"date": "2015-06-20", "kind": "письмо", "subject": "О сведениях"}
    assert client.post(lines, json=outside).get_json()["seq"] == 147
    refused = {**order, "purpose": {"ru": "только по-русски"}}
    items = [order, order, refused, order, order]
    response = client.post("/api/v1/batches", json={"kind": "working-group-order", "items": items})
    assert response.status_code == 202, response.get_json()
    numbers = [i["number"] for i in response.get_json()["items"]]
    assert numbers == ["03-12/148-Б", "03-12/149-Б", None, "03-12/150-Б", "03-12/151-Б"]
    assert client.post(lines, json=outside).get_json()["seq"] == 152
    entries = client.get(f"{MUNICIPALITIES}/{municipality}/register?year=2015").get_json()
    assert [e["seq"] for e in entries] == list(range(147, 153))
    assert client.get(counter + "?year=2015").get_json()["next"] == 153


def test_number_assigned_later_by_the_electronic_system(app, client, municipality, order):
    later = {**order, "assign_number_later": True}
    job = client.post(ORDERS, json=later)
    assert job.status_code == 202, job.get_json()
    job = job.get_json()
    done = wait_until_finished(client, job["links"]["self"])
    assert done["status"] == "done", done
    with client.get(job["links"]["file"]) as download:
        before = download.data
    text = "\n".join(paragraphs(open_docx(before)))
    assert "№\u00a0________" in text or "№ ________" in text
    assert "20___-жылдын «___» ____________" in text  # the Kyrgyz date left blank
    # Nothing was taken from the register.
    register = f"{MUNICIPALITIES}/{municipality}/register?year=2015"
    assert client.get(register).get_json() == []
    # A number with the act: refused.
    both = client.post(ORDERS, json={**later, "number": "5"})
    assert both.status_code == 422 and "number" in both.get_json()["errors"]

    number_url = f"/api/v1/documents/{job['id']}/number"
    response = client.put(number_url, json={"number": "03-12/77", "date": "2015-06-30"})
    assert response.status_code == 202, response.get_json()
    again = wait_until_finished(client, job["links"]["self"])
    assert again["status"] == "done"
    with client.get(job["links"]["file"]) as download:
        after = download.data
    assert after != before
    text = "\n".join(paragraphs(open_docx(after)))
    assert "03-12/77" in text and "________" not in text
    entries = client.get(register).get_json()
    assert [(e["seq"], e["number"], e["date"], e["document_id"]) for e in entries] == [
        (1, "03-12/77", "2015-06-30", job["id"])
    ]
    # The counter moved past it.
    assert client.post(ORDERS, json=order).status_code == 202
    assert [e["seq"] for e in client.get(register).get_json()] == [1, 2]
    # A second time: it has its number now.
    twice = client.put(number_url, json={"number": "03-12/78", "date": "2015-06-30"})
    assert twice.status_code == 409
    with extensions.db(app).session() as session:
        events = session.query(AuditEvent).filter_by(action="numbered").all()
    assert [(e.object_id, e.details["number"], e.details["seq"]) for e in events] == [
        (job["id"], "03-12/77", 1)
    ]


def test_manifest_in_the_request_language(client, municipality, order):
    batch = {
        "kind": "working-group-order",
        "title": "Рабочие группы 2015",
        "shared": {k: v for k, v in order.items() if k != "date"},
        "items": [{"date": "2015-06-26"}, {"date": "31.02.2015"}],
    }
    url = client.post("/api/v1/batches", json=batch).get_json()["links"]
    for _ in range(1200):
        if client.get(url["self"]).get_json()["finished"]:
            break
        time.sleep(0.05)
    with client.get(url["archive"], headers={"Accept-Language": "ru"}) as download:
        archive = zipfile.ZipFile(io.BytesIO(download.data))
        name = _filename(download)
    assert "manifest.csv" in archive.namelist() and "manifest.xlsx" in archive.namelist()
    rows = _csv(archive.read("manifest.csv"))
    assert rows[0] == ["№", "Орган", "Номер", "Дата", "Файл", "SHA-256", "Состояние", "Ошибки"]
    assert rows[1][2:4] == ["03-12/1-Б", "26.06.2015"] and rows[1][6] == "готов"
    assert rows[2][6] == "отклонён"
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("manifest.xlsx"))).active
    assert sheet["D2"].is_date and sheet["D2"].value == datetime(2015, 6, 26)
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    assert name.startswith("Пакет_") and "_2015_Рабочие_группы_2015" in name
    assert name.endswith(".zip") and "Уч-Коргон" in name


def test_an_uploaded_items_errors_name_its_column_by_its_label(client):
    """Item 1's leftover: a value the kind's rules refuse, in an uploaded sheet, is reported
    under the column's label in the user's language; a JSON batch keeps the bare message."""
    batch = json.loads((EXAMPLES / "sverdlovsky-batch.json").read_text(encoding="utf-8"))
    header, rows = spreadsheet_tests.excel_rows(batch, "ru")
    rows[1][header.index(columns.label("date", "ru"))] = "31.02.2018"
    content = spreadsheet_tests.excel_csv(header, rows, encoding="utf-8-sig")
    made = spreadsheet_tests.finished(client, spreadsheet_tests.post(client, content, "1.csv"))
    assert [i["row"] for i in made["items"] if i["errors"]] == [3]  # the sheet's row
    assert made["items"][1]["errors"] == {"date": ["Not a valid date."]}  # English: the path
    ru = client.get(made["links"]["self"], headers={"Accept-Language": "ru"}).get_json()
    expected = "Дата документа: Неверная дата; ожидается ГГГГ-ММ-ДД."
    assert ru["items"][1]["errors"] == {"date": [expected]}
    ky = client.get(made["links"]["self"], headers={"Accept-Language": "ky"}).get_json()
    assert ky["items"][1]["errors"] == {
        "date": [f"{columns.label('date', 'ky')}: Туура эмес дата; ЖЖЖЖ-АА-КК күтүлөт."]
    }
