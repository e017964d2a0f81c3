"""Documents: submit a document of a kind, follow its job, download the .docx, delete it."""

from __future__ import annotations

import time
from pathlib import PurePath

from flask import current_app, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from service import callbacks, extensions, registration, retention, submission
from service.api.auth import actor
from service.api.common import audit_event, json_body, scope
from service.api.downloads import send_download
from service.api.integrations import PAGE_HEADERS, PageQuerySchema, allow_private, page_headers
from service.api.schemas import (
    AssignedNumberSchema,
    DocumentJobSchema,
    ErrorSchema,
    FileQuerySchema,
    ReportDraftSchema,
    error_responses,
)
from service.domain.status import Status
from service.errors import BadRequest, InvalidInput, NoSuchOutput, NotReady, OutputFailed
from service.i18n.request import request_language
from service.kinds import KINDS
from service.models import DOCX
from service.quotas import DOCUMENTS, DailyQuota
from service.rendering import DOCX_MIME
from service.schemas.outputs import PDF, OutputsSchema
from service.tasks import records

blp = Blueprint(
    "documents", __name__, url_prefix="/api/v1/documents", description="Generated documents"
)

IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "The same key with the same body returns the same document; "
    "with another body, 409.",
}
UNAVAILABLE = "The database is unavailable; retry after the seconds of Retry-After"
SUBMISSION_ERRORS = error_responses(
    {
        400: "Malformed JSON, nested deeper than 32 levels, or an Idempotency-Key longer than "
        "255 characters",
        409: "The Idempotency-Key was used with another body",
        413: "Body too large",
        415: "The body is not sent as application/json",
        422: "Invalid input; `errors` maps each field path to its messages (the rules across "
        "fields, such as a text in each language of the document, are checked here too)",
        503: "The database or the queue is unavailable; nothing was lost, retry after the "
        "seconds of Retry-After",
    }
)


def submit_document(kind: str, wait: int = 0):
    """Submit the request's input as a document of `kind`; with `wait`, wait up to so many
    seconds (at most WAIT_MAX_SECONDS) for it to be done: 201 then, else 202."""
    payload = json_body()
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 255:
        raise BadRequest("The Idempotency-Key header is longer than 255 characters.")
    found = extensions.services()
    callback = None
    if isinstance(payload, dict) and payload.get("callback_url") is not None:
        with found.db.session() as session:
            callbacks.require_secret(session, scope().tenant)
        url = callbacks.check_url(payload["callback_url"], allow_private=allow_private())
        callback = (url, request_language())
    made = submission.submit_document(
        found.db,
        found.dispatcher,
        scope(),
        kind,
        payload,
        idempotency_key=key,
        quota=DailyQuota(DOCUMENTS, current_app.config["DOCUMENTS_PER_DAY"]),
        callback=callback,
    )
    if made.created:
        record = made.record
        audit_event(
            "created", "document", record.id, municipality_id=record.municipality_id,
            details={"kind": kind},
        )  # fmt: skip
    record, status = made.record, 202
    if wait:
        record = _wait_for(record.id, min(wait, current_app.config["WAIT_MAX_SECONDS"]))
        status = 201 if records.overall_status(record) == Status.DONE else 202
    headers = {"Location": url_for("documents.DocumentJob", document_id=record.id)}
    if not made.created:
        headers["Idempotent-Replayed"] = "true"
    return record, status, headers


def _wait_for(document_id: str, seconds: float):
    """The job once its every output is final, or as it is after `seconds`."""
    deadline = time.monotonic() + seconds
    pause = 0.05
    while True:
        with extensions.db().session() as session:
            record = records.get(session, document_id, scope())
        if Status(records.overall_status(record)).finished or time.monotonic() >= deadline:
            return record
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, 0.5)


class WaitQuerySchema(Schema):
    wait = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=30),
        metadata={
            "description": "Wait up to so many seconds (at most 30, or the WAIT_MAX_SECONDS "
            "setting) for the document: 201 with its links once done, else 202 as without"
        },
    )


