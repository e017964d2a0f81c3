"""Batches for coordinators: the upload templates, the upload of a filled one, the progress
of each item, and the ZIP, the merged PDF and the error report once it has run.

The upload goes where the API's multipart POST /api/v1/batches goes (service.batches.tables
reads the sheet, service.schemas.batch checks the batch, service.submission.submit_batch
records it); the progress is service.batches.creation.describe, the files are
service.batches.archive and merged. Errors name the sheet's rows and the columns by their
labels, in the page's language.
"""

from __future__ import annotations

import io

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from service import extensions, submission
from service.api.batches import XLSX_MIME
from service.api.downloads import attach, send_download
from service.batches import archive, columns, creation, listing, merged, spreadsheets, tables
from service.batches import templates as upload_templates
from service.domain.clock import local
from service.domain.status import Status
from service.errors import InvalidInput, flatten_errors
from service.i18n import translate_errors, translate_message
from service.kinds import KINDS
from service.models import BatchItem, DocumentRecord
from service.quotas import BATCH_ITEMS, DailyQuota
from service.schemas.batch import BatchInSchema
from service.schemas.outputs import PDF
from service.tenancy import Role, kind_role
from service.web.blueprint import bp, menu_item
from service.web.documents import audit_event, pagination, wants_fragment
from service.web.language import gettext, ui_language

menu_item("web.batches", "Batches", Role.COORDINATOR.value)

TEMPLATE_TYPES = {"xlsx": XLSX_MIME, "csv": "text/csv"}
# The columns of the error report, with the manifest's headers.
REPORT_COLUMNS = ("item", "municipality", "number", "status", "error")
REPORT_WIDTHS = (6, 40, 16, 12, 80)


def batch_kinds() -> dict[str, str]:
    """The kinds that have an upload template and the user has the role for, named in the
    page's language (a coordinator without the secretary's role is not offered orders)."""
    return {
        kind: spreadsheets.kind_name(kind, ui_language())
        for kind, spec in KINDS.items()
        if spec.batch_columns and current_user.scope.has(kind_role(kind))
    }


def _item_errors(item: dict) -> list[str]:
    """An item's errors in the page's language; an upload's name their columns."""
    errors, lang = item["errors"] or {}, ui_language()
    if item["uploaded"]:
        found = columns.labelled_errors(errors, lang)
        return [message for messages in found.values() for message in messages]
    return [
        message if path == "_body" else f"{path}: {message}"
        for path, messages in translate_errors(errors, lang).items()
        for message in messages
    ]


def issuers(session, scope, batch_id: str) -> dict[int, str]:
    """The issuing body of each item by its row, as the batch's archive names it."""
    names = archive.MunicipalityNames(session, scope)
    rows = session.execute(
        select(BatchItem, DocumentRecord)
        .outerjoin(DocumentRecord, DocumentRecord.id == BatchItem.document_id)
        .where(BatchItem.batch_id == batch_id)
        .options(lazyload(DocumentRecord.artifacts), lazyload(DocumentRecord.conversions))
    )
    return {item.row: names.of(item, record) for item, record in rows}


def _shown(batch: dict, names: dict[int, str]) -> dict:
    lang = ui_language()
    counts = batch["counts"]
    return batch | {
        "kind_name": spreadsheets.kind_name(batch["kind"], lang),
        "created": local(batch["created_at"]).strftime("%d.%m.%Y %H:%M"),
        "running": not batch["finished"],
        "done": counts.get(Status.DONE, 0),
        "problems": sum(counts.get(s, 0) for s in (Status.FAILED, creation.INVALID)),
        "items": [
            item
            | {
                "municipality": names.get(item["row"], ""),
                "status_name": spreadsheets.status_name(item["status"], lang),
                "messages": _item_errors(item),
            }
            for item in batch["items"]
        ],
    }


@bp.route("/batches")
def batches():
    """The batches the user may see, newest first, a page at a time."""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    per_page = 20
    scope = current_user.scope
    with extensions.db().session() as session:
        ids, total = listing.listed(session, scope, page=page, per_page=per_page)
        found = [_shown(creation.describe(session, scope, i), {}) for i in ids]
    return render_template(
        "batches/list.html",
        batches=found,
        pages=pagination(total, page, per_page),
        may_submit=current_user.has(Role.COORDINATOR.value),
    )


@bp.route("/batches/templates/<kind>.xlsx", defaults={"ext": "xlsx"})
@bp.route("/batches/templates/<kind>.csv", defaults={"ext": "csv"})
def batch_template(kind: str, ext: str):
    """The upload template of a kind, labelled in the page's language."""
    if kind not in batch_kinds():
        abort(404)
    lang = ui_language()
    if ext == "csv":
        content = upload_templates.template_csv(kind, lang)
    else:
        content = upload_templates.template_xlsx(kind, lang)
    return send_download(
        io.BytesIO(content), mimetype=TEMPLATE_TYPES[ext], download_name=f"{kind}.{ext}"
    )


@bp.before_app_request
def _upload_limit() -> None:
    """An upload may be as large as the API's batch upload: set before anything (the CSRF
    check first) reads the form."""
    if request.endpoint == "web.batch_new" and request.method == "POST":
        request.max_content_length = current_app.config["MAX_BATCH_CONTENT_LENGTH"]


