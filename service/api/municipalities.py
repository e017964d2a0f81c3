"""Municipalities: the registry of issuing bodies, and their outgoing registers."""

from __future__ import annotations

import io
from datetime import date

from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from service import extensions, registry
from service.api.common import json_body, scope
from service.api.schemas import MunicipalityOutSchema, RegisterEntrySchema
from service.errors import BadRequest
from service.schemas.municipality import MunicipalitySchema, RegisterQuerySchema

blp = Blueprint(
    "municipalities",
    __name__,
    url_prefix="/api/v1/municipalities",
    description="Registry of issuing bodies and their outgoing registers",
)
BODY = {"required": True, "content": {"application/json": {"schema": MunicipalitySchema}}}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("")
class Municipalities(MethodView):
    @blp.response(200, MunicipalityOutSchema(many=True))
    def get(self):
        """List the municipalities."""
        with extensions.db().session() as session:
            return [registry.describe(m) for m in registry.all_of(session, scope())]

    @blp.doc(requestBody=BODY)
    @blp.response(201, MunicipalityOutSchema)
    @blp.alt_response(422, description="Invalid input, by field path")
    def post(self):
        """Add a municipality."""
        payload = json_body()
        with extensions.db().session() as session:
            return registry.describe(registry.create(session, scope(), payload))


@blp.route("/<municipality_id>")
class MunicipalityItem(MethodView):
    @blp.response(200, MunicipalityOutSchema)
    @blp.alt_response(404, description="Unknown municipality")
    def get(self, municipality_id: str):
        """A municipality, with the grammatical forms its documents use."""
        with extensions.db().session() as session:
            return registry.describe(registry.get(session, scope(), municipality_id))

    @blp.doc(requestBody=BODY)
    @blp.response(200, MunicipalityOutSchema)
    @blp.alt_response(404, description="Unknown municipality")
    def put(self, municipality_id: str):
        """Replace a municipality's data."""
        payload = json_body()
        with extensions.db().session() as session:
            return registry.describe(registry.replace(session, scope(), municipality_id, payload))


@blp.route("/<municipality_id>/register")
@blp.arguments(RegisterQuerySchema, location="query", as_kwargs=True)
@blp.response(200, RegisterEntrySchema(many=True))
@blp.doc(
    responses={
        "200": {
            "description": "Issued numbers of the year (JSON, or CSV / XLSX with format=)",
            "content": {"text/csv": {"schema": {"type": "string"}},
                        XLSX_MIME: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)  # fmt: skip
def register(municipality_id: str, year: int | None, format: str):
    """The outgoing register: number, date, kind, subject and document of each issue."""
    year = year or date.today().year
    if format not in ("json", "csv", "xlsx"):
        raise BadRequest("Unknown format; use json, csv or xlsx.")
    with extensions.db().session() as session:
        entries = registry.register(session, scope(), municipality_id, year)
    if format == "json":
        return entries
    name = f"register-{year}"
    if format == "csv":
        content, mime = registry.register_csv(entries), "text/csv"  # Werkzeug adds the charset
    else:
        content, mime = registry.register_xlsx(entries, name), XLSX_MIME
    return send_file(
        io.BytesIO(content), mimetype=mime, as_attachment=True, download_name=f"{name}.{format}"
    )
