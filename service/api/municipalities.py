"""Municipalities: the registry of issuing bodies, and their outgoing registers."""

from __future__ import annotations

import io
from datetime import date

from flask.views import MethodView
from flask_smorest import Blueprint

from service import extensions, registry
from service.api.common import audit_event, json_body, scope
from service.api.downloads import send_download
from service.api.schemas import (
    ErrorSchema,
    MunicipalityOutSchema,
    RegisterEntrySchema,
    error_responses,
)
from service.schemas.municipality import MunicipalitySchema, RegisterQuerySchema

blp = Blueprint(
    "municipalities",
    __name__,
    url_prefix="/api/v1/municipalities",
    description="Registry of issuing bodies and their outgoing registers",
)
BODY = {"required": True, "content": {"application/json": {"schema": MunicipalitySchema}}}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNKNOWN = "Unknown municipality"
UNAVAILABLE = "The database is unavailable; retry after the seconds of Retry-After"
BODY_ERRORS = error_responses(
    {
        400: "Malformed JSON, or nested deeper than 32 levels",
        413: "Body too large",
        415: "The body is not sent as application/json",
        422: "Invalid input; `errors` maps each field path to its messages",
        503: UNAVAILABLE,
    }
)


@blp.route("")
class Municipalities(MethodView):
    @blp.response(200, MunicipalityOutSchema(many=True))
    @blp.alt_response(503, schema=ErrorSchema, description=UNAVAILABLE)
    def get(self):
        """List the municipalities."""
        with extensions.db().session() as session:
            return [registry.describe(m) for m in registry.all_of(session, scope())]

    @blp.doc(requestBody=BODY, responses=BODY_ERRORS)
    @blp.response(201, MunicipalityOutSchema)
    def post(self):
        """Add a municipality."""
        payload = json_body()
        with extensions.db().session() as session:
            municipality = registry.create(session, scope(), payload)
            described = registry.describe(municipality)
        audit_event("created", "municipality", municipality.id, municipality_id=municipality.id)
        return described


@blp.route("/<municipality_id>")
class MunicipalityItem(MethodView):
    @blp.response(200, MunicipalityOutSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN)
    @blp.alt_response(503, schema=ErrorSchema, description=UNAVAILABLE)
    def get(self, municipality_id: str):
        """A municipality, with the grammatical forms its documents use."""
        with extensions.db().session() as session:
            return registry.describe(registry.get(session, scope(), municipality_id))

    @blp.doc(requestBody=BODY, responses=BODY_ERRORS)
    @blp.response(200, MunicipalityOutSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN)
    def put(self, municipality_id: str):
        """Replace a municipality's data."""
        payload = json_body()
        with extensions.db().session() as session:
            before = dict(registry.get(session, scope(), municipality_id).data)
            municipality = registry.replace(session, scope(), municipality_id, payload)
            described = registry.describe(municipality)
        changed = registry.changed_fields(before, municipality.data)
        audit_event(
            "changed",
            "municipality",
            municipality.id,
            municipality_id=municipality.id,
            details={"fields": changed},
        )
        return described


@blp.route("/<municipality_id>/register")
@blp.arguments(RegisterQuerySchema, location="query", as_kwargs=True)
@blp.response(200, RegisterEntrySchema(many=True))
@blp.doc(
    responses={
        "200": {
            "description": "Issued numbers of the year: JSON, or with format= a CSV (UTF-8) or "
            "XLSX file of the same columns",
            "content": {
                "application/json": {"schema": RegisterEntrySchema(many=True)},
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MIME: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **error_responses({404: UNKNOWN, 503: UNAVAILABLE}),
    }
)
def register(municipality_id: str, year: int | None, format: str):
    """The outgoing register: number, date, kind, subject and document of each issue."""
    year = year or date.today().year
    with extensions.db().session() as session:
        entries = registry.register(session, scope(), municipality_id, year)
    if format == "json":
        return entries
    name = f"register-{year}"
    audit_event(
        "exported",
        "register",
        municipality_id,
        municipality_id=municipality_id,
        details={"year": year, "format": format},
    )
    if format == "csv":
        content, mime = registry.register_csv(entries), "text/csv"  # Werkzeug adds the charset
    else:
        content, mime = registry.register_xlsx(entries, name), XLSX_MIME
    return send_download(
        io.BytesIO(content), mimetype=mime, as_attachment=True, download_name=f"{name}.{format}"
    )