class DocumentListQuerySchema(PageQuerySchema):
    kind = fields.String(validate=validate.OneOf(sorted(KINDS)), metadata={"enum": sorted(KINDS)})
    status = fields.String(
        validate=validate.OneOf([s.value for s in Status]),
        metadata={"enum": [s.value for s in Status]},
    )
    municipality_id = fields.String()
    created_from = fields.Date(metadata={"description": "Made on or after this day (Bishkek)"})
    created_to = fields.Date(metadata={"description": "Made on or before this day (Bishkek)"})
    number = fields.String(metadata={"description": "The document's number, as printed"})


def _request_schema(schema: type) -> type:
    """The kind's schema with the output fields (format, formats, pdf_profile), for the
    OpenAPI document: the body is read as those fields plus the kind's input."""
    name = schema.__name__.removesuffix("Schema") + "RequestSchema"
    return type(name, (schema,), dict(OutputsSchema._declared_fields) | CALLBACK_FIELD)


CALLBACK_FIELD = {
    "callback_url": fields.String(
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={
            "description": "POSTed to (signed, see the README's Integrations) once every "
            "output is final; an address on a public network; needs the organisation's "
            "webhook secret (POST /api/v1/webhook-secret)"
        },
    )
}


def _register_kind(kind: str) -> None:
    spec = KINDS[kind]
    path = f"/{spec.url}"
    body = _request_schema(spec.schema)

    @blp.route(path, endpoint=f"submit_{kind.replace('-', '_')}", methods=["POST"])
    @blp.doc(
        summary=f"Generate a {kind.replace('-', ' ')}",
        requestBody={"required": True, "content": {"application/json": {"schema": body}}},
        parameters=[IDEMPOTENCY_HEADER],
        responses=SUBMISSION_ERRORS,
    )
    @blp.arguments(WaitQuerySchema, location="query", as_kwargs=True)
    @blp.response(202, DocumentJobSchema)
    @blp.alt_response(
        201, schema=DocumentJobSchema, description="Done within ?wait=N seconds, with its links"
    )
    def submit(wait: int = 0):
        return submit_document(kind, wait)


for _kind in KINDS:
    _register_kind(_kind)


@blp.route("")
class Documents(MethodView):
    @blp.arguments(DocumentListQuerySchema, location="query")
    @blp.response(200, DocumentJobSchema(many=True), headers=PAGE_HEADERS)
    @blp.alt_response(503, schema=ErrorSchema, description=UNAVAILABLE)
    def get(self, query: dict):
        """The documents the caller may see, newest first, a page at a time (Link and
        X-Total-Count headers), narrowed by kind, status, municipality, creation days and
        number."""
        page, per_page = query.pop("page"), query.pop("per_page")
        with extensions.db().session() as session:
            found, total = records.listed(
                session, scope(), records.Filters(**query), page=page, per_page=per_page
            )
        return found, page_headers(total, page, per_page)


