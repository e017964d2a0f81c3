"""The OpenAPI document for people and for generated clients: valid OpenAPI 3.0 (checked by
openapi-spec-validator), a readable operationId on every operation, request examples taken
from examples/ that the request schemas accept, enums for kinds and formats, and every 4xx
response with the error envelope."""

from __future__ import annotations

import json
import re

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import OpenAPIV30SpecValidator

from service import create_app, extensions
from service.kinds import KINDS
from tests.conftest import EXAMPLES

METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def spec() -> dict:
    app = create_app({"DATABASE_URL": "sqlite://", "CELERY_BROKER_URL": None})
    try:
        with app.test_request_context():
            served = app.test_client().get("/api/openapi.json").get_json()
        return served
    finally:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()


def operations(spec: dict):
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_the_document_is_valid_openapi_3_0(spec):
    errors = [
        f"{'/'.join(map(str, e.path))}: {e.message[:200]}"
        for e in OpenAPIV30SpecValidator(spec).iter_errors()
    ]
    assert not errors, errors


def test_every_operation_has_a_readable_unique_operation_id(spec):
    ids = [operation.get("operationId") for _p, _m, operation in operations(spec)]
    assert all(ids) and len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)+", i) for i in ids), ids
    named = {(m, p): o["operationId"] for p, m, o in operations(spec)}
    assert named["post", "/api/v1/documents/working-group-orders"] == "createWorkingGroupOrder"
    assert named["post", "/api/v1/documents/joint-plans"] == "createJointPlan"
    assert named["post", "/api/v1/documents/annual-reports"] == "createAnnualReport"
    assert named["get", "/api/v1/documents/{document_id}"] == "getDocument"
    assert named["get", "/api/v1/documents/{document_id}/file"] == "downloadDocument"
    assert named["post", "/api/v1/batches"] == "createBatch"
    assert named["get", "/api/v1/batches/{batch_id}/archive"] == "downloadBatchArchive"


def _validator(spec: dict, schema: dict) -> OAS30Validator:
    """A validator of `schema` whose `#/components/…` references are the document's."""
    return OAS30Validator({"allOf": [schema], "components": spec["components"]})


@pytest.mark.parametrize(
    ("path", "files"),
    [
        ("/api/v1/documents/working-group-orders", ["uch-korgon-order"]),
        ("/api/v1/documents/joint-plans", ["uch-korgon-plan", "sverdlovsky-plan"]),
        ("/api/v1/documents/annual-reports", ["uch-korgon-report"]),
        ("/api/v1/batches", ["sverdlovsky-batch"]),
    ],
)
def test_request_examples_are_the_files_of_examples_and_fit_the_schema(spec, path, files):
    body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    assert sorted(body["examples"]) == sorted(files)
    validator = _validator(spec, body["schema"])
    for name in files:
        value = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
        assert body["examples"][name]["value"] == value and body["examples"][name]["summary"]
        problems = [f"{list(e.path)}: {e.message[:120]}" for e in validator.iter_errors(value)]
        assert not problems, (name, problems)


def test_every_4xx_answer_is_the_error_envelope(spec):
    missing = []
    for path, method, operation in operations(spec):
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                response = _resolved(spec, response)
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema != {"$ref": "#/components/schemas/Error"}:
                    missing.append(f"{method} {path} {code}")
    assert not missing, missing
    envelope = spec["components"]["schemas"]["Error"]
    assert {"code", "status", "message", "errors"} <= set(envelope["properties"])


def _resolved(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        *_, section, name = node["$ref"].split("/")
        node = spec["components"][section][name]
    return node


def test_kinds_and_formats_are_enums(spec):
    kinds = sorted(KINDS)
    schemas = spec["components"]["schemas"]
    for name in ("DocumentJob", "BatchOut", "BatchIn"):
        assert sorted(schemas[name]["properties"]["kind"]["enum"]) == kinds, name
    for name in ("WorkingGroupOrderRequest", "JointPlanRequest", "AnnualReportRequest"):
        properties = schemas[name]["properties"]
        assert properties["format"]["enum"] == ["docx", "pdf"]
        assert properties["formats"]["items"]["enum"] == ["docx", "pdf"]
    parameters = {
        (path, p["name"]): p["schema"]
        for path, _m, operation in operations(spec)
        for p in operation.get("parameters", [])
    }
    assert parameters["/api/v1/documents/{document_id}/file", "format"]["enum"] == ["docx", "pdf"]
    template_kinds = parameters["/api/v1/batches/templates/{kind}.{ext}", "kind"]["enum"]
    assert set(template_kinds) <= set(kinds)
