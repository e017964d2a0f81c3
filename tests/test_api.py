"""The HTTP API: submit, follow, download; every class of bad input; idempotency; OpenAPI."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from service import extensions
from service.models import Blob
from service.tasks import records as jobs
from tests.conftest import LOCAL, ORDERS, wait_until_finished
from tests.docx_reading import open_docx, paragraphs


def test_submit_follow_download(client, order_input):
    response = client.post(ORDERS, json=order_input)
    assert response.status_code == 202
    job = response.get_json()
    assert job["status"] in ("queued", "running", "done")
    assert set(job["links"]) == {"self", "file"}
    status = wait_until_finished(client, job["links"]["self"])
    assert status["status"] == "done", status
    assert status["attempts"] == 1 and status["error"] is None
    with client.get(job["links"]["file"]) as download:
        data = download.data
    assert download.status_code == 200
    assert download.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    disposition = unquote(download.headers["Content-Disposition"])
    assert "filename*=UTF-8''Распоряжение_03-12_146-Б_2015-06-26.docx" in disposition
    assert hashlib.sha256(data).hexdigest() == status["sha256"]
    assert len(data) == status["size"]
    assert "БУЙРУК КЫЛАМ:" in paragraphs(open_docx(data))


def test_input_is_stored_with_the_document(app, client, order_input):
    job = client.post(ORDERS, json=order_input).get_json()
    wait_until_finished(client, job["links"]["self"])
    with extensions.db(app).session() as session:
        record = jobs.get(session, job["id"], LOCAL)
        assert record.input == order_input
        (docx,) = record.artifacts
    assert docx.format == "docx"
    with extensions.storage(app).open(docx.key) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == docx.sha256


def test_same_document_twice_is_stored_once(app, client, order_input):
    first = client.post(ORDERS, json=order_input).get_json()
    second = client.post(ORDERS, json=order_input).get_json()
    assert first["id"] != second["id"]
    for job in (first, second):
        assert wait_until_finished(client, job["links"]["self"])["status"] == "done"
    with extensions.db(app).session() as session:
        keys = {jobs.get(session, job["id"], LOCAL).artifact("docx").key for job in (first, second)}
        assert len(keys) == 1
        key = keys.pop()
        assert session.scalar(select(func.count()).where(Blob.key == key)) == 1
    data = extensions.storage(app).open(key).read()
    assert data == client.get(first["links"]["file"]).data


def test_unknown_document_is_404(client):
    response = client.get("/api/v1/documents/0123456789abcdef0123456789abcdef")
    assert response.status_code == 404
    assert response.get_json()["message"] == "Document not found."
    assert client.get("/api/v1/documents/0123456789abcdef/file").status_code == 404
    malformed = client.get("/api/v1/documents/not-an-id")  # no job has such an id
    assert malformed.status_code == 404 and malformed.get_json()["code"] == 404


def test_file_of_unfinished_job_is_409(app, client, order_input):
    # A job recorded but not yet picked up by any worker.
    with extensions.db(app).session() as session:
        record, _ = jobs.submit(session, "working-group-order", order_input, "ky+ru", scope=LOCAL)
    response = client.get(f"/api/v1/documents/{record.id}/file", headers={"Accept-Language": "ru"})
    assert response.status_code == 409
    assert response.get_json()["message"] == "Документ ещё не готов (статус: queued)."


def test_invalid_input_names_every_field(client, order_input):
    order_input["members"][3]["position"] = {"ru": "ведущий специалист"}
    order_input["members"][5]["role"] = "boss"
    order_input["date"] = "26.06.2015"
    order_input["colour"] = "red"
    del order_input["purpose"]
    response = client.post(ORDERS, json=order_input)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and body["message"] == "The input is invalid."
    assert body["errors"] == {
        "members.3.position.ky": ["Missing Kyrgyz text."],
        "members.5.role": ["Must be one of: leader, deputy, secretary, member."],
        "date": ["Not a valid date."],
        "colour": ["Unknown field."],
        "purpose": ["Missing data for required field."],
    }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", {"members.3.position.ky": ["Нет текста на кыргызском языке."],
                "colour": ["Неизвестное поле."]}),
        ("ky", {"members.3.position.ky": ["Кыргызча тексти жок."],
                "colour": ["Белгисиз талаа."]}),
        ("de", {"members.3.position.ky": ["Missing Kyrgyz text."],
                "colour": ["Unknown field."]}),
    ],
)  # fmt: skip
def test_errors_in_the_language_asked_for(client, order_input, language, expected):
    order_input["members"][3]["position"] = {"ru": "ведущий специалист"}
    order_input["colour"] = "red"
    response = client.post(ORDERS, json=order_input, headers={"Accept-Language": language})
    assert response.status_code == 422
    assert response.get_json()["errors"] == expected


def test_russian_only_document_needs_no_kyrgyz(client, order_input):
    order_input["language"] = "ru"
    order_input["members"][3]["position"] = {"ru": "ведущий специалист"}
    assert client.post(ORDERS, json=order_input).status_code == 202
    order_input["language"] = "ky"
    response = client.post(ORDERS, json=order_input)
    assert response.get_json()["errors"] == {"members.3.position.ky": ["Missing Kyrgyz text."]}


def test_leader_required_and_deadline_after_date(client, order_input):
    order_input["members"][0]["role"] = "member"
    order_input["draft_plan"]["deadline"] = "2015-01-01"
    errors = client.post(ORDERS, json=order_input).get_json()["errors"]
    assert errors == {
        "members": ["Exactly one leader is required."],
        "draft_plan.deadline": ["The deadline must not be before the date of the order."],
    }


def test_malformed_json_is_400(client):
    response = client.post(ORDERS, data='{"language": "ru",', content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["message"] == "Invalid JSON body."
    empty = client.post(ORDERS, data="", content_type="application/json")
    assert empty.status_code == 400


@pytest.mark.parametrize("body", [[], "text", 42, None])
def test_json_that_is_not_an_object_is_422(client, body):
    response = client.post(ORDERS, data=json.dumps(body), content_type="application/json")
    if body is None:
        assert response.status_code == 400
    else:
        assert response.status_code == 422
        assert response.get_json()["errors"] == {"_body": ["Invalid input type."]}


def test_oversize_body_is_413(client, order_input):
    order_input["purpose"]["ru"] = "я" * (3 * 1024 * 1024)
    response = client.post(ORDERS, json=order_input, headers={"Accept-Language": "ru"})
    assert response.status_code == 413
    assert response.get_json()["message"] == "Тело запроса слишком велико."


def test_illegal_xml_character_is_422_not_a_corrupt_file(client, order_input):
    order_input["subject"]["ru"] = "О создании\x0cгруппы"
    response = client.post(ORDERS, json=order_input)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "subject.ru": ["Contains a character that is not allowed in documents: U+000C."]
    }


def test_idempotency_key(client, order_input):
    headers = {"Idempotency-Key": "order-146"}
    first = client.post(ORDERS, json=order_input, headers=headers).get_json()
    again = client.post(ORDERS, json=order_input, headers=headers)
    assert again.status_code == 202 and again.get_json()["id"] == first["id"]
    order_input["number"] = "03-12/147-Б"
    conflict = client.post(ORDERS, json=order_input, headers=headers)
    assert conflict.status_code == 409
    other = client.post(ORDERS, json=order_input, headers={"Idempotency-Key": "order-147"})
    assert other.get_json()["id"] != first["id"]


def test_openapi_is_generated_from_the_schemas(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    post = spec["paths"]["/api/v1/documents/working-group-orders"]["post"]
    assert "202" in post["responses"] and "422" in post["responses"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    order = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"issuer", "members", "draft_plan", "language"} <= set(order["properties"])
    assert order["additionalProperties"] is False
    file = spec["paths"]["/api/v1/documents/{document_id}/file"]["get"]["responses"]["200"]
    assert (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" in file["content"]
    )


def test_docs_page_uses_no_cdn(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/docs/static/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    with client.get("/api/docs/static/swagger-ui-bundle.js") as script:
        assert script.status_code == 200 and b"SwaggerUIBundle" in script.data


def test_health(app, client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    expected = {"database": "ok"}
    if app.config["CELERY_BROKER_URL"]:
        expected["broker"] = "ok"
    assert ready.status_code == 200 and ready.get_json()["checks"] == expected


def test_readyz_is_503_without_database(tmp_path):
    from service import create_app

    # A directory where the database file should be: SQLite cannot open it.
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}"})
    try:
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["database"].startswith("unavailable")
    finally:
        extensions.dispatcher(app).shutdown()


def test_download_by_format_and_the_artifacts_of_a_job(client, order_input):
    job = client.post(ORDERS, json=order_input).get_json()
    assert job["size"] is None and job["sha256"] is None
    assert [(a["format"], a["status"], a["link"]) for a in job["artifacts"]] == [
        ("docx", "queued", None)
    ]
    status = wait_until_finished(client, job["links"]["self"])
    (docx,) = status["artifacts"]
    assert docx == {
        "format": "docx",
        "status": "done",
        "size": status["size"],
        "sha256": status["sha256"],
        "link": f"{job['links']['file']}?format=docx",
        "error": None,
    }
    default = client.get(job["links"]["file"])
    by_format = client.get(docx["link"])
    assert by_format.status_code == 200 and by_format.data == default.data
    assert by_format.headers["Content-Disposition"] == default.headers["Content-Disposition"]
    assert by_format.mimetype == default.mimetype and by_format.headers["ETag"] == (
        f'"{status["sha256"]}"'
    )
    assert hashlib.sha256(by_format.data).hexdigest() == status["sha256"]
    response = client.get(f"{job['links']['file']}?format=pdf")
    assert response.status_code == 404
    assert response.get_json()["message"] == "This document has no output in the format pdf."
    for unknown in ("DOCX", "", "odt"):  # not a format at all: the query is refused
        response = client.get(f"{job['links']['file']}?format={unknown}")
        assert response.status_code == 422, unknown
        assert list(response.get_json()["errors"]) == ["query.format"]
    response = client.get(f"{job['links']['file']}?format=pdf", headers={"Accept-Language": "ru"})
    assert response.get_json()["message"] == "У этого документа нет файла в формате pdf."


def test_format_of_an_unfinished_job_is_409(app, client, order_input):
    with extensions.db(app).session() as session:
        record, _ = jobs.submit(session, "working-group-order", order_input, "ky+ru", scope=LOCAL)
    for query in ("", "?format=docx", "?format=pdf"):
        assert client.get(f"/api/v1/documents/{record.id}/file{query}").status_code == 409


def test_openapi_documents_the_format_and_the_artifacts(client):
    spec = client.get("/api/openapi.json").get_json()
    file = spec["paths"]["/api/v1/documents/{document_id}/file"]["get"]
    (parameter,) = [p for p in file["parameters"] if p["in"] == "query"]
    assert parameter["name"] == "format" and parameter["schema"]["default"] == "docx"
    assert "404" in file["responses"]
    job = spec["components"]["schemas"]["DocumentJob"]["properties"]
    assert {"size", "sha256", "filename", "artifacts"} <= set(job)
    artifact = spec["components"]["schemas"]["Artifact"]["properties"]
    assert set(artifact) == {"format", "status", "size", "sha256", "link", "error"}
