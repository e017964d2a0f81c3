"""The municipality registry and the outgoing register, in both modes."""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import openpyxl
import pytest

from service import extensions, submission
from service.batches import creation
from tests.conftest import EXAMPLES, ORDERS, wait_until_finished
from tests.conftest import LOCAL as DEFAULT_SCOPE
from tests.docx_reading import all_text, open_docx, paragraphs

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
        "ru_in_text": "Уч-Коргонский айыл окмоту",
        "ru_genitive": "Уч-Коргонского айыл окмоту",
        "ru_dative": "Уч-Коргонскому айыл окмоту",
        "ru_accusative": "Уч-Коргонский айыл окмоту",
        "ru_instrumental": "Уч-Коргонским айыл окмоту",
        "ru_locative": "Уч-Коргонском айыл окмоту",
        "ky_genitive": "Үч-Коргон айыл өкмөтүнүн",
        "ky_dative": "Үч-Коргон айыл өкмөтүнө",
        "ky_locative": "Үч-Коргон айыл өкмөтүндө",
    }
    url = f"{MUNICIPALITIES}/{created['id']}"
    assert client.get(url).get_json()["name"] == uch_korgon["name"]
    listed = client.get(MUNICIPALITIES).get_json()
    assert [m for m in listed if m["id"] == created["id"]] == [client.get(url).get_json()]
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
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "seq", "number", "date", "kind", "subject", "signed_by", "executed_by", "status",
        "document_id",
    ]  # fmt: skip
    assert rows[1][:4] == ["1", "03-12/1-Б", "26.06.2015", "working-group-order"]
    assert rows[1][7] in ("queued", "running", "done")
    with client.get(register + "&format=xlsx") as response:
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[2]][:3] == [1, "03-12/1-Б", datetime(2015, 6, 26)]


def test_user_text_never_becomes_a_spreadsheet_formula(client, uch_korgon, by_reference):
    municipality = create(client, uch_korgon)
    by_reference["municipality_id"] = municipality["id"]
    formula = '=HYPERLINK("http://example.invalid","Открыть")'
    by_reference["subject"] = {"ky": formula, "ru": formula}
    assert client.post(ORDERS, json=by_reference).status_code == 202
    register = f"{MUNICIPALITIES}/{municipality['id']}/register?year=2015"
    with client.get(register + "&format=csv") as response:
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][4] == "'" + formula  # Excel shows the text, does not run it
    with client.get(register + "&format=xlsx") as response:
        cell = openpyxl.load_workbook(io.BytesIO(response.data)).active["E2"]
    assert cell.value == formula and cell.data_type == "s"
    assert client.get(register + "&format=json").get_json()[0]["subject"] == formula


def test_bad_numbering_patterns_are_refused_when_saved(client, uch_korgon):
    for pattern in ["{seq}}", "{seq}{", "{seq}{x!r}", "{seq}{year[0]}", "{{seq}}",
                    "{seq}{seq.__class__}", "03-12/{n}", "Б" * 60 + "/{seq}"]:  # fmt: skip
        uch_korgon["numbering_pattern"] = pattern
        response = client.post(MUNICIPALITIES, json=uch_korgon)
        assert response.status_code == 422, pattern
        assert set(response.get_json()["errors"]) == {"numbering_pattern"}
    uch_korgon["numbering_pattern"] = "{seq:03d}/{year}"
    assert client.post(MUNICIPALITIES, json=uch_korgon).status_code == 201


def test_zero_padded_numbers_and_a_partial_letterhead_given_with_the_reference(
    client, uch_korgon, by_reference
):
    uch_korgon["numbering_pattern"] = "{seq:03d}/{year}"
    by_reference["municipality_id"] = create(client, uch_korgon)["id"]
    # The input gives the region itself: the rest of the letterhead still comes from the registry.
    by_reference["issuer"] = {"region": {"ky": "Баткен облусу", "ru": "Баткенская область"}}
    response = client.post(ORDERS, json=by_reference)
    assert response.status_code == 202, response.get_json()
    wait_until_finished(client, response.get_json()["links"]["self"])
    with client.get(response.get_json()["links"]["file"]) as download:
        text = all_text(open_docx(download.data))
    assert "№\u00a0001/2015" in text
    assert "Баткенская область" in text and "Уч-Коргонский айыл окмоту" in text


def test_name_in_neither_language_and_spaces_around(client, uch_korgon):
    uch_korgon["name"] = {}
    response = client.post(MUNICIPALITIES, json=uch_korgon, headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "name": ["Укажите название на кыргызском, на русском или на обоих языках."]
    }
    uch_korgon["name"] = {"ky": "  Үч-Коргон айыл өкмөтү ", "ru": "Уч-Коргонский айыл окмоту\n"}
    created = create(client, uch_korgon)
    assert created["name"] == {"ky": "Үч-Коргон айыл өкмөтү", "ru": "Уч-Коргонский айыл окмоту"}
    assert created["forms"]["ky_genitive"] == "Үч-Коргон айыл өкмөтүнүн"


def test_register_year_out_of_range_is_a_field_error(client, uch_korgon):
    municipality = create(client, uch_korgon)
    response = client.get(
        f"{MUNICIPALITIES}/{municipality['id']}/register?year=99999999999999999999"
    )
    assert response.status_code == 422 and "query.year" in response.get_json()["errors"]


def test_order_by_reference_without_a_date_names_only_the_date(client, uch_korgon, by_reference):
    by_reference["municipality_id"] = create(client, uch_korgon)["id"]
    del by_reference["date"]
    response = client.post(ORDERS, json=by_reference)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"date"}


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


def test_numbers_of_cancelled_documents_stay_taken_and_say_so(
    app, client, uch_korgon, by_reference
):
    by_reference["municipality_id"] = create(client, uch_korgon)["id"]
    db = extensions.db(app)
    batch_id = creation.create(
        db,
        DEFAULT_SCOPE,
        "working-group-order",
        {},
        [by_reference] * 3,
        enqueue=lambda _: None,
        record=submission.record_document,
    )
    with db.session() as session:
        creation.cancel(session, DEFAULT_SCOPE, batch_id)
    assert client.post(ORDERS, json=by_reference).status_code == 202
    register = client.get(
        f"{MUNICIPALITIES}/{by_reference['municipality_id']}/register?year=2015"
    ).get_json()
    assert [(e["seq"], e["status"]) for e in register][:3] == [(n, "cancelled") for n in (1, 2, 3)]
    assert register[3]["seq"] == 4 and register[3]["status"] != "cancelled"


def test_joint_plan_by_reference_ignores_the_act_words_of_orders(client, uch_korgon):
    plan = json.loads((EXAMPLES / "uch-korgon-plan.json").read_text(encoding="utf-8"))
    del plan["issuer"]
    plan["municipality_id"] = create(client, uch_korgon)["id"]  # it has act words
    response = client.post("/api/v1/documents/joint-plans", json=plan)
    assert response.status_code == 202, response.get_json()
