"""The document forms: a page per kind to fill in, preview, save as a draft and issue.

A form posts to itself. Its buttons say what to do (`_action`): add or remove a row (the page
comes back with every input kept), preview (the first pages as images, taking no number),
save a draft, or issue — which hands the input to `submission.submit_document` exactly as the
API does, with the user's scope and the organisation's daily quota. The schema's errors come
back next to their inputs; nothing is validated here.
"""

from __future__ import annotations

import uuid
from functools import cache

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import Schema
from sqlalchemy import select
from werkzeug.exceptions import NotFound as HTTPNotFound

from service import audit, extensions, registry, submission
from service.domain.clock import local
from service.errors import Forbidden, InvalidInput, ServiceError
from service.i18n import translate_error, translate_message
from service.kinds import KINDS
from service.models import Draft, utcnow
from service.quotas import DOCUMENTS, DailyQuota
from service.tasks import records
from service.tenancy import kind_role
from service.web import forms
from service.web.auth import page_actor
from service.web.blueprint import bp, menu_item
from service.web.language import N_, gettext, in_page_language, ui_language
from service.web.preview import preview

# What each kind is called on the pages.
KIND_NAMES = {
    "working-group-order": N_("Working-group order"),
    "joint-plan": N_("Joint plan"),
    "annual-report": N_("Annual report"),
}
MAX_PLANS = 100  # the stored plans a report form offers
PAGE_FIELDS = ("municipality_id", "plan_id", "plan_of", "plan")  # chosen by the page, not typed


def form_endpoint(kind: str) -> str:
    """The endpoint of the form of `kind` (one per kind, so that the menu can name it)."""
    return f"new_{KINDS[kind].module}"


@cache
def schema_of(kind: str) -> Schema:
    return KINDS[kind].schema()


def _page_view(kind: str):
    def view():
        return document_form(kind)

    view.__name__ = form_endpoint(kind)
    view.__doc__ = f"The form of a {kind.replace('-', ' ')}."
    return view


for _kind, _spec in KINDS.items():
    bp.add_url_rule(
        f"/documents/new/{_spec.url}",
        endpoint=form_endpoint(_kind),
        view_func=_page_view(_kind),
        methods=["GET", "POST"],
    )

menu_item("web.new_working_group_order", "New order", kind_role("working-group-order").value)
menu_item("web.new_joint_plan", "New joint plan", kind_role("joint-plan").value)
menu_item("web.new_annual_report", "New report", kind_role("annual-report").value)
menu_item("web.drafts", "Drafts")


def document_form(kind: str):
    """Show the form of `kind` (GET: empty, or from a draft, a copied document or a plan) or
    act on a posted one."""
    if not current_user.has(kind_role(kind).value):
        raise Forbidden(submission.KIND_ROLE_ERROR, role=kind_role(kind).value)
    if request.method == "GET":
        values, draft_id = _initial(kind)
        return _page(kind, values, fresh=True, draft_id=draft_id, pdf=True)
    values = forms.posted(request.form)  # as numbered on the page, for a row's button
    draft_id = request.form.get("_draft") or None
    pdf = request.form.get("_pdf") == "true"
    verb, path = forms.parse_action(request.form.get("_action", ""))
    if verb == "add":
        return _page(kind, forms.add_row(values, path), draft_id=draft_id, pdf=pdf)
    if verb == "remove":
        return _page(kind, forms.remove_row(values, path), draft_id=draft_id, pdf=pdf)
    if verb == "forms":
        return _page(kind, forms.open_forms(values, path), draft_id=draft_id, pdf=pdf)
    values = forms.compact(values)
    data = forms.payload(schema_of(kind), values)
    page = {"draft_id": draft_id, "pdf": pdf}
    try:
        if verb == "preview":
            shown = preview(current_user.scope, kind, data)
            return _page(kind, values, warnings=shown.warnings, preview=shown, **page)
        if verb == "draft":
            return _save_draft(kind, data, draft_id)
        if verb == "issue":
            return _issue(kind, data, draft_id, pdf)
    except InvalidInput as err:
        return _page(kind, values, errors=err.errors, status=422, **page)
    except ServiceError as err:  # a refusal (role, quota, queue): the inputs stay
        problem = translate_message(err.message, err.values, ui_language())
        return _page(kind, values, problem=problem, status=err.status, **page)
    return _page(kind, values, **page)


