"""HTTP API: one module per resource, registered on a flask-smorest Api (OpenAPI 3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from apispec import BasePlugin
from flask import Blueprint, Flask, send_from_directory
from flask_smorest import Api
from marshmallow import fields as ma_fields
from swagger_ui_bundle import swagger_ui_path
from werkzeug.routing import BaseConverter

from service.api.auth import SAFE_METHODS, SECURITY_SCHEME, init_auth
from service.api.schemas import ErrorSchema
from service.schemas.common import Flag

API_SETTINGS = {
    "API_TITLE": "docgen-kg",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    # Served from this service (swagger-ui-bundle), never from a CDN.
    "OPENAPI_SWAGGER_UI_URL": "/api/docs/static/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Official bilingual (Kyrgyz/Russian) documents of local "
            "self-government bodies, generated as .docx. Errors are localised by "
            "Accept-Language (ru, ky; English otherwise). Texts are trimmed and normalised "
            "(NFC, what a paste from Word brings); the patterns of text fields list the "
            "characters they refuse in the basic plane, and the few invisible format "
            "characters beyond it (tags from U+E0001) are refused too. Every /api/v1 "
            "operation but sign-in needs an API token (`Authorization: Bearer <token>`; "
            "`docgen tokens create`, or POST /api/v1/sessions); a record of another "
            "organisation, or beyond the caller's municipalities and roles, answers 404."
        },
        "security": [{SECURITY_SCHEME: []}],
        "components": {
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A per-user API token (dgk_…)",
                }
            }
        },
    },
}


class AuthResponses(BasePlugin):
    """Document on every operation that needs a token what it may answer for that alone:
    401 without a valid one, 429 past a rate limit, and for a write 403 with a read-only
    token."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        if not path or not path.startswith("/api/v1/") or not operations:
            return
        for method, operation in operations.items():
            if operation.get("security") == []:
                continue
            responses = operation.setdefault("responses", {})
            extra = {401: "No valid API token", 429: "Past a rate limit; see Retry-After"}
            if method.upper() not in SAFE_METHODS:
                extra[403] = "A read-only token, or an account without the role for this"
            for code, description in extra.items():
                responses.setdefault(
                    str(code),
                    {
                        "description": description,
                        "content": {"application/json": {"schema": "Error"}},
                    },
                )


# The operationId of each operation, by (method, endpoint): what a generated client names its
# methods. An endpoint missing here gets one made from its name (getBatchesBatchResource).
OPERATION_IDS = {
    ("post", "documents.submit_working_group_order"): "createWorkingGroupOrder",
    ("post", "documents.submit_joint_plan"): "createJointPlan",
    ("post", "documents.submit_annual_report"): "createAnnualReport",
    ("get", "documents.Documents"): "listDocuments",
    ("get", "documents.DocumentJob"): "getDocument",
    ("delete", "documents.DocumentJob"): "deleteDocument",
    ("get", "documents.document_file"): "downloadDocument",
    ("get", "documents.report_draft"): "getReportDraft",
    ("put", "documents.document_number"): "setDocumentNumber",
    ("get", "municipalities.Municipalities"): "listMunicipalities",
    ("post", "municipalities.Municipalities"): "createMunicipality",
    ("get", "municipalities.MunicipalityItem"): "getMunicipality",
    ("put", "municipalities.MunicipalityItem"): "replaceMunicipality",
    ("get", "municipalities.register"): "getRegister",
    ("get", "municipalities.RegisterCounterResource"): "getRegisterCounter",
    ("put", "municipalities.RegisterCounterResource"): "setRegisterCounter",
    ("post", "municipalities.register_lines"): "addRegisterLine",
    ("get", "batches.Batches"): "listBatches",
    ("post", "batches.Batches"): "createBatch",
    ("get", "batches.BatchResource"): "getBatch",
    ("post", "batches.batch_cancel"): "cancelBatch",
    ("get", "batches.batch_archive"): "downloadBatchArchive",
    ("get", "batches.batch_merged_pdf"): "downloadBatchMergedPdf",
    ("get", "batches.batch_template"): "downloadBatchTemplate",
    ("post", "accounts.sign_in"): "signIn",
    ("get", "accounts.me"): "getMe",
    ("get", "accounts.Tokens"): "listTokens",
    ("post", "accounts.Tokens"): "createToken",
    ("post", "accounts.token_revoke"): "revokeToken",
    ("get", "accounts.Users"): "listUsers",
    ("post", "accounts.Users"): "createUser",
    ("get", "accounts.UserItem"): "getUser",
    ("post", "accounts.user_password"): "setUserPassword",
    ("post", "accounts.user_deactivate"): "deactivateUser",
    ("get", "audit.audit_events"): "listAuditEvents",
    ("get", "webhooks.WebhookSecret"): "getWebhookSecret",
    ("post", "webhooks.WebhookSecret"): "createWebhookSecret",
}


