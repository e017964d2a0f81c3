"""The document and municipality forms of the pages: views of the kinds' schemas, posting to
the same submission layer as the API (service/web/forms.py, issue.py, municipalities.py)."""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import time
import uuid

import pytest
from flask import Flask

from service import accounts, create_app, extensions, registry
from service.db import upgrade
from service.generation import load_input
from service.kinds import KINDS
from service.models import DocumentRecord, Draft
from service.schemas.municipality import MunicipalitySchema
from service.tasks import records
from service.tenancy import ALL_ROLES, Scope
from service.web import forms
from tests.conftest import EXAMPLES, OFFICE, UNLIMITED, account, token_client

PASSWORD = "a-long-password-1"
ORDER_FORM = "/documents/new/working-group-orders"
PLAN_FORM = "/documents/new/joint-plans"
REPORT_FORM = "/documents/new/annual-reports"
FORM_URLS = {kind: f"/documents/new/{spec.url}" for kind, spec in KINDS.items()}


@pytest.fixture
def web_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "WEB_COOKIE_SECURE": False, **UNLIMITED})
    yield app
    extensions.converting(app).converter.close()
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


def _user(app: Flask, organisation: str = OFFICE, roles=ALL_ROLES) -> str:
    account(app, organisation)  # makes the organisation
    name = f"web-{uuid.uuid4().hex[:10]}"
    with extensions.db(app).session() as session:
        accounts.create_user(session, organisation, name, PASSWORD, sorted(roles), None)
    return name


def _token(client, path: str = "/sign-in") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _signed_in(app: Flask, organisation: str = OFFICE, lang: str = "ru", roles=ALL_ROLES):
    client = app.test_client()
    username = _user(app, organisation, roles)
    response = client.post(
        "/sign-in", data={"username": username, "password": PASSWORD, "csrf_token": _token(client)}
    )
    assert response.status_code == 302
    client.post("/language", data={"language": lang, "csrf_token": _token(client, "/drafts")})
    client.csrf = _token(client, "/drafts")
    return client


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _post(client, path: str, values: dict, action: str, **extra):
    return client.post(path, data={**values, **extra, "csrf_token": client.csrf, "_action": action})


def _input_tag(page: str, name: str) -> str:
    """The opening tag of the input, select or textarea named `name`."""
    pattern = (
        rf'<(?:input|select|textarea)\b(?![^>]*type="hidden")[^>]*\bname="{re.escape(name)}"[^>]*>'
    )
    found = re.search(pattern, page)
    assert found, f"no input {name}"
    return found.group(0)


def _value(page: str, name: str) -> str:
    tag = _input_tag(page, name)
    if tag.startswith("<textarea"):
        start = page.index(tag) + len(tag)
        return html.unescape(page[start : page.index("</textarea>", start)])
    return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))


def _drawn(nodes):
    """The nodes a page draws: not the inputs of hand-set forms that are not asked for."""
    for node in nodes:
        yield node
        if node.kind != "forms" or node.opened:
            yield from _drawn(node.children)


def _record(app: Flask, document_id: str, organisation: str = OFFICE) -> DocumentRecord:
    with extensions.db(app).session() as session:
        return records.get(session, document_id, Scope.whole(organisation))


def _document_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    found = re.fullmatch(r"/documents/([0-9a-f]{32})", response.headers["Location"])
    assert found, response.headers["Location"]
    return found.group(1)


