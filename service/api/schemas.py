"""Output schemas of the API's resources (jobs and their outputs, municipalities and their
register, batches), the error envelope, and the download's query."""

from __future__ import annotations

from flask import url_for
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import inspect

from service import callbacks
from service.batches import columns
from service.domain.notices import Notice
from service.domain.status import Status
from service.errors import flatten_errors
from service.i18n import translate_error, translate_errors, translate_notice
from service.i18n.request import request_language
from service.models import DOCX
from service.schemas.common import LocalDateTime
from service.schemas.outputs import FORMATS
from service.tasks import records


class ErrorSchema(Schema):
    """The envelope of every error response (service.api.errors)."""

    code = fields.Integer(required=True, metadata={"description": "The HTTP status code"})
    status = fields.String(
        required=True, metadata={"description": "Its name", "example": "Not Found"}
    )
    message = fields.String(
        required=True, metadata={"description": "What is wrong, in the language of Accept-Language"}
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "Messages by field path (`issuer.head.name`, `problems.0.title.ru`; "
            "`_body`: the body as a whole, `query.year`: a query parameter); only when fields "
            "are at fault"
        },
    )


class FileQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    format = fields.String(
        load_default=DOCX,
        validate=validate.OneOf(FORMATS),
        metadata={"description": "Which output of the job: docx or pdf", "example": DOCX},
    )


class LinksSchema(Schema):
    self = fields.String(metadata={"description": "This job's status"})
    file = fields.String(metadata={"description": "The .docx, once the job is done"})


class ArtifactSchema(Schema):
    """One output of a job (service.tasks.records.Output), with its own status."""

    format = fields.String(metadata={"enum": list(FORMATS), "example": DOCX})
    status = fields.String(
        metadata={
            "enum": [s.value for s in Status],
            "description": "This output's own: a failed PDF leaves the .docx done",
        }
    )
    size = fields.Method("artifact_size", metadata={"type": "integer", "nullable": True})
    sha256 = fields.Method("artifact_sha256", metadata={"type": "string", "nullable": True})
    link = fields.Method(
        "make_link",
        metadata={"type": "string", "nullable": True, "description": "Download this output"},
    )
    error = fields.Method(
        "localized_error",
        metadata={"type": "string", "nullable": True, "description": "Why it failed"},
    )

    def artifact_size(self, output) -> int | None:
        return output.artifact.size if output.artifact else None

    def artifact_sha256(self, output) -> str | None:
        return output.artifact.sha256 if output.artifact else None

    def make_link(self, output) -> str | None:
        if output.artifact is None:
            return None
        return url_for(
            "documents.document_file", document_id=output.document_id, format=output.format
        )

    def localized_error(self, output) -> str | None:
        if not output.error:
            return None
        return translate_error(output.error.get("message", ""), request_language())


class _Outputs(fields.List):
    """A job's outputs (service.tasks.records.outputs), each with its own status."""

    def get_value(self, obj, attr, accessor=None, default=None):
        return records.outputs(obj)


class CallbackAttemptSchema(Schema):
    at = fields.String(metadata={"description": "When (UTC, ISO 8601)"})
    status_code = fields.Integer(metadata={"description": "The receiver's answer"})
    error = fields.String(metadata={"description": "Why no answer came (or it was refused)"})
    seconds = fields.Float()


class CallbackSchema(Schema):
    """A job's or batch's callback (service.callbacks) and its delivery attempts."""

    url = fields.String()
    status = fields.String(
        metadata={
            "enum": ["waiting", "pending", "delivered", "failed"],
            "description": "waiting (for the job or batch to end) → pending (being tried) → "
            "delivered | failed (after its last attempt)",
        }
    )
    attempts = fields.Integer()
    history = fields.List(fields.Nested(CallbackAttemptSchema))
    next_attempt_at = LocalDateTime(allow_none=True)
    delivered_at = LocalDateTime(allow_none=True)