def _initial(kind: str) -> tuple[dict[str, str], str | None]:
    """The values a form opens with: a draft's, a copied document's, a plan's draft report."""
    args = request.args
    if args.get("draft"):
        draft = _draft(args["draft"])
        if draft.kind != kind:
            raise HTTPNotFound()
        return forms.flatten(draft.payload), draft.id
    if args.get("copy"):
        return forms.flatten(_copied(kind, args["copy"])), None
    if args.get("plan") and KINDS[kind].references:
        with extensions.db().session() as session:
            found = submission.report_draft(session, current_user.scope, args["plan"])
        return forms.flatten(found), None
    return {}, None


def _copied(kind: str, document_id: str) -> dict:
    """A stored document's input as a new one's: its number is the new document's to take,
    and a municipality's letterhead (stored filled in) comes from its profile as it is now."""
    with extensions.db().session() as session:
        record = records.get(session, document_id, current_user.scope)
        if record.kind != kind:
            raise HTTPNotFound()
        if record.input is None:
            raise records.gone(record)
        given = dict(record.input)
    if KINDS[kind].numbered:
        given.pop("number", None)
    if given.get("municipality_id"):
        given.pop("issuer", None)
    return given


def _issue(kind: str, data: dict, draft_id: str | None, pdf: bool):
    found = extensions.services()
    made = submission.submit_document(
        found.db,
        found.dispatcher,
        current_user.scope,
        kind,
        {**data, "formats": ["docx", "pdf"]} if pdf else data,
        quota=DailyQuota(DOCUMENTS, current_app.config["DOCUMENTS_PER_DAY"]),
    )
    record = made.record
    with found.db.session() as session:
        audit.record(
            session, page_actor(), "created", "document", record.id,
            municipality_id=record.municipality_id, details={"kind": kind},
        )  # fmt: skip
        if draft_id:
            draft = session.get(Draft, draft_id)
            if draft is not None and draft.tenant == current_user.scope.tenant:
                session.delete(draft)
    flash(gettext("The document is accepted; its page shows when it is ready."))
    return redirect(url_for("web.document", document_id=record.id))


def _page(
    kind: str,
    values: dict[str, str],
    *,
    fresh: bool = False,
    errors: dict | None = None,
    warnings=(),
    preview=None,
    problem: str | None = None,
    draft_id: str | None = None,
    pdf: bool = True,
    status: int = 200,
):
    schema, spec = schema_of(kind), KINDS[kind]
    nodes = forms.build(schema, values, fresh=fresh)
    flat = forms.flat_errors(errors or {})
    if spec.references and not values.get("plan_id") and flat.pop("plan", None):
        flat["plan_id"] = [gettext("Choose the joint plan above and fill the report from it.")]
    # The fields the page draws itself (the municipality, the plan): their errors at the top.
    own = [(None, translate_error(m, ui_language())) for k in PAGE_FIELDS for m in flat.pop(k, [])]
    left, unplaced = forms.annotate(nodes, flat, warnings)
    context = {
        "kind": kind,
        "kind_name": gettext(KIND_NAMES.get(kind, kind)),
        "action": url_for(f"web.{form_endpoint(kind)}"),
        "nodes": nodes,
        "problems": own + _problems(nodes) + [(None, text) for text in left],
        "warnings": unplaced,
        "municipalities": _municipalities() if "municipality_id" in schema.fields else None,
        "municipality_id": values.get("municipality_id", ""),
        "plans": _plans() if spec.references else None,
        "plan_id": values.get("plan_id", ""),
        "number_blank": spec.numbered and not values.get("number"),
        "preview": preview,
        "problem": problem,
        "draft_id": draft_id or "",
        "pdf": pdf,
    }
    return render_template("forms/document.html", **context), status


