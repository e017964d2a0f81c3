"""The organisation's municipalities: the letterhead, head, act words, numbering pattern and
hand-set grammatical forms that every document of one reuses.

A profile's form is a view of `MunicipalitySchema` (service.web.forms), saved through the
same registry functions as the API (`registry.create`, `registry.replace`), which check the
input and the user's roles: an admin adds, an admin or a secretary changes.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from service import audit, extensions, registry
from service.errors import InvalidInput, ServiceError
from service.i18n import translate_message
from service.schemas.municipality import MunicipalitySchema
from service.tenancy import Role
from service.web import forms
from service.web.auth import page_actor
from service.web.blueprint import bp, menu_item
from service.web.language import gettext, in_page_language, ui_language

menu_item("web.municipalities", "Municipalities")
_SCHEMA = MunicipalitySchema()
# What the registry adds to a stored profile when it describes one: not the user's input.
_DESCRIBED_ONLY = ("id", "created_at", "updated_at")


@bp.route("/municipalities")
def municipalities():
    """The municipalities the user acts for."""
    scope = current_user.scope
    with extensions.db().session() as session:
        found = [
            {"id": m.id, "name": in_page_language(m.data["name"]), "pattern": m.numbering_pattern}
            for m in registry.all_of(session, scope)
        ]
    return render_template(
        "municipalities/list.html", municipalities=found, may_add=scope.has(Role.ADMIN)
    )


@bp.route("/municipalities/new", methods=["GET", "POST"])
def new_municipality():
    """Add a municipality (an admin's)."""
    return _profile(None)


@bp.route("/municipalities/<municipality_id>", methods=["GET", "POST"])
def municipality(municipality_id: str):
    """A municipality's profile, to change (an admin's or a secretary's)."""
    return _profile(municipality_id)


def _profile(municipality_id: str | None):
    scope = current_user.scope
    if request.method == "GET":
        values = {}
        if municipality_id is not None:
            with extensions.db().session() as session:
                values = forms.flatten(dict(registry.get(session, scope, municipality_id).data))
        return _page(municipality_id, values, fresh=True)
    values = forms.posted(request.form)  # as numbered on the page, for a row's button
    verb, path = forms.parse_action(request.form.get("_action", ""))
    if verb == "add":
        return _page(municipality_id, forms.add_row(values, path))
    if verb == "remove":
        return _page(municipality_id, forms.remove_row(values, path))
    if verb == "forms":
        return _page(municipality_id, forms.open_forms(values, path))
    values = forms.compact(values)
    data = forms.payload(_SCHEMA, values)
    try:
        with extensions.db().session() as session:
            if municipality_id is None:
                saved = registry.create(session, scope, data)
                action, details = "created", None
            else:
                before = dict(registry.get(session, scope, municipality_id).data)
                saved = registry.replace(session, scope, municipality_id, data)
                action = "changed"
                details = {"fields": registry.changed_fields(before, saved.data)}
            audit.record(
                session, page_actor(), action, "municipality", saved.id,
                municipality_id=saved.id, details=details,
            )  # fmt: skip
            saved_id = saved.id
    except InvalidInput as err:
        return _page(municipality_id, values, errors=err.errors, status=422)
    except ServiceError as err:
        problem = translate_message(err.message, err.values, ui_language())
        return _page(municipality_id, values, problem=problem, status=err.status)
    flash(gettext("The municipality is saved."))
    return redirect(url_for("web.municipality", municipality_id=saved_id))


def _page(
    municipality_id: str | None,
    values: dict[str, str],
    *,
    fresh: bool = False,
    errors: dict | None = None,
    problem: str | None = None,
    status: int = 200,
):
    nodes = forms.build(_SCHEMA, values, fresh=fresh)
    left, _unplaced = forms.annotate(nodes, forms.flat_errors(errors or {}), ())
    problems = [
        (node.id, f"{node.label}: {message}")
        for node in forms.walk(nodes)
        for message in node.errors
    ] + [(None, text) for text in left]
    if municipality_id is None:
        action = url_for("web.new_municipality")
    else:
        action = url_for("web.municipality", municipality_id=municipality_id)
    page = render_template(
        "municipalities/profile.html",
        nodes=nodes,
        problems=problems,
        problem=problem,
        action=action,
        is_new=municipality_id is None,
    )
    return page, status