class DocumentJobSchema(Schema):
    id = fields.String()
    kind = fields.String()
    language = fields.String()
    status = fields.Method(
        "job_status",
        metadata={
            "type": "string",
            "enum": [s.value for s in Status],
            "description": "queued → running → done | failed; done once every output asked "
            "for is final (a failed PDF is listed in `artifacts` with its error)",
        },
    )
    formats = fields.Method(
        "asked_formats",
        metadata={"type": "array", "items": {"type": "string", "enum": list(FORMATS)}},
    )
    pdf_profile = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    size = fields.Method("docx_size", metadata={"type": "integer", "nullable": True})
    sha256 = fields.Method("docx_sha256", metadata={"type": "string", "nullable": True})
    artifacts = _Outputs(
        fields.Nested(ArtifactSchema),
        dump_only=True,
        metadata={
            "description": "The job's outputs, one per format asked for (the .docx first), "
            "each with its own status, link and error"
        },
    )
    attempts = fields.Integer()
    created_at = LocalDateTime()
    finished_at = LocalDateTime(allow_none=True)
    deleted_at = LocalDateTime(
        allow_none=True,
        metadata={
            "description": "When the document was deleted: its input and outputs are gone, its "
            "register line stays, withdrawn"
        },
    )
    outputs_purged_at = LocalDateTime(
        allow_none=True,
        metadata={"description": "When the retention setting purged its outputs"},
    )
    input_purged_at = LocalDateTime(
        allow_none=True,
        metadata={"description": "When the retention setting purged its input"},
    )
    error = fields.Method(
        "localized_error",
        allow_none=True,
        metadata={"description": "Why the job failed: message and errors by field path"},
    )
    links = fields.Method("make_links")
    warnings = fields.Method(
        "localized_warnings",
        dump_only=True,
        metadata={
            "type": "array",
            "items": {"type": "string"},
            "description": "Unusual but valid input (a name that could not be read or whose "
            "declension is uncertain, naming the field to set; the number of priority "
            "problems), as recorded at the submission",
        },
    )

    callback = fields.Method(
        "job_callback",
        metadata={
            "type": "object",
            "nullable": True,
            "description": "The callback asked for with callback_url, and its attempts",
        },
    )

    def job_callback(self, record) -> dict | None:
        if "callback" in inspect(record).unloaded:
            return None  # a job made before this session's queries loaded it
        described = callbacks.describe(record.callback)
        return None if described is None else CallbackSchema().dump(described)

    def asked_formats(self, record) -> list[str]:
        return [DOCX, *(record.formats or ())]

    def job_status(self, record) -> str:
        return records.overall_status(record, records.outputs(record))

    def docx_size(self, record) -> int | None:
        docx = record.artifact(DOCX)
        return docx.size if docx else None

    def docx_sha256(self, record) -> str | None:
        docx = record.artifact(DOCX)
        return docx.sha256 if docx else None

    def localized_error(self, record) -> dict | None:
        if not record.error:
            return None
        lang = request_language()
        error = {"message": translate_error(record.error.get("message", ""), lang)}
        if record.error.get("errors"):
            error["errors"] = translate_errors(flatten_errors(record.error["errors"]), lang)
        return error

    def localized_warnings(self, record) -> list[str]:
        lang = request_language()
        return [translate_notice(Notice.from_json(n), lang) for n in record.warnings or ()]

    def make_links(self, record) -> dict:
        links = {"self": url_for("documents.DocumentJob", document_id=record.id)}
        if record.deleted_at is None and record.outputs_purged_at is None:
            links["file"] = url_for("documents.document_file", document_id=record.id)
        return links


class MunicipalityOutSchema(Schema):
    id = fields.String()
    name = fields.Dict()
    country = fields.Dict(allow_none=True)
    region = fields.Dict(allow_none=True)
    district = fields.Dict(allow_none=True)
    head = fields.Dict()
    act = fields.Dict(allow_none=True)
    order_line = fields.Dict(allow_none=True)
    territory = fields.Dict(
        allow_none=True,
        metadata={"description": "Effective territory: set by hand or derived from the name"},
    )
    numbering_pattern = fields.String()
    forms = fields.Dict(metadata={"description": "Effective forms: set by hand or computed"})
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class RegisterEntrySchema(Schema):
    number = fields.String()
    seq = fields.Integer()
    date = fields.Date(attribute="issued_on")
    kind = fields.String()
    subject = fields.String()
    document_id = fields.String(
        allow_none=True, metadata={"description": "None: a number taken outside the service"}
    )
    status = fields.String(
        metadata={
            "description": "Of the document: a cancelled or failed one keeps its number, a "
            "deleted one is `withdrawn`; `recorded`: a number taken outside the service"
        }
    )
    signed_by = fields.String(allow_none=True)
    executed_by = fields.String(allow_none=True)


