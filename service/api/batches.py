"""Batches: many documents of one kind at once, from JSON or a CSV/XLSX upload."""

from __future__ import annotations

import io
import json

from flask import Response, current_app, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate

from service import callbacks, extensions, submission
from service.api.common import audit_event, json_body, scope
from service.api.downloads import attach, send_download
from service.api.idempotency import PARAMETER as IDEMPOTENCY_PARAMETER
from service.api.idempotency import idempotent
from service.api.integrations import PAGE_HEADERS, PageQuerySchema, allow_private, page_headers
from service.api.schemas import BatchOutSchema, error_responses
from service.batches import archive as batch_archive
from service.batches import creation, listing, tables, templates
from service.batches import merged as batch_merged
from service.errors import BadRequest, InvalidInput
from service.i18n import MESSAGE_LANGUAGES
from service.i18n.request import request_language
from service.kinds import KINDS
from service.quotas import BATCH_ITEMS, DailyQuota
from service.schemas.batch import BatchInSchema
from service.schemas.common import Flag

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blp = Blueprint(
    "batches", __name__, url_prefix="/api/v1/batches", description="Documents for many at once"
)


class BatchListQuerySchema(PageQuerySchema):
    kind = fields.String(validate=validate.OneOf(sorted(KINDS)), metadata={"enum": sorted(KINDS)})
    municipality_id = fields.String(metadata={"description": "Having an item for it"})
    created_from = fields.Date(metadata={"description": "Made on or after this day (Bishkek)"})
    created_to = fields.Date(metadata={"description": "Made on or before this day (Bishkek)"})
    finished = Flag(metadata={"description": "Every item has ended (true), or not (false)"})


class BatchSummarySchema(BatchOutSchema):
    """A batch in a list: its counts, without its items."""

    class Meta:
        exclude = ("items",)


def _request_batch() -> dict:
    """The batch from a JSON body, or from a multipart upload (file + kind, and `shared` as
    JSON if the file has no shared sheet)."""
    request.max_content_length = current_app.config["MAX_BATCH_CONTENT_LENGTH"]
    rows = None
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput(errors={"file": ["Missing data for required field."]})
        try:
            shared = json.loads(request.form.get("shared") or "{}")
        except json.JSONDecodeError:
            raise InvalidInput(errors={"shared": ["Invalid JSON body."]}) from None
        kind = request.form.get("kind")
        table = tables.read_table(
            upload.read(),
            upload.filename or "",
            kind=kind if kind in KINDS else None,  # an unknown kind is refused below
            language=request_language(),
        )
        rows = table.rows
        if isinstance(shared, dict):
            # A workbook's shared sheet, and over it what the form's `shared` says.
            shared = creation.merge(table.shared, shared)
        data = {
            "kind": kind,
            "shared": shared,
            "items": table.items,
            "all_or_nothing": request.form.get("all_or_nothing", "false"),
            "merged_pdf": request.form.get("merged_pdf", "false"),
        }
        if request.form.get("formats"):
            data["formats"] = [f.strip() for f in request.form["formats"].split(",")]
        if request.form.get("pdf_profile"):
            data["pdf_profile"] = request.form["pdf_profile"]
        if request.form.get("title"):
            data["title"] = request.form["title"]
        if request.form.get("callback_url"):
            data["callback_url"] = request.form["callback_url"]
    else:
        data = json_body()
    try:
        return BatchInSchema().load(data) | {"rows": rows}
    except ValidationError as err:
        raise InvalidInput(errors=err.messages) from err


def _with_callback(session, described: dict) -> dict:
    return described | {
        "callback": callbacks.describe(callbacks.of_batch(session, described["id"]))
    }


def _described(batch_id: str) -> dict:
    """The batch as its status shows it, with its callback."""
    with extensions.db().session() as session:
        return _with_callback(session, creation.describe(session, scope(), batch_id))


def _location(batch: dict) -> str:
    return url_for("batches.BatchResource", batch_id=batch["id"])


@blp.route("")
class Batches(MethodView):
    @blp.doc(
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": BatchInSchema},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "kind": {"type": "string", "enum": sorted(KINDS)},
                            "shared": {
                                "type": "string",
                                "description": "JSON object of the fields all items share; "
                                "an XLSX upload may give them on its shared sheet instead "
                                "(what this field says wins)",
                            },
                            "all_or_nothing": {"type": "boolean"},
                            "formats": {
                                "type": "string",
                                "description": "Comma-separated outputs: docx,pdf",
                                "example": "docx,pdf",
                            },
                            "pdf_profile": {"type": "string", "enum": ["pdf/a-2b"]},
                            "merged_pdf": {"type": "boolean"},
                            "callback_url": {"type": "string", "maxLength": 2000},
                        },
                        "required": ["file", "kind"],
                    }
                },
            },
        }
    )
    @blp.doc(
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=error_responses({409: "The Idempotency-Key was used with another body"}),
    )
    @blp.response(202, BatchOutSchema)
    @blp.alt_response(422, description="Invalid batch, or (all_or_nothing) invalid items")
    @idempotent(_described, location=_location)
    def post(self):
        """Submit a batch; bad items are reported with their row, good ones still run."""
        data = _request_batch()
        found = extensions.services()
        callback_url = data.get("callback_url")
        if callback_url is not None:
            with found.db.session() as session:
                callbacks.require_secret(session, scope().tenant)
            callbacks.check_url(callback_url, allow_private=allow_private())
        batch_id = submission.submit_batch(
            found.db,
            found.dispatcher,
            scope(),
            data["kind"],
            data["shared"],
            data["items"],
            title=data["title"],
            all_or_nothing=data["all_or_nothing"],
            rows=data["rows"],
            quota=DailyQuota(BATCH_ITEMS, current_app.config["BATCH_ITEMS_PER_DAY"]),
        )
        if callback_url is not None:
            with found.db.session() as session:
                callbacks.watch(
                    session, scope().tenant, callback_url, request_language(), batch_id=batch_id
                )
        audit_event(
            "created",
            "batch",
            batch_id,
            details={"kind": data["kind"], "items": len(data["items"])},
        )
        return _described(batch_id)

    @blp.arguments(BatchListQuerySchema, location="query")
    @blp.response(200, BatchSummarySchema(many=True), headers=PAGE_HEADERS)
    def get(self, query: dict):
        """The batches the caller may see, newest first, a page at a time (Link and
        X-Total-Count headers), narrowed by kind, municipality, creation days and whether
        every item has ended."""
        page, per_page = query.pop("page"), query.pop("per_page")
        with extensions.db().session() as session:
            ids, total = listing.listed(session, scope(), page=page, per_page=per_page, **query)
            found = [_with_callback(session, creation.describe(session, scope(), i)) for i in ids]
        return found, page_headers(total, page, per_page)


