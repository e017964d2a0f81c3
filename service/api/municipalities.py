"""Municipalities: the registry of issuing bodies, and their outgoing registers."""

from __future__ import annotations

import io
from datetime import date

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from service import extensions, registry
from service.api.common import audit_event, json_body, scope
from service.api.downloads import send_download
from service.api.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from service.api.idempotency import idempotent
from service.api.integrations import PAGE_HEADERS, PageQuerySchema, page_headers
from service.api.schemas import (
    CounterOutSchema,
    ErrorSchema,
    MunicipalityOutSchema,
    RegisterEntrySchema,
    error_responses,
)
from service.batches import spreadsheets
from service.i18n.request import request_language
from service.schemas.municipality import (
    CounterQuerySchema,
    CounterSchema,
    MunicipalitySchema,
    OutsideLineSchema,
    RegisterQuerySchema,
)

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


def _replay(municipality_id: str) -> dict:
    with extensions.db().session() as session:
        return registry.describe(registry.get(session, scope(), municipality_id))


def _location(described: dict) -> str:
    return url_for("municipalities.MunicipalityItem", municipality_id=described["id"])


@blp.route("")
class Municipalities(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, MunicipalityOutSchema(many=True), headers=PAGE_HEADERS)
    @blp.alt_response(503, schema=ErrorSchema, description=UNAVAILABLE)
    def get(self, query: dict):
        """List the municipalities the caller may see, a page at a time (Link and
        X-Total-Count headers)."""
        page, per_page = query["page"], query["per_page"]
        with extensions.db().session() as session:
            found = registry.all_of(session, scope())
            shown = [registry.describe(m) for m in found[(page - 1) * per_page :][:per_page]]
        return shown, page_headers(len(found), page, per_page)

    @blp.doc(
        requestBody=BODY,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            **BODY_ERRORS,
            **error_responses({409: "The Idempotency-Key was used with another body"}),
        },
    )
    @blp.response(201, MunicipalityOutSchema)
    @idempotent(_replay, location=_location)
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
            "description": "Issued numbers of the year, as a paper outgoing journal keeps "
            "them: JSON, or with format= a `;`-separated CSV (UTF-8 with a BOM, dates "
            "dd.mm.yyyy) or an XLSX file (date cells, laid out for A4) of the same columns, "
            "headed in the language of ?language= or Accept-Language",
            "content": {
                "application/json": {"schema": RegisterEntrySchema(many=True)},
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MIME: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **error_responses({404: UNKNOWN, 503: UNAVAILABLE}),
    }
)
def register(municipality_id: str, year: int | None, format: str, language: str | None):
    """The outgoing register: number, date, kind, subject, signed by, executed by, status."""
    year = year or date.today().year
    with extensions.db().session() as session:
        entries = registry.register(session, scope(), municipality_id, year)
        municipality = registry.get(session, scope(), municipality_id)
        body = registry.display_name(municipality)
    if format == "json":
        return entries
    lang = language or request_language()
    audit_event(
        "exported",
        "register",
        municipality_id,
        municipality_id=municipality_id,
        details={"year": year, "format": format},
    )
    what = spreadsheets.labels("export", ["register"], lang)[0]
    filename = spreadsheets.export_filename(what, body, year, ext=format)
    if format == "csv":
        content, mime = registry.register_csv(entries, lang), "text/csv"  # Werkzeug: charset
    else:
        content, mime = registry.register_xlsx(entries, f"{year} {what}", lang), XLSX_MIME
    return send_download(
        io.BytesIO(content), mimetype=mime, as_attachment=True, download_name=filename
    )


@blp.route("/<municipality_id>/register/counter")
class RegisterCounterResource(MethodView):
    @blp.arguments(CounterQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, CounterOutSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN)
    def get(self, municipality_id: str, year: int | None):
        """Where the year's numbering stands: the last sequence taken and the next one."""
        with extensions.db().session() as session:
            return registry.counter(session, scope(), municipality_id, year or date.today().year)

    @blp.arguments(CounterSchema)
    @blp.response(200, CounterOutSchema)
    @blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN)
    def put(self, data: dict, municipality_id: str):
        """Start the year's numbering at a number (joining mid-year); never below one issued."""
        with extensions.db().session() as session:
            before = registry.counter(session, scope(), municipality_id, data["year"])
            found = registry.set_counter(
                session, scope(), municipality_id, data["year"], data["next"]
            )
        audit_event(
            "changed",
            "register_counter",
            municipality_id,
            municipality_id=municipality_id,
            details={"year": data["year"], "next": data["next"], "was": before.next},
        )
        return found


def _line_id(issue: registry.Issue) -> str:
    return f"{issue.issued_on.year}/{issue.seq}"


def _replay_line(line_id: str) -> registry.Issue:
    year, seq = (int(part) for part in line_id.split("/"))
    with extensions.db().session() as session:
        return registry.register_line(
            session, scope(), request.view_args["municipality_id"], year, seq
        )


def _line_location(issue: registry.Issue) -> str:
    return url_for(
        "municipalities.register",
        municipality_id=request.view_args["municipality_id"],
        year=issue.issued_on.year,
    )


@blp.route("/<municipality_id>/register/lines", endpoint="register_lines", methods=["POST"])
@blp.arguments(OutsideLineSchema)
@blp.doc(
    parameters=[IDEMPOTENCY_PARAMETER],
    responses=error_responses({409: "The Idempotency-Key was used with another body"}),
)
@blp.response(201, RegisterEntrySchema)
@blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN)
@idempotent(_replay_line, location=_line_location, made_id=_line_id)
def record_line(data: dict, municipality_id: str):
    """Record a number taken outside the service: it takes the year's next sequence."""
    with extensions.db().session() as session:
        issue = registry.record_outside(session, scope(), municipality_id, data)
    audit_event(
        "recorded",
        "register_line",
        f"{issue.issued_on.year}/{issue.seq}",
        municipality_id=municipality_id,
        details={"number": issue.number, "seq": issue.seq, "kind": issue.kind},
    )
    return issue