# Every field, labelled in both languages ---------------------------------------------------


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_field_has_a_label_in_both_languages(web_app, lang):
    """Every field of every kind's schema (and the municipality's) has a label of the
    catalogs, and every choice a word: none shows its code."""
    schemas = [KINDS[k].schema() for k in KINDS] + [MunicipalitySchema()]
    with web_app.test_request_context(headers={"Accept-Language": lang}):
        for schema in schemas:
            nodes = forms.build(schema, {}, fresh=True)
            every = list(forms.walk(nodes))
            every += [n for r in every if r.template for n in forms.walk([r.template])]
            for node in every:
                last = node.key.rsplit(".", 1)[-1]
                assert node.label and node.label not in (node.key, last), node.key
                for code, word in node.choices:
                    assert word != code or code in ("ky", "ru"), (node.key, code)


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_form_renders_every_field_with_its_label(web_app, kind, lang):
    client = _signed_in(web_app, lang=lang)
    example = {"working-group-order": "uch-korgon-order", "joint-plan": "uch-korgon-plan"}
    values = forms.flatten(_example(example[kind])) if kind in example else {}
    response = _post(client, FORM_URLS[kind], values, "add:nothing")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in page
    with web_app.test_request_context(headers={"Accept-Language": lang}):
        nodes = forms.build(KINDS[kind].schema(), forms.posted(values_multi(values)))
        drawn = list(_drawn(nodes))
    assert len(drawn) > 20
    for node in drawn:
        if node.kind == "input":
            tag = _input_tag(page, node.name)
            assert f'id="{node.id}"' in tag
            assert f'<label for="{node.id}"' in page, node.name
        if node.kind != "pair":  # a pair's inputs are labelled each, in its language
            assert html.escape(node.label, quote=False) in page, (node.name, node.label)
        if node.kind == "forms":
            assert f'value="forms:{node.name}"' in page
    assert len(page.encode()) < 200_000


def values_multi(values: dict):
    from werkzeug.datastructures import MultiDict

    return MultiDict(values)


def test_required_marks_and_choices_come_from_the_schema(web_app):
    page = _signed_in(web_app).get(ORDER_FORM).get_data(as_text=True)
    assert 'class="required">Дата документа</label>' in page  # date: required=True
    assert 'class="required">Место издания' not in page  # place: load_default=None
    gender = page[page.index('name="issuer.head.gender"') :].split("</select>")[0]
    assert '<option value="male">мужской</option>' in gender
    assert '<option value="female">женский</option>' in gender
    language = page[page.index('<select id="f-language"') :].split("</select>")[0]
    assert 'value="ky+ru" selected' in language  # the schema's default


# Form → payload → the same record as the API's ---------------------------------------------


@pytest.mark.parametrize(
    ("kind", "example"),
    [("working-group-order", "uch-korgon-order"), ("joint-plan", "uch-korgon-plan")],
)
def test_the_form_records_what_the_api_records(web_app, kind, example):
    data = _example(example)
    client = _signed_in(web_app)
    made = _post(client, FORM_URLS[kind], forms.flatten(data), "issue", _pdf="true")
    document_id = _document_id(made)
    api = token_client(web_app, account(web_app))
    response = api.post(
        f"/api/v1/documents/{KINDS[kind].url}", json={**data, "formats": ["docx", "pdf"]}
    )
    assert response.status_code == 202, response.get_json()
    from_form = _record(web_app, document_id)
    from_api = _record(web_app, response.get_json()["id"])
    # A form has no way to say «an empty list» apart from «no list»: the schema reads both
    # alike (its load_default), and the examples write some empty lists out.
    assert from_form.input == _without_empty_lists(from_api.input)
    assert from_form.formats == from_api.formats
    assert load_input(kind, from_form.input) == load_input(kind, data)


def _without_empty_lists(value):
    if isinstance(value, dict):
        return {k: _without_empty_lists(v) for k, v in value.items() if v != []}
    if isinstance(value, list):
        return [_without_empty_lists(v) for v in value]
    return value


def test_payload_drops_empty_texts_and_keeps_rows():
    schema = KINDS["working-group-order"].schema()
    values = {
        "date": "2026-03-12",
        "place.ky": "",
        "place.ru": "  ",
        "members.1.name": "Асанов Б.",
        "members.0.name": "",
        "members.0.by_agreement": "true",
        "control.kept_by_head": "true",
        "assign_number_later": "false",
    }
    assert forms.payload(schema, values) == {
        "date": "2026-03-12",
        "members": [{"by_agreement": True}, {"name": "Асанов Б."}],
        "control": {"kept_by_head": True},
        "assign_number_later": False,
    }


# Errors next to their inputs, the other inputs kept ----------------------------------------