@blp.route("/<batch_id>")
class BatchResource(MethodView):
    @blp.response(200, BatchOutSchema)
    @blp.alt_response(404, description="Unknown batch")
    def get(self, batch_id: str):
        """Progress: counts per status and each item's status, number and errors."""
        with extensions.db().session() as session:
            return _with_callback(session, creation.describe(session, scope(), batch_id))


@blp.route("/<batch_id>/cancel", endpoint="batch_cancel", methods=["POST"])
@blp.response(200, BatchOutSchema)
def cancel(batch_id: str):
    """Cancel the items no worker has started; the others finish."""
    with extensions.db().session() as session:
        cancelled = creation.cancel(session, scope(), batch_id)
    audit_event("cancelled", "batch", batch_id, details={"documents": cancelled})
    with extensions.db().session() as session:
        return creation.describe(session, scope(), batch_id)


@blp.route("/<batch_id>/archive", endpoint="batch_archive")
@blp.doc(
    summary="ZIP of the documents, with manifest.csv",
    responses={
        "200": {
            "description": "The documents and a manifest",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        "409": {"description": "Items still queued or running"},
    },
)
def archive(batch_id: str):
    with extensions.db().session() as session:
        made = batch_archive.stream_archive(
            session, extensions.storage(), scope(), batch_id, request_language()
        )
    audit_event("downloaded", "batch", batch_id)
    # Made while it is sent: each document goes out before the next is read.
    response = Response(made.chunks, mimetype="application/zip")
    attach(response, made.filename)
    response.cache_control.no_cache = True
    return response


@blp.route("/<batch_id>/merged.pdf", endpoint="batch_merged_pdf")
@blp.doc(
    summary="One PDF of every item, in item order, each keeping its own page numbers",
    responses={
        "200": {
            "description": "Every item's PDF in item order",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
        **error_responses(
            {
                404: "Unknown batch",
                409: "Items, or their PDFs, still queued or running; or no item has a PDF "
                '(ask for formats: ["pdf"] or merged_pdf)',
            }
        ),
    },
)
def merged(batch_id: str):
    with extensions.db().session() as session:
        plan = batch_merged.plan_merge(session, scope(), batch_id)
    merged_file = batch_merged.write_merged(extensions.storage(), plan)
    audit_event("downloaded", "batch", batch_id, details={"format": "pdf", "merged": True})
    return send_download(
        merged_file, mimetype="application/pdf", as_attachment=True, download_name=plan.filename
    )


@blp.route("/templates/<kind>.<ext>", endpoint="batch_template")
@blp.doc(
    summary="Upload template (CSV or XLSX) of a kind, labelled in Kyrgyz, Russian or English",
    parameters=[
        {"in": "path", "name": "kind", "required": True,
         "schema": {"type": "string", "enum": [k for k in KINDS if KINDS[k].batch_columns]}},
        {"in": "path", "name": "ext", "required": True,
         "schema": {"type": "string", "enum": ["csv", "xlsx"]}},
        {"in": "query", "name": "language", "required": False,
         "description": "Language of the labels (English: the JSON paths); default: "
                        "Accept-Language",
         "schema": {"type": "string", "enum": list(MESSAGE_LANGUAGES)}},
    ],
    responses={
        "200": {"description": "XLSX: sheets of the shared fields, the documents and their "
                               "members, with drop-downs and an example row; CSV: a row of "
                               "labels and the example row",
                "content": {"text/csv": {"schema": {"type": "string"}},
                            XLSX_MIME: {"schema": {"type": "string", "format": "binary"}}}},
        **error_responses({400: "Unknown format or language",
                           422: "No upload template for this kind"}),
    },
)  # fmt: skip
def template(kind: str, ext: str):
    asked = request.args.getlist("language")
    if len(asked) > 1 or (asked and asked[0] not in MESSAGE_LANGUAGES):
        raise BadRequest("Unknown language; use ky, ru or en.")
    language = asked[0] if asked else request_language()
    if ext == "csv":
        content, mime = templates.template_csv(kind, language), "text/csv"  # Werkzeug: charset
    elif ext == "xlsx":
        content, mime = templates.template_xlsx(kind, language), XLSX_MIME
    else:
        raise BadRequest("Unknown format; use csv or xlsx.")
    return send_download(
        io.BytesIO(content), mimetype=mime, as_attachment=True, download_name=f"{kind}.{ext}"
    )