def _problems(nodes: list[forms.Node]) -> list[tuple[str | None, str]]:
    """Every error of the form, as (the id of its field, «row, label: message») for the
    summary: the row names which member (or problem) a field is of."""
    return [
        (node.id, f"{', '.join((*trail, node.label))}: {message}")
        for node, trail in forms.located(nodes)
        for message in node.errors
    ]


def _municipalities() -> dict:
    """The municipalities the user acts for, to choose the letterhead from."""
    scope = current_user.scope
    with extensions.db().session() as session:
        found = [(m.id, in_page_language(m.data["name"])) for m in registry.all_of(session, scope)]
    return {"choices": found, "optional": scope.municipalities is None}


def _plans() -> list[tuple[str, str]]:
    """The organisation's done joint plans a report can be made on."""
    with extensions.db().session() as session:
        found, _total = records.listed(
            session,
            current_user.scope,
            records.Filters(kind="joint-plan", status="done"),
            page=1,
            per_page=MAX_PLANS,
        )
        return [(r.id, _plan_label(r)) for r in found]


def _plan_label(record) -> str:
    made = local(record.created_at)
    name = (record.filename or record.id).removesuffix(".docx")
    return f"{name} ({made:%d.%m.%Y})"


# Drafts ------------------------------------------------------------------------------------


def _draft(draft_id: str) -> Draft:
    """The organisation's draft `draft_id`; 404 for any other."""
    with extensions.db().session() as session:
        draft = session.get(Draft, draft_id)
        if draft is None or draft.tenant != current_user.scope.tenant:
            raise HTTPNotFound()
        session.expunge(draft)
        return draft


def _save_draft(kind: str, data: dict, draft_id: str | None):
    title = f"{gettext(KIND_NAMES.get(kind, kind))}, {local(utcnow()):%d.%m.%Y %H:%M}"
    with extensions.db().session() as session:
        draft = session.get(Draft, draft_id) if draft_id else None
        if draft is None or draft.tenant != current_user.scope.tenant:
            draft = Draft(id=uuid.uuid4().hex, tenant=current_user.scope.tenant, kind=kind)
            draft.user_id = current_user.id
            session.add(draft)
        draft.title, draft.payload = title, data
        saved = draft.id
    flash(gettext("The draft is saved."))
    return redirect(url_for(f"web.{form_endpoint(kind)}", draft=saved))


@bp.route("/drafts")
def drafts():
    """The organisation's drafts, newest first, of the kinds the user may issue."""
    allowed = [k for k in KINDS if current_user.has(kind_role(k).value)]
    with extensions.db().session() as session:
        found = session.scalars(
            select(Draft)
            .where(Draft.tenant == current_user.scope.tenant, Draft.kind.in_(allowed))
            .order_by(Draft.updated_at.desc())
        ).all()
        shown = [
            {
                "id": d.id,
                "title": d.title,
                "kind": gettext(KIND_NAMES.get(d.kind, d.kind)),
                "updated": f"{local(d.updated_at):%d.%m.%Y %H:%M}",
                "resume": url_for(f"web.{form_endpoint(d.kind)}", draft=d.id),
            }
            for d in found
        ]
    return render_template("forms/drafts.html", drafts=shown)


@bp.route("/drafts/<draft_id>/delete", methods=["POST"])
def delete_draft(draft_id: str):
    """Delete a draft of the organisation."""
    _draft(draft_id)
    with extensions.db().session() as session:
        session.delete(session.get(Draft, draft_id))
    flash(gettext("The draft is deleted."))
    return redirect(url_for("web.drafts"))
