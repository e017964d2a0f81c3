"""The organisation's documents: a list with filters and pages, a page per document, its
downloads, its number entered afterwards, its deletion.

Thin views over what the API calls (service.tasks.records, service.registration,
service.retention), in the signed-in user's scope: another organisation's document is a 404
here as there. A list or a page showing a job still being made carries `data-refresh` (the
address of itself as a fragment): site.js fetches it again every few seconds, and the server
drops the attribute once nothing runs.
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePath

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from service import audit, extensions, registration, registry, retention, submission
from service.api.documents import MIME_TYPES, OUTPUT_FAILED_ERROR, DocumentListQuerySchema
from service.api.downloads import send_download
from service.api.schemas import AssignedNumberSchema
from service.batches.spreadsheets import kind_name, status_name
from service.domain.status import Status
from service.errors import InvalidInput, NoSuchOutput, NotReady, OutputFailed, flatten_errors
from service.i18n import translate_error, translate_errors, translate_message, translate_notice
from service.kinds import KINDS
from service.models import DocumentRecord
from service.schemas.outputs import FORMATS
from service.tasks import records
from service.web.auth import page_actor
from service.web.blueprint import bp, menu_item
from service.web.language import gettext, in_page_language, ui_language

menu_item("web.documents", "Documents")

FRAGMENT = "fragment"  # the X-Requested-With of site.js's refresh


def wants_fragment() -> bool:
    """Whether site.js asks for the refreshing element alone."""
    return request.headers.get("X-Requested-With") == FRAGMENT


def audit_event(action: str, object_type: str, object_id: str | None, **kwargs) -> None:
    """Append what this page did to the audit log, as the API records it."""
    with extensions.db().session() as session:
        audit.record(session, page_actor(), action, object_type, object_id, **kwargs)


def municipality_names(session, scope) -> dict[str, str]:
    """The names of the municipalities `scope` acts for, by id, in the page's language."""
    return {m.id: in_page_language(m.data["name"]) for m in registry.all_of(session, scope)}


def _issuer_name(record: DocumentRecord) -> str:
    """The body named in a document's own input (one made without a municipality id)."""
    body = ((record.input or {}).get("issuer") or {}).get("body")
    if not isinstance(body, dict):
        return ""
    return body.get(ui_language()) or body.get("ru") or body.get("ky") or ""


def _day(value) -> str:
    """An input's ISO date as offices write it (dd.mm.yyyy); blank when there is none."""
    try:
        return date.fromisoformat(value).strftime("%d.%m.%Y") if value else ""
    except (TypeError, ValueError):
        return ""


def describe(record: DocumentRecord, names: dict[str, str]) -> dict:
    """A job as the pages show it: plain values only, in the page's language."""
    lang = ui_language()
    made = records.outputs(record)
    status = records.overall_status(record, made)
    data = record.input or {}
    return {
        "id": record.id,
        "kind": record.kind,
        "kind_name": kind_name(record.kind, lang),
        "status": status,
        "status_name": status_name(status, lang),
        "running": not Status(status).finished,
        "number": data.get("number") or "",
        "date": _day(data.get("date")),
        "municipality": names.get(record.municipality_id or "") or _issuer_name(record),
        "outputs": [
            {
                "format": output.format,
                "status": output.status,
                "status_name": status_name(output.status, lang),
                "link": url_for(f"web.document_{output.format}", document_id=record.id)
                if output.artifact is not None
                else None,
                "error": translate_error((output.error or {}).get("message", ""), lang)
                if output.error
                else "",
            }
            for output in made
        ],
        "deleted": record.deleted_at is not None,
        "purged": record.outputs_purged_at is not None,
    }


def _filters() -> tuple[dict, dict[str, list[str]]]:
    """The list's query, read by the API's own schema; values it refuses are dropped and
    said."""
    given = {k: v for k, v in request.args.items() if v.strip()}
    try:
        return DocumentListQuerySchema().load(given), {}
    except ValidationError as err:
        kept = {k: v for k, v in given.items() if k not in err.messages}
        return DocumentListQuerySchema().load(kept), err.messages


@bp.route("/documents")
def documents():
    """The documents the user may see, newest first, narrowed as the API's list is."""
    query, refused = _filters()
    page, per_page = query.pop("page"), query.pop("per_page")
    scope = current_user.scope
    with extensions.db().session() as session:
        found, total = records.listed(
            session, scope, records.Filters(**query), page=page, per_page=per_page
        )
        names = municipality_names(session, scope)
        shown = [describe(record, names) for record in found]
    context = {
        "documents": shown,
        "running": any(d["running"] for d in shown),
        "self_url": request.full_path.rstrip("?"),
    }
    if wants_fragment():
        return _fragment("documents/_table.html", **context)
    return render_template(
        "documents/list.html",
        **context,
        query=query,
        refused=translate_errors(flatten_errors(refused), ui_language()),
        municipalities=names,
        kinds={kind: kind_name(kind, ui_language()) for kind in KINDS},
        statuses={s.value: status_name(s.value, ui_language()) for s in Status},
        pages=pagination(total, page, per_page),
    )


def _fragment(template: str, **context):
    """Only the refreshing element: what site.js puts in place of the old one."""
    headers = {"Vary": "X-Requested-With", "Cache-Control": "no-store"}
    return render_template(template, **context), 200, headers