@bp.route("/batches/new", methods=["GET", "POST"])
def batch_new():
    """Download a template, upload it filled: a batch of documents, one per row."""
    kinds = batch_kinds()
    form = {"kind": next(iter(kinds), ""), "title": "", "pdf": "", "merged_pdf": "", "whole": ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form |= {key: request.form.get(key, "").strip() for key in form}
        try:
            batch_id = _submit(form)
        except InvalidInput as err:
            errors = upload_errors(err)
        else:
            flash(gettext("The batch is accepted; its documents are being made."))
            return redirect(url_for("web.batch", batch_id=batch_id))
    status = 422 if errors else 200
    return render_template("batches/new.html", kinds=kinds, form=form, errors=errors), status


def _submit(form: dict) -> str:
    """Read the uploaded sheet and submit it as the API's multipart POST does."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidInput(errors={"file": ["Missing data for required field."]})
    kind = form["kind"]
    table = tables.read_table(
        upload.read(),
        upload.filename,
        kind=kind if kind in KINDS else None,
        language=ui_language(),
    )
    data = {
        "kind": kind,
        "shared": table.shared,
        "items": table.items,
        "formats": [PDF] if form["pdf"] else [],
        "merged_pdf": bool(form["merged_pdf"]),
        "all_or_nothing": bool(form["whole"]),
    }
    if form["title"]:  # no title is the schema's default; a blank one it refuses
        data["title"] = form["title"]
    try:
        batch = BatchInSchema().load(data)
    except ValidationError as err:
        raise InvalidInput(errors=err.messages) from err
    found = extensions.services()
    batch_id = submission.submit_batch(
        found.db,
        found.dispatcher,
        current_user.scope,
        batch["kind"],
        batch["shared"],
        batch["items"],
        title=batch["title"],
        all_or_nothing=batch["all_or_nothing"],
        rows=table.rows,
        quota=DailyQuota(BATCH_ITEMS, current_app.config["BATCH_ITEMS_PER_DAY"]),
    )
    audit_event(
        "created", "batch", batch_id, details={"kind": batch["kind"], "items": len(batch["items"])}
    )
    return batch_id


def upload_errors(err: InvalidInput) -> dict[str, list[str]]:
    """A refused upload's errors by form field (`_body`: the file as a whole), in the page's
    language; an item's row as the sheet numbers it, its columns by their labels."""
    lang = ui_language()
    found: dict[str, list[str]] = {}
    if not err.errors or err.message != InvalidInput.message:
        found["_body"] = [translate_message(err.message, err.values, lang)]
    for path, messages in flatten_errors(err.errors).items():
        head, _, rest = path.partition(".")
        if head == "rows":
            row, _, field = rest.partition(".")
            labelled = columns.labelled_errors({field or "_body": messages}, lang)
            prefix = gettext("Row {row}", row=row)
            found.setdefault("_body", []).extend(
                f"{prefix}: {m}" for ms in labelled.values() for m in ms
            )
        elif head in ("kind", "file", "title"):
            found.setdefault(head, []).extend(translate_errors({path: messages}, lang)[path])
        else:
            labelled = columns.labelled_errors({path: messages}, lang)
            found.setdefault("_body", []).extend(m for ms in labelled.values() for m in ms)
    return found


@bp.route("/batches/<job_id:batch_id>")
def batch(batch_id: str):
    """A batch's progress: each item's status, number and errors."""
    scope = current_user.scope
    with extensions.db().session() as session:
        shown = _shown(
            creation.describe(session, scope, batch_id), issuers(session, scope, batch_id)
        )
        formats = creation.get(session, scope, batch_id).shared.get("formats") or []
    shown["has_pdf"] = PDF in formats
    context = {"batch": shown, "self_url": url_for("web.batch", batch_id=batch_id)}
    if wants_fragment():
        headers = {"Vary": "X-Requested-With", "Cache-Control": "no-store"}
        return render_template("batches/_progress.html", **context), 200, headers
    return render_template("batches/batch.html", **context)


@bp.route("/batches/<job_id:batch_id>/archive.zip")
def batch_archive(batch_id: str):
    """The ZIP of a finished batch's documents, with its manifest."""
    with extensions.db().session() as session:
        made = archive.stream_archive(
            session, extensions.storage(), current_user.scope, batch_id, ui_language()
        )
    audit_event("downloaded", "batch", batch_id)
    response = Response(made.chunks, mimetype="application/zip")
    attach(response, made.filename)
    response.cache_control.no_cache = True
    return response


@bp.route("/batches/<job_id:batch_id>/merged.pdf")
def batch_merged_pdf(batch_id: str):
    """Every item's PDF in one, in item order."""
    with extensions.db().session() as session:
        plan = merged.plan_merge(session, current_user.scope, batch_id)
    merged_file = merged.write_merged(extensions.storage(), plan)
    audit_event("downloaded", "batch", batch_id, details={"format": "pdf", "merged": True})
    return send_download(merged_file, mimetype="application/pdf", download_name=plan.filename)


@bp.route("/batches/<job_id:batch_id>/errors.xlsx")
def batch_errors(batch_id: str):
    """The items refused or failed, with their rows and errors, as a spreadsheet."""
    lang, scope = ui_language(), current_user.scope
    with extensions.db().session() as session:
        shown = _shown(
            creation.describe(session, scope, batch_id), issuers(session, scope, batch_id)
        )
    rows = [
        [i["row"], i["municipality"], i["number"] or "", i["status_name"], "; ".join(i["messages"])]
        for i in shown["items"]
        if i["messages"]
    ]
    what = gettext("Batch errors")
    content = spreadsheets.xlsx_export(
        spreadsheets.labels("manifest column", REPORT_COLUMNS, lang),
        rows,
        title=what,
        widths=REPORT_WIDTHS,
    )
    filename = spreadsheets.export_filename(what, shown["title"] or shown["kind_name"], ext="xlsx")
    return send_download(io.BytesIO(content), mimetype=XLSX_MIME, download_name=filename)
