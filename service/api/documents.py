"""Documents: submit a document of a kind, follow its job, download the .docx, delete it."""

from __future__ import annotations

from pathlib import PurePath

from flask import current_app, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from service import extensions, registration, retention, submission
from service.api.auth import actor
from service.api.common import audit_event, json_body, scope
from service.api.downloads import send_download
from service.api.schemas import (
    AssignedNumberSchema,
    DocumentJobSchema,
    ErrorSchema,
    FileQuerySchema,
    ReportDraftSchema,
    error_responses,
)
from service.domain.status import Status
from service.errors import BadRequest, NoSuchOutput, NotReady
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


def submit_document(kind: str):
    """Submit the request's input as a document of `kind`."""
    payload = json_body()
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 255:
        raise BadRequest("The Idempotency-Key header is longer than 255 characters.")
    found = extensions.services()
    made = submission.submit_document(
        found.db,
        found.dispatcher,
        scope(),
        kind,
        payload,
        idempotency_key=key,
        quota=DailyQuota(DOCUMENTS, current_app.config["DOCUMENTS_PER_DAY"]),
    )
    if made.created:
        record = made.record
        audit_event(
            "created", "document", record.id, municipality_id=record.municipality_id,
            details={"kind": kind},
        )  # fmt: skip
    return made.record


def _request_schema(schema: type) -> type:
    """The kind's schema with the output fields (format, formats, pdf_profile), for the
    OpenAPI document: the body is read as those fields plus the kind's input."""
    name = schema.__name__.removesuffix("Schema") + "RequestSchema"
    return type(name, (schema,), dict(OutputsSchema._declared_fields))


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
    @blp.response(202, DocumentJobSchema)
    def submit():
        return submit_document(kind)


for _kind in KINDS:
    _register_kind(_kind)


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
        raise NotReady(OUTPUT_FAILED_ERROR, format=output.format, reason=reason)
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
@blp.arguments(AssignedNumberSchema)
@blp.response(202, DocumentJobSchema)
@blp.doc(
    responses=error_responses(
        {
            404: "Unknown document",
            409: "Not waiting for a number (made with one, or given one already), or still "
            "being made",
            410: "Deleted, or its input purged",
            422: "Invalid number or date (a deadline before the date)",
            503: UNAVAILABLE,
        }
    )
)
def assign_number(data: dict, document_id: str):
    """Enter the number and date the electronic document system assigned to an act made with
    `assign_number_later`: the register records them, and the act is made again with them."""
    found = extensions.services()
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