def test_a_missing_required_field_is_shown_next_to_its_input(web_app):
    data = _example("uch-korgon-order")
    del data["purpose"]["ru"]
    data["members"][3]["name"] = ""
    client = _signed_in(web_app)
    response = _post(client, ORDER_FORM, forms.flatten(data), "issue")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    tag = _input_tag(page, "members.3.name")
    assert 'aria-invalid="true"' in tag and 'aria-describedby="f-members-3-name-error"' in tag
    error = re.search(r'<p class="error" id="f-members-3-name-error">([^<]*)</p>', page)
    assert error and "Обязательное поле" in html.unescape(error.group(1)), page[:500]
    assert 'aria-invalid="true"' in _input_tag(page, "purpose.ru")
    assert 'aria-invalid="true"' not in _input_tag(page, "members.2.name")
    # Every other input keeps what was typed.
    assert _value(page, "members.2.name") == data["members"][2]["name"]
    assert _value(page, "purpose.ky") == data["purpose"]["ky"]
    assert _value(page, "number") == data["number"]
    assert 'href="#f-members-3-name"' in page  # the summary links to the field
    with extensions.db(web_app).session() as session:
        assert session.query(DocumentRecord).count() == 0


# Rows without JavaScript ---------------------------------------------------------------------


def test_rows_are_added_and_removed_without_javascript(web_app):
    data = _example("uch-korgon-order")
    client = _signed_in(web_app)
    values = forms.flatten(data)
    count = len(data["members"])
    page = _post(client, ORDER_FORM, values, "add:members").get_data(as_text=True)
    assert _value(page, f"members.{count}.name") == ""
    assert _value(page, f"members.{count - 1}.name") == data["members"][-1]["name"]
    assert _value(page, "purpose.ky") == data["purpose"]["ky"]
    removed = _post(client, ORDER_FORM, values, "remove:members.1").get_data(as_text=True)
    assert _value(removed, "members.1.name") == data["members"][2]["name"]
    assert f'name="members.{count - 1}.name"' not in removed
    assert _value(removed, "members.0.name") == data["members"][0]["name"]
    # The script's template of a row, and its buttons.
    assert '<template><div class="row" data-row>' in page
    assert 'name="members.__index__.name"' in page
    assert 'data-add-row="f-members-rows"' in page


def test_a_row_button_names_its_row_after_the_script_removed_another(web_app):
    data = _example("uch-korgon-order")
    client = _signed_in(web_app)
    values = {k: v for k, v in forms.flatten(data).items() if not k.startswith("members.1.")}
    page = _post(client, ORDER_FORM, values, "remove:members.3").get_data(as_text=True)
    names = [m["name"] for m in data["members"]]
    assert _value(page, "members.1.name") == names[2]
    assert _value(page, "members.2.name") == names[4]
    assert f'name="members.{len(names) - 2}.name"' not in page


def test_nested_rows_are_added_by_the_server(web_app):
    client = _signed_in(web_app)
    values = forms.flatten(_example("uch-korgon-plan"))
    page = _post(client, PLAN_FORM, values, "add:problems.1.activities").get_data(as_text=True)
    added = len(_example("uch-korgon-plan")["problems"][1]["activities"])
    assert _value(page, f"problems.1.activities.{added}.title.ky") == ""
    assert f'name="problems.0.activities.{added + 1}.title.ky"' not in page


# Warnings, and the forms set by hand -----------------------------------------------------------


def test_a_declension_warning_shows_the_forms_to_set_and_setting_them_clears_it(web_app):
    data = _example("uch-korgon-order")
    data["control"]["name"] = "Кудайберди Т."
    client = _signed_in(web_app)
    values = forms.flatten(data)
    page = _post(client, ORDER_FORM, values, "preview").get_data(as_text=True)
    warning = re.search(r'<p class="warning" id="f-control-name-warning">([^<]*)</p>', page)
    assert warning and "Кудайберди" in html.unescape(warning.group(1))
    assert 'aria-describedby="f-control-name-warning"' in _input_tag(page, "control.name")
    assert '<details class="hand-forms" id="f-control-forms" open>' in page
    wanted = page[: page.index('name="control.forms.ky_dative"')].rsplit("<div", 1)[1]
    assert "wanted" in wanted
    values["control.forms.ky_dative"] = "Т. Кудайбердиге"
    again = _post(client, ORDER_FORM, values, "preview").get_data(as_text=True)
    assert 'id="f-control-name-warning"' not in again
    assert _value(again, "control.forms.ky_dative") == "Т. Кудайбердиге"