def pagination(total: int, page: int, per_page: int) -> dict:
    """Links to the other pages of a list, keeping its filters."""
    last = max(1, -(-total // per_page))
    args = {k: v for k, v in request.args.items() if k != "page"}

    def link(number: int) -> str:
        return url_for(request.endpoint, **request.view_args, **args, page=number)

    return {
        "total": total,
        "page": page,
        "last": last,
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < last else None,
    }


def _record(document_id: str) -> DocumentRecord:
    with extensions.db().session() as session:
        return records.get(session, document_id, current_user.scope)


@bp.route("/documents/<job_id:document_id>")
def document(document_id: str):
    """A document: each output's status, its number and date, its warnings, its downloads."""
    return _document_page(document_id)


def _document_page(document_id: str, number_errors: dict | None = None, entered=None):
    scope = current_user.scope
    lang = ui_language()
    with extensions.db().session() as session:
        record = records.get(session, document_id, scope)
        shown = describe(record, municipality_names(session, scope))
    error = record.error or {}
    shown |= {
        "warnings": [translate_notice(n, lang) for n in submission.stored_warnings(record)],
        "error": translate_error(error.get("message", ""), lang) if error else "",
        "error_details": translate_errors(flatten_errors(error.get("errors") or {}), lang),
        "awaiting_number": registration.awaiting_number(record) and not shown["deleted"],
        "copy_url": _copy_url(record),
    }
    context = {
        "document": shown,
        "number_errors": number_errors or {},
        "entered": entered or {},
        "self_url": url_for("web.document", document_id=document_id),
    }
    if wants_fragment():
        return _fragment("documents/_document.html", **context)
    status = 422 if number_errors else 200
    return render_template("documents/document.html", **context), status


def _copy_url(record: DocumentRecord) -> str | None:
    """Where «Copy as new» opens the kind's form, filled with this document's input."""
    if record.input is None or record.deleted_at is not None:
        return None
    return f"{request.script_root}/documents/new/{KINDS[record.kind].url}?copy={record.id}"


def _artifact(record: DocumentRecord, format: str):
    """The stored output `format` of a job, refused for the reasons the API's download gives."""
    if record.deleted_at is not None or record.outputs_purged_at is not None:
        raise records.gone(record, outputs=True)
    if record.status != Status.DONE:
        raise NotReady(status=record.status)
    output = next((o for o in records.outputs(record) if o.format == format), None)
    if output is None:
        raise NoSuchOutput(format=format)
    if output.status == Status.FAILED:
        reason = (output.error or {}).get("message", "")
        raise OutputFailed(OUTPUT_FAILED_ERROR, format=output.format, reason=reason)
    if output.artifact is None:
        raise NotReady(status=output.status)
    return output.artifact


def _download(document_id: str, format: str):
    record = _record(document_id)
    artifact = _artifact(record, format)
    audit_event(
        "downloaded", "document", record.id, municipality_id=record.municipality_id,
        details={"format": artifact.format},
    )  # fmt: skip
    return send_download(
        extensions.storage().open(artifact.key),
        mimetype=MIME_TYPES.get(artifact.format, "application/octet-stream"),
        download_name=str(PurePath(record.filename).with_suffix(f".{artifact.format}")),
        etag=artifact.sha256,
        max_age=0,
    )


def _add_download_route(format: str) -> None:
    def download(document_id: str):
        return _download(document_id, format)

    download.__doc__ = f"Download the document's .{format}, named as the API names it."
    bp.add_url_rule(
        f"/documents/<job_id:document_id>/file.{format}", f"document_{format}", download
    )


for _format in FORMATS:
    _add_download_route(_format)


@bp.route("/documents/<job_id:document_id>/number", methods=["POST"])
def document_number(document_id: str):
    """Enter the number and date the electronic document system gave (the API's PUT
    …/number): the register records them and the document is made again."""
    _record(document_id)  # another organisation's id is unknown whatever the form says
    entered = {key: request.form.get(key, "").strip() for key in ("number", "date")}
    try:
        data = AssignedNumberSchema().load(entered)
    except ValidationError as err:
        return _document_page(document_id, _translated(err.messages), entered)
    found = extensions.services()
    try:
        record, issue = registration.enter_number(
            found.db, found.dispatcher, found.storage, current_user.scope, document_id,
            data["number"], data["date"],
        )  # fmt: skip
    except InvalidInput as err:
        errors = _translated(err.errors) or {
            "_body": [translate_message(err.message, err.values, ui_language())]
        }
        return _document_page(document_id, errors, entered)
    audit_event(
        "numbered", "document", document_id, municipality_id=record.municipality_id,
        details={"number": data["number"], "date": data["date"].isoformat(),
                 "seq": issue.seq if issue else None},
    )  # fmt: skip
    flash(gettext("The number is entered; the document is being made again."))
    return redirect(url_for("web.document", document_id=document_id))


def _translated(errors: dict) -> dict[str, list[str]]:
    return translate_errors(flatten_errors(errors), ui_language())


@bp.route("/documents/<job_id:document_id>/delete", methods=["GET", "POST"])
def document_delete(document_id: str):
    """Ask, then delete a document: its input and files go, its register line stays."""
    if request.method == "GET":
        with extensions.db().session() as session:
            record = records.get(session, document_id, current_user.scope)
            shown = describe(record, municipality_names(session, current_user.scope))
        return render_template("documents/delete.html", document=shown)
    found = extensions.services()
    with found.db.session() as session:
        _record_, removed = retention.delete_document(
            session, current_user.scope, document_id, page_actor()
        )
    retention.forget_unused(found.db, found.storage, removed.keys)
    flash(gettext("The document is deleted; its line in the register stays."))
    return redirect(url_for("web.documents"))
