"""The municipality registry and the outgoing register, in both modes."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest

from tests.conftest import ORDERS, wait_until_finished
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
def by_reference(order_input) -> dict:
    """The order referring to the registry instead of repeating its letterhead and number."""
    del order_input["issuer"], order_input["number"], order_input["act"]
    return order_input


def create(client, data) -> dict:
    response = client.post(MUNICIPALITIES, json=data)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_get_list_update(client, uch_korgon):
    created = create(client, uch_korgon)
    assert created["forms"] == {
        "ru_genitive": "Уч-Коргонского айыл окмоту",
        "ru_locative": "Уч-Коргонском айыл окмоту",
        "ky_genitive": "Үч-Коргон айыл өкмөтүнүн",
        "ky_dative": "Үч-Коргон айыл өкмөтүнө",
        "ky_locative": "Үч-Коргон айыл өкмөтүндө",
    }
    url = f"{MUNICIPALITIES}/{created['id']}"
    assert client.get(url).get_json()["name"] == uch_korgon["name"]
    assert [m["id"] for m in client.get(MUNICIPALITIES).get_json()] == [created["id"]]
    uch_korgon["forms"] = {"ru_locative": "селе Уч-Коргон"}
    updated = client.put(url, json=uch_korgon).get_json()
    assert updated["forms"]["ru_locative"] == "селе Уч-Коргон"
    assert updated["forms"]["ru_genitive"] == "Уч-Коргонского айыл окмоту"


def test_unknown_and_invalid(client, uch_korgon):
    assert client.get(f"{MUNICIPALITIES}/nope").status_code == 404
    uch_korgon["numbering_pattern"] = "03-12/{n}"
    del uch_korgon["head"]
    response = client.post(MUNICIPALITIES, json=uch_korgon, headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"numbering_pattern", "head"}


def test_order_by_reference_takes_consecutive_numbers(client, uch_korgon, by_reference):
    municipality = create(client, uch_korgon)
    by_reference["municipality_id"] = municipality["id"]
    first = client.post(ORDERS, json=by_reference).get_json()
    second = client.post(ORDERS, json=by_reference).get_json()
    status = wait_until_finished(client, first["links"]["self"])
    assert status["status"] == "done"
    with client.get(first["links"]["file"]) as download:
        text = paragraphs(open_docx(download.data))
    assert "№\u00a003-12/1-Б" in text or any("№\u00a003-12/1-Б" in p for p in text)
    assert "БУЙРУК" in text  # the act word came from the registry
    register = client.get(f"{MUNICIPALITIES}/{municipality['id']}/register?year=2015")
    entries = register.get_json()
    assert [(e["number"], e["seq"], e["date"], e["kind"]) for e in entries] == [
        ("03-12/1-Б", 1, "2015-06-26", "working-group-order"),
        ("03-12/2-Б", 2, "2015-06-26", "working-group-order"),
    ]
    assert [e["document_id"] for e in entries] == [first["id"], second["id"]]
    assert entries[0]["subject"] == by_reference["subject"]["ru"]


def test_forms_from_the_registry_reach_the_document(client, uch_korgon, by_reference):
    uch_korgon["forms"] = {"ru_locative": "селе Уч-Коргон"}
    by_reference["municipality_id"] = create(client, uch_korgon)["id"]
    by_reference["language"] = "ru"
    job = client.post(ORDERS, json=by_reference).get_json()
    wait_until_finished(client, job["links"]["self"])
    with client.get(job["links"]["file"]) as download:
        text = paragraphs(open_docx(download.data))
    assert any("профилактике правонарушений в селе Уч-Коргон согласно" in p for p in text)


def test_no_gaps_after_a_refused_request_and_reset_each_year(client, uch_korgon, by_reference):
    municipality = create(client, uch_korgon)
    by_reference["municipality_id"] = municipality["id"]
    bad = {**by_reference, "purpose": {"ru": "только по-русски"}}
    assert client.post(ORDERS, json=bad).status_code == 422
    assert client.post(ORDERS, json=by_reference).status_code == 202
    next_year = {**by_reference, "date": "2016-01-11"}
    next_year["draft_plan"] = {**by_reference["draft_plan"], "deadline": "2016-02-01"}
    assert client.post(ORDERS, json=next_year).status_code == 202
    register = f"{MUNICIPALITIES}/{municipality['id']}/register"
    assert [e["number"] for e in client.get(f"{register}?year=2015").get_json()] == ["03-12/1-Б"]
    assert [e["number"] for e in client.get(f"{register}?year=2016").get_json()] == ["03-12/1-Б"]


def test_explicit_number_is_kept_and_not_registered(client, uch_korgon, by_reference):
    municipality = create(client, uch_korgon)
    by_reference["municipality_id"] = municipality["id"]
    by_reference["number"] = "03-12/146-Б"
    assert client.post(ORDERS, json=by_reference).status_code == 202
    register = client.get(f"{MUNICIPALITIES}/{municipality['id']}/register?year=2015")
    assert register.get_json() == []


def test_unknown_municipality_reference(client, by_reference):
    by_reference["municipality_id"] = "0" * 32
    response = client.post(ORDERS, json=by_reference)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"municipality_id": ["Unknown municipality."]}


def test_register_exports(client, uch_korgon, by_reference):
    municipality = create(client, uch_korgon)
    by_reference["municipality_id"] = municipality["id"]
    client.post(ORDERS, json=by_reference)
    register = f"{MUNICIPALITIES}/{municipality['id']}/register?year=2015"
    with client.get(register + "&format=csv") as response:
        assert response.content_type == "text/csv; charset=utf-8"
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["number", "seq", "date", "kind", "subject", "document_id"]
    assert rows[1][:4] == ["03-12/1-Б", "1", "2015-06-26", "working-group-order"]
    with client.get(register + "&format=xlsx") as response:
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[2]][:3] == ["03-12/1-Б", 1, "2015-06-26"]


def test_concurrent_requests_get_numbers_without_duplicates_or_gaps(
    app, client, uch_korgon, by_reference
):
    municipality = create(client, uch_korgon)
    by_reference["municipality_id"] = municipality["id"]

    def post(_):
        with app.test_client() as own:
            response = own.post(ORDERS, json=by_reference)
            assert response.status_code == 202, response.get_json()

    count = 100 if app.config["CELERY_BROKER_URL"] else 30
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(post, range(count)))
    entries = client.get(f"{MUNICIPALITIES}/{municipality['id']}/register?year=2015").get_json()
    assert [e["seq"] for e in entries] == list(range(1, count + 1))
    assert len({e["document_id"] for e in entries}) == count