def test_hand_set_forms_open_on_request(web_app):
    client = _signed_in(web_app)
    page = client.get(ORDER_FORM).get_data(as_text=True)
    assert 'name="issuer.head.forms.ru_genitive"' not in page
    assert 'value="forms:issuer.head.forms"' in page
    shown = _post(client, ORDER_FORM, {}, "forms:issuer.head.forms").get_data(as_text=True)
    assert 'name="issuer.head.forms.ru_genitive"' in shown
    assert "Родительный падеж" in shown


# Drafts, copies, the report from a plan ------------------------------------------------------


def test_a_draft_is_saved_resumed_and_deleted(web_app):
    data = _example("uch-korgon-order")
    client = _signed_in(web_app)
    response = _post(client, ORDER_FORM, forms.flatten(data), "draft")
    assert response.status_code == 302
    draft_id = re.search(r"draft=([0-9a-f]{32})", response.headers["Location"]).group(1)
    with extensions.db(web_app).session() as session:
        saved = session.get(Draft, draft_id)
        assert saved.kind == "working-group-order" and saved.tenant == OFFICE
        assert saved.payload["members"][4]["name"] == data["members"][4]["name"]
    resumed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _value(resumed, "members.4.name") == data["members"][4]["name"]
    assert f'name="_draft" value="{draft_id}"' in resumed
    listing = client.get("/drafts").get_data(as_text=True)
    assert f"draft={draft_id}" in listing
    other = _signed_in(web_app, "elsewhere")
    assert other.get(f"{ORDER_FORM}?draft={draft_id}").status_code == 404
    assert f"draft={draft_id}" not in other.get("/drafts").get_data(as_text=True)
    deleted = client.post(f"/drafts/{draft_id}/delete", data={"csrf_token": client.csrf})
    assert deleted.status_code == 302
    assert client.get(f"{ORDER_FORM}?draft={draft_id}").status_code == 404


def test_copy_as_new_prefills_the_form_and_is_scoped(web_app):
    data = _example("uch-korgon-order")
    client = _signed_in(web_app)
    document_id = _document_id(_post(client, ORDER_FORM, forms.flatten(data), "issue"))
    copied = client.get(f"{ORDER_FORM}?copy={document_id}").get_data(as_text=True)
    assert _value(copied, "members.10.name") == data["members"][10]["name"]
    assert _value(copied, "number") == ""  # a new document takes a new number
    other = _signed_in(web_app, "elsewhere")
    response = other.get(f"{ORDER_FORM}?copy={document_id}")
    assert response.status_code == 404
    assert data["members"][10]["name"] not in response.get_data(as_text=True)
    assert client.get(f"{PLAN_FORM}?copy={document_id}").status_code == 404  # another kind


