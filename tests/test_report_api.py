"""The annual report over HTTP: from a stored plan by its id, the draft, the errors."""

from __future__ import annotations

import copy
import io
import json
import zipfile

import pytest

from tests.conftest import EXAMPLES, ORDERS, wait_until_finished
from tests.docx_reading import all_text, open_docx

PLANS = "/api/v1/documents/joint-plans"
REPORTS = "/api/v1/documents/annual-reports"
_REPORT = json.loads((EXAMPLES / "uch-korgon-report.json").read_text(encoding="utf-8"))


@pytest.fixture
def report_input() -> dict:
    return copy.deepcopy(_REPORT)


def _stored_plan(client, plan: dict) -> str:
    response = client.post(PLANS, json=plan)
    assert response.status_code == 202
    return response.get_json()["id"]


def test_report_from_a_stored_plan(client, report_input):
    plan_id = _stored_plan(client, report_input.pop("plan"))
    report_input["plan_id"] = plan_id
    response = client.post(REPORTS, json=report_input, headers={"Accept-Language": "ru"})
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert job["kind"] == "annual-report"
    assert job["warnings"] == ["В отчёте нет данных о мероприятиях 4.3."]
    status = wait_until_finished(client, job["links"]["self"])
    assert status["status"] == "done", status
    with client.get(job["links"]["file"]) as download:
        data = download.data
    assert download.status_code == 200
    text = all_text(open_docx(data))
    assert "Уч-Коргонский айылный кенеш" in text and "нет данных" in text
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert {"word/media/image1.png", "word/media/image2.png"} <= set(package.namelist())


def test_inline_plan(client, report_input):
    response = client.post(REPORTS, json=report_input)
    assert response.status_code == 202
    assert wait_until_finished(client, response.get_json()["links"]["self"])["status"] == "done"


def test_report_draft(client, report_input):
    plan = report_input["plan"]
    plan_id = _stored_plan(client, plan)
    with client.get(f"/api/v1/documents/{plan_id}/report-draft") as response:
        draft = response.get_json()
    assert response.status_code == 200
    assert draft["plan_id"] == plan_id and "plan" not in draft
    assert [a["number"] for a in draft["activities"]] == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3",
    ]  # fmt: skip
    assert all(a["status"] is None for a in draft["activities"])
    assert draft["activities"][0]["spent"] == [
        {"source": "local_budget", "amount": None},
        {"source": "business", "amount": None},
    ]
    assert [i["ref"] for i in draft["indicators"]] == [
        "1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2",
    ]  # fmt: skip
    assert draft["addressee"] == plan["monitoring"]["report_to"]
    # Completed, the draft is a valid report.
    draft["activities"] = [dict(a, status="done", spent=[]) for a in draft["activities"]]
    draft["indicators"] = [dict(i, actual="1") for i in draft["indicators"]]
    draft.update(
        narrative=report_input["narrative"],
        signatory=report_input["signatory"],
        report_date="2017-01-20",
    )
    response = client.post(REPORTS, json=draft)
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["warnings"] == []


def test_report_draft_of_unknown_or_other_document(client, order_input):
    with client.get("/api/v1/documents/nosuchdocument/report-draft") as response:
        assert response.status_code == 404
    order_id = client.post(ORDERS, json=order_input).get_json()["id"]
    with client.get(f"/api/v1/documents/{order_id}/report-draft") as response:
        assert response.status_code == 409
        assert "not a joint plan" in response.get_json()["message"]


def test_unknown_plan_id_and_plan_id_of_an_order(client, report_input, order_input):
    del report_input["plan"]
    report_input["plan_id"] = "nosuchplan"
    response = client.post(REPORTS, json=report_input)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"plan_id": ["Unknown joint plan."]}
    report_input["plan_id"] = client.post(ORDERS, json=order_input).get_json()["id"]
    response = client.post(REPORTS, json=report_input, headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"plan_id": ["Совместный план не найден."]}


def test_unknown_numbers_are_named(client, report_input):
    report_input["activities"][0]["number"] = "7.1"
    report_input["indicators"][0]["ref"] = "7.7"
    report_input["activities"][1]["status"] = "finished"
    response = client.post(REPORTS, json=report_input, headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["activities.0.number"] == ["В плане нет мероприятия 7.1."]
    assert errors["indicators.0.ref"] == ["В плане нет индикатора 7.7."]
    assert errors["activities.1.status"][0].startswith("Допустимые значения")


def test_neither_plan_nor_plan_id_nor_both(client, report_input):
    plan = report_input.pop("plan")
    response = client.post(REPORTS, json=report_input)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"plan": ["Give either plan_id or plan."]}
    report_input.update(plan=plan, plan_id="x")
    response = client.post(REPORTS, json=report_input)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"plan_id": ["Give either plan_id or plan, not both."]}