class OperationIds(BasePlugin):
    """Give each operation its operationId (OPERATION_IDS, else one made from its endpoint and
    method: `getBatchesBatchResource`). One set by `@blp.doc(operationId=...)` wins."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        for method, operation in operations.items():
            made = OPERATION_IDS.get((method, rule.endpoint)) or _camel(method, rule.endpoint)
            operation.setdefault("operationId", made)


def _camel(method: str, endpoint: str) -> str:
    words = re.split(r"[._]|(?<=[a-z0-9])(?=[A-Z])", f"{method}.{endpoint}")
    return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:] if w)


# Request examples, from examples/ (the files the README and the tests use), by endpoint.
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
REQUEST_EXAMPLES = {
    "documents.submit_working_group_order": {
        "uch-korgon-order": "The Uch-Korgon order of 2015 (the reference)",
    },
    "documents.submit_joint_plan": {
        "uch-korgon-plan": "The joint plan of Uch-Korgon",
        "sverdlovsky-plan": "A joint plan of a territorial unit of Bishkek",
    },
    "documents.submit_annual_report": {
        "uch-korgon-report": "The annual report on the Uch-Korgon plan (the plan inline)",
    },
    "batches.Batches": {
        "sverdlovsky-batch": "Working-group orders for units of Bishkek's Sverdlovsky district",
    },
}


class RequestExamples(BasePlugin):
    """Put the examples of REQUEST_EXAMPLES on their operations' JSON request bodies, and
    the error envelope on every 4xx response documented without a body."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        for method, operation in operations.items():
            for code, response in (operation.get("responses") or {}).items():
                if str(code).startswith("4") and isinstance(response, dict):
                    response.setdefault("content", {"application/json": {"schema": "Error"}})
            examples = REQUEST_EXAMPLES.get(rule.endpoint)
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if method == "post" and examples and body is not None:
                body["examples"] = {
                    name: {"summary": summary, "value": _example(name)}
                    for name, summary in examples.items()
                    if (EXAMPLES_DIR / f"{name}.json").is_file()
                }


def _example(name: str):
    return json.loads((EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8"))


# Output fields that are one of the kinds: documented as such (the register's kind is not: it
# may be an office's own word for an act made outside the service).
KIND_FIELDS = (("DocumentJob", "kind"), ("BatchSummary", "kind"), ("BatchOut", "kind"))


def _kind_enums(api: Api) -> None:
    from service.kinds import KINDS

    schemas = api.spec.components.schemas
    for schema, field in KIND_FIELDS:
        prop = schemas.get(schema, {}).get("properties", {}).get(field)
        if prop is not None and "enum" not in prop:
            prop["enum"] = sorted(KINDS)


def null_or_ref(self, field, ret: dict, **kwargs) -> dict:
    """A nullable nested schema as OpenAPI 3.0.3 says it: null or the schema. (apispec's
    `{"type": "object", "nullable": true}` branch would take any object.)"""
    if "anyOf" not in ret:
        return {}
    return {
        "anyOf": [
            {"type": "object", "nullable": True, "enum": [None]}
            if branch == {"type": "object", "nullable": True}
            else branch
            for branch in ret["anyOf"]
        ]
    }


def one_of_only(self, field, ret: dict, **kwargs) -> dict:
    """A nested field documented as one of several shapes (the order's `control`) is only that:
    apispec's `allOf` of the nested schema would require its first shape."""
    if "oneOf" in field.metadata:
        ret.pop("allOf", None)
    return {}


def decimal_number_or_text(self, field, ret: dict, **kwargs) -> dict:
    """A decimal (an amount, an indicator) as the service takes it: a JSON number, or a string
    of digits that keeps it exact («12000.50», as the examples write amounts); its range
    applies to the number."""
    if not isinstance(field, ma_fields.Decimal) or ret.get("type") != "number":
        return {}
    number = {"type": "number"}
    for key in ("minimum", "maximum", "nullable"):  # null: one branch says it (OpenAPI 3.0)
        if key in ret:
            number[key] = ret.pop(key)
    sign = "" if number.get("minimum", -1) >= 0 else "-?"
    decimals = "{1,2}" if sign == "" else "+"
    text = {"type": "string", "pattern": f"^{sign}[0-9]{{1,12}}(\\.[0-9]{decimals})?$"}
    del ret["type"]
    return {"anyOf": [number, text]}


JOB_ID = "^[0-9a-f]{32}$"


class JobIdConverter(BaseConverter):
    """A job's id in a URL: 32 lower-case hex digits (uuid4().hex)."""

    regex = "[0-9a-f]{32}"


class DocgenApi(Api):
    """flask-smorest's Api, documenting errors with this service's envelope."""

    ERROR_SCHEMA = ErrorSchema


def register_api(app: Flask) -> None:
    from service.api import accounts, audit, batches, documents, health, municipalities
    from service.api.integrations import IntegrationHeaders
    from service.api.integrations import blp as webhooks_blp

    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    # Job ids are 32 hex digits: a kind's URL (`/documents/working-group-orders`) is never
    # taken for a document id, so its 405 names only what it allows.
    app.url_map.converters["job_id"] = JobIdConverter
    init_auth(app)
    plugins = [OperationIds(), RequestExamples(), AuthResponses(), IntegrationHeaders()]
    api = DocgenApi(app, spec_kwargs={"extra_plugins": plugins})
    api.register_converter(JobIdConverter, lambda _c: {"type": "string", "pattern": JOB_ID})
    api.register_field(Flag, None, None)  # its metadata gives the types it takes
    api.ma_plugin.converter.add_attribute_function(null_or_ref)
    api.ma_plugin.converter.add_attribute_function(one_of_only)
    api.ma_plugin.converter.add_attribute_function(decimal_number_or_text)
    app.extensions["api"] = api
    api.register_blueprint(documents.blp)
    api.register_blueprint(municipalities.blp)
    api.register_blueprint(batches.blp)
    api.register_blueprint(accounts.blp)
    api.register_blueprint(audit.blp)
    api.register_blueprint(webhooks_blp)
    _kind_enums(api)
    app.register_blueprint(health.blp)
    app.register_blueprint(_swagger_static())


def _swagger_static() -> Blueprint:
    blp = Blueprint("swagger_static", __name__)

    @blp.get("/api/docs/static/<path:filename>")
    def swagger_static(filename: str):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return blp
