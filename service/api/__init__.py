"""HTTP API: one module per resource, registered on a flask-smorest Api (OpenAPI 3)."""

from __future__ import annotations

import re

from apispec import BasePlugin
from flask import Blueprint, Flask, send_from_directory
from flask_smorest import Api
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


class OperationIds(BasePlugin):
    """Give each operation an operationId from its endpoint and method, stable while they are:
    `post_documents_submit_joint_plan`, `get_municipalities_municipality_item`. One set by
    `@blp.doc(operationId=...)` wins."""

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        endpoint = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", rule.endpoint).lower()
        for method, operation in operations.items():
            operation.setdefault("operationId", f"{method}_{endpoint.replace('.', '_')}")


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
    plugins = [OperationIds(), AuthResponses(), IntegrationHeaders()]
    api = DocgenApi(app, spec_kwargs={"extra_plugins": plugins})
    api.register_converter(JobIdConverter, lambda _c: {"type": "string", "pattern": JOB_ID})
    api.register_field(Flag, None, None)  # its metadata gives the types it takes
    api.ma_plugin.converter.add_attribute_function(null_or_ref)
    api.ma_plugin.converter.add_attribute_function(one_of_only)
    app.extensions["api"] = api
    api.register_blueprint(documents.blp)
    api.register_blueprint(municipalities.blp)
    api.register_blueprint(batches.blp)
    api.register_blueprint(accounts.blp)
    api.register_blueprint(audit.blp)
    api.register_blueprint(webhooks_blp)
    app.register_blueprint(health.blp)
    app.register_blueprint(_swagger_static())


def _swagger_static() -> Blueprint:
    blp = Blueprint("swagger_static", __name__)

    @blp.get("/api/docs/static/<path:filename>")
    def swagger_static(filename: str):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return blp