def test_the_report_form_is_prefilled_from_a_stored_plan(web_app):
    client = _signed_in(web_app)
    plan_id = _document_id(
        _post(client, PLAN_FORM, forms.flatten(_example("uch-korgon-plan")), "issue")
    )
    deadline = time.monotonic() + 120
    while records.overall_status(_record(web_app, plan_id)) != "done":  # the plan's choice
        assert time.monotonic() < deadline, "the plan was not made"
        time.sleep(0.1)
    page = client.get(f"{REPORT_FORM}?plan={plan_id}").get_data(as_text=True)
    assert f'name="plan_id" value="{plan_id}"' in page
    assert f'<option value="{plan_id}" selected>' in page  # the plan's choice, posted apart
    assert _value(page, "activities.0.number") == "1.1"
    assert _value(page, "indicators.0.ref") == "1.1"
    assert 'name="activities.0.status"' in page
    unchosen = _post(client, REPORT_FORM, {}, "issue").get_data(as_text=True)
    assert "Выберите совместный план выше" in unchosen
    other = _signed_in(web_app, "elsewhere")
    assert other.get(f"{REPORT_FORM}?plan={plan_id}").status_code == 404
    # Completed as the example report is, it is issued on the stored plan.
    report = _example("uch-korgon-report")
    values = _form_values(page)
    for key in ("activities", "indicators"):
        values = {k: v for k, v in values.items() if not k.startswith(f"{key}.")}
    given = {k: v for k, v in report.items() if k not in ("plan", "language")}
    values.update(forms.flatten(given))
    report_id = _document_id(_post(client, REPORT_FORM, values, "issue"))
    recorded = _record(web_app, report_id).input
    assert recorded["plan_id"] == plan_id
    assert recorded["plan"] == _record(web_app, plan_id).input
    assert recorded["activities"][1]["comment"] == report["activities"][1]["comment"]


# Municipalities, and a preview that takes no number -------------------------------------------


def _municipality(app: Flask, client) -> str:
    head = _example("uch-korgon-order")["issuer"]["head"]
    values = forms.flatten(
        {
            "name": {"ky": "Үч-Коргон айыл өкмөтү", "ru": "Уч-Коргонский айыл окмоту"},
            "head": head,
            "numbering_pattern": "03-12/{seq}-Б",
            "act": {"ky": "БУЙРУК", "ru": "РАСПОРЯЖЕНИЕ"},
        }
    )
    response = _post(client, "/municipalities/new", values, "save")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[1]


def test_a_municipality_profile_is_created_and_changed(web_app):
    client = _signed_in(web_app)
    bad = _post(client, "/municipalities/new", {"numbering_pattern": "03-12/Б"}, "save")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in _input_tag(page, "numbering_pattern")
    assert 'aria-describedby="f-head-error"' in page  # the head is missing: its fieldset says so
    municipality_id = _municipality(web_app, client)
    page = client.get(f"/municipalities/{municipality_id}").get_data(as_text=True)
    assert _value(page, "numbering_pattern") == "03-12/{seq}-Б"
    values = forms.posted(values_multi(_form_values(page)))
    values["forms.ru_genitive"] = "Уч-Коргонского айыл окмоту"
    saved = _post(client, f"/municipalities/{municipality_id}", values, "save")
    assert saved.status_code == 302, re.findall(
        r"<p class=.error. id=.([^\"]*).>([^<]*)", saved.get_data(as_text=True)
    )
    with extensions.db(web_app).session() as session:
        found = registry.get(session, Scope.whole(OFFICE), municipality_id)
        assert found.data["forms"] == {"ru_genitive": "Уч-Коргонского айыл окмоту"}
    assert "Уч-Коргонский айыл окмоту" in client.get("/municipalities").get_data(as_text=True)
    other = _signed_in(web_app, "elsewhere")
    assert other.get(f"/municipalities/{municipality_id}").status_code == 404


def _form_values(page: str) -> dict[str, str]:
    """What a browser would post of the document form's inputs (the last of a name wins, as
    the form reads it); the page's other forms (the plan's choice, the language switch) post
    apart."""
    found = {}
    start = page.find('class="document-form"')
    if start >= 0:
        page = page[start : page.index("</form>", start)]
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1).startswith("_") or "__index__" in name.group(1):
            continue
        if (
            name.group(1) in ("csrf_token", "next", "language")
            or 'type="checkbox"' in tag
            and "checked" not in tag
        ):
            continue
        if tag.startswith("<select"):
            block = page[page.index(tag) :].split("</select>")[0]
            chosen = re.search(r'<option value="([^"]*)" selected>', block)
            found[name.group(1)] = chosen.group(1) if chosen else ""
        elif tag.startswith("<textarea"):
            found[name.group(1)] = _value(page, name.group(1))
        else:
            found[name.group(1)] = html.unescape(re.search(r'value="([^"]*)"', tag).group(1))
    return found


