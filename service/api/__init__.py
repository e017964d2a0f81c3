"""HTTP API: one module per resource, registered on a flask-smorest Api (OpenAPI 3)."""

from __future__ import annotations

from flask import Blueprint, Flask, send_from_directory
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path

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
            "Accept-Language (ru, ky; English otherwise)."
        }
    },
}


def register_api(app: Flask) -> None:
    from service.api import batches, documents, health, municipalities

    for key, value in API_SETTINGS.items():
        app.config.setdefault(key, value)
    api = Api(app)
    app.extensions["api"] = api
    api.register_blueprint(documents.blp)
    api.register_blueprint(municipalities.blp)
    api.register_blueprint(batches.blp)
    app.register_blueprint(health.blp)
    app.register_blueprint(_swagger_static())


def _swagger_static() -> Blueprint:
    blp = Blueprint("swagger_static", __name__)

    @blp.get("/api/docs/static/<path:filename>")
    def swagger_static(filename: str):
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    return blp