class AssignedNumberSchema(Schema):
    """The number and date the state's electronic document system gave an act."""

    number = fields.String(
        required=True, validate=validate.Length(min=1, max=50), metadata={"example": "03-12/147"}
    )
    date = fields.Date(required=True, metadata={"example": "2026-03-12"})


class CounterOutSchema(Schema):
    year = fields.Integer()
    last_seq = fields.Integer(metadata={"description": "The last sequence taken (or set)"})
    next = fields.Integer(metadata={"description": "The sequence the next act takes"})
    next_number = fields.String(metadata={"description": "How the next number will read"})
    issued = fields.Integer(metadata={"description": "The highest sequence with a line"})


class DraftSpendingSchema(Schema):
    source = fields.String(metadata={"description": "A funding source of the activity"})
    amount = fields.Raw(allow_none=True, metadata={"description": "To fill: som spent"})


class DraftActivitySchema(Schema):
    number = fields.String(metadata={"example": "1.2"})
    status = fields.Raw(
        allow_none=True,
        metadata={"description": "To fill: done, partly_done, not_done or cancelled"},
    )
    actual_date = fields.Raw(allow_none=True, metadata={"description": "To fill"})
    spent = fields.List(fields.Nested(DraftSpendingSchema))
    comment = fields.Raw(allow_none=True, metadata={"description": "To fill, or leave null"})


class DraftIndicatorSchema(Schema):
    ref = fields.String(metadata={"example": "1.1"})
    actual = fields.Raw(allow_none=True, metadata={"description": "To fill: the actual value"})


class ReportDraftSchema(Schema):
    """An annual report's input with what is to fill left null or empty: not yet valid."""

    plan_id = fields.String()
    language = fields.String(metadata={"enum": ["ky", "ru", "ky+ru"]})
    activities = fields.List(fields.Nested(DraftActivitySchema))
    indicators = fields.List(fields.Nested(DraftIndicatorSchema))
    narrative = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.String()),
        metadata={"description": "summary, difficulties, recommendations, proposals: empty "
                  "texts in each language of the plan"},
    )  # fmt: skip
    addressee = fields.Dict(keys=fields.String(), values=fields.String())
    signatory = fields.Raw(allow_none=True, metadata={"description": "To fill: a person"})
    report_date = fields.Raw(allow_none=True, metadata={"description": "To fill: a date"})


class BatchItemOutSchema(Schema):
    row = fields.Integer()
    municipality_id = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": [*Status, "invalid"]})
    number = fields.String(allow_none=True)
    document_id = fields.String(allow_none=True)
    errors = fields.Method(
        "localized_errors",
        metadata={
            "type": "object",
            "nullable": True,
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Why the item was refused or failed: messages by field path "
            "(`_body`: the item as a whole), in the language of Accept-Language",
        },
    )

    def localized_errors(self, item: dict) -> dict | None:
        errors = item["errors"]
        if not errors:
            return None
        lang = request_language()
        if item.get("uploaded"):
            return columns.labelled_errors(errors, lang)
        return translate_errors(errors, lang)


class BatchOutSchema(Schema):
    id = fields.String()
    kind = fields.String()
    title = fields.String()
    created_at = LocalDateTime()
    cancelled_at = LocalDateTime(allow_none=True)
    finished = fields.Boolean()
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    items = fields.List(fields.Nested(BatchItemOutSchema))
    callback = fields.Nested(
        CallbackSchema,
        allow_none=True,
        metadata={"description": "The callback asked for with callback_url, and its attempts"},
    )
    links = fields.Method("make_links")

    def make_links(self, batch: dict) -> dict:
        return {
            "self": url_for("batches.BatchResource", batch_id=batch["id"]),
            "archive": url_for("batches.batch_archive", batch_id=batch["id"]),
            "cancel": url_for("batches.batch_cancel", batch_id=batch["id"]),
            "merged_pdf": url_for("batches.batch_merged_pdf", batch_id=batch["id"]),
        }


def error_responses(descriptions: dict[int, str]) -> dict[str, dict]:
    """Error responses for `@blp.doc(responses=...)`: each code with its description and the
    envelope's schema."""
    return {
        str(code): {
            "description": description,
            "content": {"application/json": {"schema": ErrorSchema}},
        }
        for code, description in descriptions.items()
    }
