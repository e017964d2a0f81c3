"""The joint plan over HTTP and the command line: submit, warnings, download, OpenAPI."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from urllib.parse import unquote

import pytest

from tests.conftest import EXAMPLES, ORDERS, ROOT, wait_until_finished
from tests.docx_reading import open_docx, paragraphs, tables

PLANS = "/api/v1/documents/joint-plans"
_RURAL = json.loads((EXAMPLES / "uch-korgon-plan.json").read_text(encoding="utf-8"))


@pytest.fixture
def plan_input() -> dict:
    return copy.deepcopy(_RURAL)


def test_submit_follow_download(client, plan_input):
    response = client.post(PLANS, json=plan_input)
    assert response.status_code == 202
    job = response.get_json()
    assert job["kind"] == "joint-plan" and job["warnings"] == []
    status = wait_until_finished(client, job["links"]["self"])
    assert status["status"] == "done", status
    assert status["warnings"] == []
    with client.get(job["links"]["file"]) as download:
        data = download.data
    assert download.status_code == 200
    disposition = unquote(download.headers["Content-Disposition"])
    assert "filename*=UTF-8''Совместный_план_2016_Уч-Коргонский_айыл_окмоту.docx" in disposition
    doc = open_docx(data)
    assert "Мониторинг жана баа берүү" in paragraphs(doc)
    assert tables(doc)[0][0] == ["БЕКИТЕМ"] * 3


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "A plan usually has 4 or 5 priority problems; this one has 3."),
        ("ru", "Обычно в плане 4–5 приоритетных проблем; в этом плане их 3."),
        ("ky", "Адатта планда 4–5 артыкчылыктуу көйгөй болот; бул планда 3."),
    ],
)
def test_unusual_number_of_problems_is_a_warning(client, plan_input, language, expected):
    plan_input["problems"].pop()
    response = client.post(PLANS, json=plan_input, headers={"Accept-Language": language})
    assert response.status_code == 202
    assert response.get_json()["warnings"] == [expected]
    status = wait_until_finished(client, response.get_json()["links"]["self"])
    assert status["status"] == "done"


def test_six_problems_and_a_worse_target(client, plan_input):
    extra = copy.deepcopy(plan_input["problems"][0])
    extra["indicators"] = [dict(i, ref=f"5.{n}") for n, i in enumerate(extra["indicators"], 1)]
    extra["indicators"][0]["target"] = "20"  # baseline 14, lower is better
    plan_input["problems"] += [extra, copy.deepcopy(extra)]
    plan_input["problems"][5]["indicators"] = [
        dict(i, ref=f"6.{n}", target=i["baseline"]) for n, i in enumerate(extra["indicators"], 1)
    ]
    response = client.post(PLANS, json=plan_input, headers={"Accept-Language": "ru"})
    assert response.status_code == 202
    # An unchanged target is not worse; a target above a lower-is-better baseline is.
    assert response.get_json()["warnings"] == [
        "Обычно в плане 4–5 приоритетных проблем; в этом плане их 6.",
        "Целевое значение индикатора 5.1 хуже базового.",
    ]


def test_order_responses_carry_no_warnings(client):
    order = json.loads((EXAMPLES / "uch-korgon-order.json").read_text(encoding="utf-8"))
    response = client.post(ORDERS, json=order)
    assert response.status_code == 202 and response.get_json()["warnings"] == []


def test_invalid_plan_is_422(client, plan_input):
    plan_input["problems"][0]["activities"][0]["deadline"] = "2017-01-01"
    response = client.post(PLANS, json=plan_input, headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"] == "Входные данные содержат ошибки."
    assert body["errors"] == {
        "problems.0.activities.0.deadline": ["Срок выходит за пределы периода плана."]
    }


def test_openapi_documents_the_plan(client):
    spec = client.get("/api/openapi.json").get_json()
    post = spec["paths"][PLANS]["post"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    plan = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"issuer", "period", "problems", "monitoring", "approvers", "baseline_study"} <= set(
        plan["properties"]
    )
    assert plan["additionalProperties"] is False
    job = spec["components"]["schemas"]["DocumentJob"]["properties"]["warnings"]
    assert job["type"] == "array" and job["readOnly"] is True


def test_command_line(tmp_path):
    out = tmp_path / "plan.docx"
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "render", "joint-plan",
         str(EXAMPLES / "sverdlovsky-plan.json"), "-o", str(out), "--language", "ru"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = paragraphs(open_docx(out.read_bytes()))
    assert "Бюджет плана по источникам финансирования" in text
    assert "Пландын каржылоо булактары боюнча бюджети" not in text
