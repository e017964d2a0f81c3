"""The audit log, for the organisation's admins: as JSON, or exported as CSV or XLSX."""

from __future__ import annotations

import io

from flask_smorest import Blueprint

from service import audit, extensions
from service.api.common import scope
from service.api.downloads import send_download
from service.api.schemas import error_responses
from service.schemas.accounts import AuditEventSchema, AuditQuerySchema

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The audit log")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("", endpoint="audit_events", methods=["GET"])
@blp.arguments(AuditQuerySchema, location="query", as_kwargs=True)
@blp.response(200, AuditEventSchema(many=True))
@blp.doc(
    responses={
        "200": {
            "description": "The organisation's events, oldest first: JSON, or with format= a "
            "CSV (UTF-8) or XLSX file; times in Asia/Bishkek time",
            "content": {
                "application/json": {"schema": AuditEventSchema(many=True)},
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MIME: {"schema": {"type": "string", "format": "binary"}},
            },
        },
        **error_responses({403: "The account is not an admin of the organisation"}),
    }
)
def audit_events(since, until, user_id, municipality_id, format: str):
    """Who did what and when, filtered by days, user and municipality (admins only)."""
    with extensions.db().session() as session:
        found = audit.events(
            session,
            scope(),
            since=since,
            until=until,
            user_id=user_id,
            municipality_id=municipality_id,
        )
    if format == "json":
        return [audit.describe(e) for e in found]
    if format == "csv":
        content, mime = audit.export_csv(found), "text/csv"
    else:
        content, mime = audit.export_xlsx(found), XLSX_MIME
    return send_download(
        io.BytesIO(content), mimetype=mime, as_attachment=True, download_name=f"audit.{format}"
    )