@blp.route("/<job_id:document_id>")
class DocumentJob(MethodView):
    @blp.response(200, DocumentJobSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown document")
    @blp.alt_response(503, schema=ErrorSchema, description=UNAVAILABLE)
    def get(self, document_id: str):
        """Status of a document job: queued, running, done or failed (with errors)."""
        with extensions.db().session() as session:
            record = records.get(session, document_id, scope())
        return record

    @blp.response(200, DocumentJobSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown document")
    @blp.alt_response(
        409, schema=ErrorSchema, description="The document is still being made (queued, running)"
    )
    @blp.alt_response(503, schema=ErrorSchema, description=UNAVAILABLE)
    def delete(self, document_id: str):
        """Delete a document: its input and files are removed, its outgoing register line
        stays, withdrawn, keeping its number. Deleting it again changes nothing."""
        found = extensions.services()
        with found.db.session() as session:
            record, removed = retention.delete_document(session, scope(), document_id, actor())
        retention.forget_unused(found.db, found.storage, removed.keys)
        with found.db.session() as session:
            return records.get(session, document_id, scope())


# What each format of output is served as.
MIME_TYPES = {DOCX: DOCX_MIME, PDF: "application/pdf"}
OUTPUT_FAILED_ERROR = "The {format} could not be made: {reason}"


@blp.route("/<job_id:document_id>/file", endpoint="document_file")
@blp.arguments(FileQuerySchema, location="query")
@blp.doc(
    summary="Download the generated .docx, or the PDF with ?format=pdf",
    responses={
        "200": {
            "description": "The document",
            "content": {
                mime: {"schema": {"type": "string", "format": "binary"}}
                for mime in MIME_TYPES.values()
            },
        },
        **error_responses(
            {
                404: "Unknown document, or the job has no output in this format",
                409: "Not done yet (queued, running or failed), or this output failed (the "
                "message says why; the .docx stays available)",
                410: "The document was deleted, or the retention setting purged its files",
                503: UNAVAILABLE,
            }
        ),
    },
)
def document_file(query: dict, document_id: str):
    with extensions.db().session() as session:
        record = records.get(session, document_id, scope())
    if record.deleted_at is not None or record.outputs_purged_at is not None:
        raise records.gone(record, outputs=True)
    if record.status != Status.DONE:
        raise NotReady(status=record.status)
    output = next((o for o in records.outputs(record) if o.format == query["format"]), None)
    if output is None:
        raise NoSuchOutput(format=query["format"])
    if output.status == Status.FAILED:
        reason = (output.error or {}).get("message", "")
        raise OutputFailed(OUTPUT_FAILED_ERROR, format=output.format, reason=reason)
    if output.artifact is None:
        raise NotReady(status=output.status)
    artifact = output.artifact
    audit_event(
        "downloaded", "document", record.id, municipality_id=record.municipality_id,
        details={"format": artifact.format},
    )  # fmt: skip
    return send_download(
        extensions.storage().open(artifact.key),
        mimetype=MIME_TYPES.get(artifact.format, "application/octet-stream"),
        as_attachment=True,
        download_name=str(PurePath(record.filename).with_suffix(f".{artifact.format}")),
        etag=artifact.sha256,
        max_age=0,
    )


@blp.route("/<job_id:document_id>/report-draft", endpoint="report_draft")
@blp.doc(
    summary="A draft annual report on a joint plan, to complete and submit",
    description="Every activity and indicator of the plan, with empty statuses, actual values "
    "and narrative; complete it and POST it to /api/v1/documents/annual-reports.",
    responses={
        "200": {
            "description": "The report input, prefilled from the plan, with what is to fill "
            "null or empty",
            "content": {"application/json": {"schema": ReportDraftSchema}},
        },
        **error_responses(
            {
                404: "Unknown document",
                409: "The document is not a joint plan",
                410: "The plan was deleted, or the retention setting purged its input",
                503: UNAVAILABLE,
            }
        ),
    },
)
def report_draft(document_id: str):
    with extensions.db().session() as session:
        draft = submission.report_draft(session, scope(), document_id)
    return jsonify(draft)


@blp.route("/<job_id:document_id>/number", endpoint="document_number", methods=["PUT"])
@blp.response(202, DocumentJobSchema)
@blp.doc(
    requestBody={
        "required": True,
        "content": {"application/json": {"schema": AssignedNumberSchema}},
    },
    responses=error_responses(
        {
            404: "Unknown document",
            409: "Not waiting for a number (made with one, or given one already), or still "
            "being made",
            410: "Deleted, or its input purged",
            422: "Invalid number or date (a deadline before the date)",
            503: UNAVAILABLE,
        }
    ),
)
def assign_number(document_id: str):
    """Enter the number and date the electronic document system assigned to an act made with
    `assign_number_later`: the register records them, and the act is made again with them."""
    found = extensions.services()
    # Another organisation's id is unknown whatever the body says: looked up first.
    with found.db.session() as session:
        records.get(session, document_id, scope())
    try:
        data = AssignedNumberSchema().load(json_body())
    except ValidationError as err:
        raise InvalidInput(errors=err.messages) from err
    record, issue = registration.enter_number(
        found.db,
        found.dispatcher,
        found.storage,
        scope(),
        document_id,
        data["number"],
        data["date"],
    )
    audit_event(
        "numbered",
        "document",
        document_id,
        municipality_id=record.municipality_id,
        details={
            "number": data["number"],
            "date": data["date"].isoformat(),
            "seq": issue.seq if issue else None,
        },
    )
    return record