def test_the_order_form_fills_the_letterhead_from_a_municipality(web_app):
    data = _example("uch-korgon-order")
    client = _signed_in(web_app)
    municipality_id = _municipality(web_app, client)
    given = {k: v for k, v in data.items() if k not in ("issuer", "number", "act")}
    values = {**forms.flatten(given), "municipality_id": municipality_id}
    document_id = _document_id(_post(client, ORDER_FORM, values, "issue"))
    recorded = _record(web_app, document_id).input
    assert recorded["issuer"]["body"]["ru"] == "Уч-Коргонский айыл окмоту"
    assert recorded["number"] == "03-12/1-Б"
    assert recorded["act"] == {"ky": "БУЙРУК", "ru": "РАСПОРЯЖЕНИЕ"}
    # Its copy takes the letterhead from the profile again, and a new number.
    copied = client.get(f"{ORDER_FORM}?copy={document_id}").get_data(as_text=True)
    assert f'<option value="{municipality_id}" selected>' in copied
    assert _value(copied, "issuer.body.ru") == "" and _value(copied, "number") == ""
    again = _document_id(_post(client, ORDER_FORM, _form_values(copied), "issue"))
    assert _record(web_app, again).input["number"] == "03-12/2-Б"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_preview_shows_pages_and_takes_no_number(web_app):
    data = _example("uch-korgon-order")
    client = _signed_in(web_app)
    municipality_id = _municipality(web_app, client)
    given = {k: v for k, v in data.items() if k not in ("issuer", "number")}
    values = {**forms.flatten(given), "municipality_id": municipality_id}
    response = _post(client, ORDER_FORM, values, "preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 2
    assert all(__import__("base64").b64decode(i).startswith(b"\x89PNG") for i in images)
    assert _value(page, "members.0.name") == data["members"][0]["name"]
    with extensions.db(web_app).session() as session:
        assert session.query(DocumentRecord).count() == 0
        counter = registry.counter(session, Scope.whole(OFFICE), municipality_id, 2015)
        assert counter.next == 1
        assert registry.register(session, Scope.whole(OFFICE), municipality_id, 2015) == []


def test_another_organisations_municipality_cannot_letter_a_form(web_app):
    client = _signed_in(web_app)
    municipality_id = _municipality(web_app, client)
    data = copy.deepcopy(_example("uch-korgon-order"))
    other = _signed_in(web_app, "elsewhere")
    values = {**forms.flatten(data), "municipality_id": municipality_id}
    page = _post(other, ORDER_FORM, values, "issue").get_data(as_text=True)
    assert "Неизвестный муниципалитет" in page or "Unknown municipality" in page
    with extensions.db(web_app).session() as session:
        assert session.query(DocumentRecord).count() == 0


def test_a_preview_without_libreoffice_says_so(web_app):
    web_app.config["CONVERTER_SOFFICE"] = "/nowhere/soffice"
    client = _signed_in(web_app)
    page = _post(client, ORDER_FORM, forms.flatten(_example("uch-korgon-order")), "preview")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Здесь не установлен LibreOffice" in text
    assert "data:image/png" not in text


def test_a_refusal_keeps_the_inputs(web_app):
    """The daily quota, as the API counts it: past it, the page says so and keeps the form."""
    web_app.config["DOCUMENTS_PER_DAY"] = 1
    client = _signed_in(web_app)
    values = forms.flatten(_example("uch-korgon-order"))
    _document_id(_post(client, ORDER_FORM, values, "issue"))
    refused = _post(client, ORDER_FORM, values, "issue")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert 'class="error" role="alert"' in page
    assert _value(page, "members.3.name") == values["members.3.name"]


def test_a_kind_needs_its_role(web_app):
    coordinator = _signed_in(web_app, roles=["coordinator"])
    assert coordinator.get(ORDER_FORM).status_code == 403
    assert coordinator.get(PLAN_FORM).status_code == 200
    menu = coordinator.get("/drafts").get_data(as_text=True)
    assert f'href="{PLAN_FORM}"' in menu and f'href="{ORDER_FORM}"' not in menu
