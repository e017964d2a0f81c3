"""The secretary issues the Uch-Korgon order through its form, with its 11 members typed in,
sees it done and downloads the .docx and the .pdf: their text is the API's for the same data."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from service.web.forms import flatten
from tests.browser.forms import FORM, example, field, fill_example, rows
from tests.browser.helpers import axe, shoot
from tests.conftest import ORDERS, account, token_client, wait_until_finished
from tests.docx_reading import all_text, open_docx
from tests.stack import services_missing

DOCUMENT = re.compile(r"/documents/[0-9a-f]{32}$")


@pytest.fixture(autouse=True)
def _converter():
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        services_missing(
            "LibreOffice and poppler-utils are not installed: scripts/ensure-services.sh"
        )


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def _api_result(live_server, organisation: str, document: dict) -> dict[str, bytes]:
    """The .docx and .pdf the API makes of `document` for the same organisation."""
    client = token_client(live_server.app, account(live_server.app, organisation))
    made = client.post(ORDERS, json=document | {"formats": ["docx", "pdf"]})
    assert made.status_code == 202, made.get_json()
    status = wait_until_finished(client, made.get_json()["links"]["self"], timeout=180)
    assert status["status"] == "done", status
    found = {}
    for artifact in status["artifacts"]:
        assert artifact["status"] == "done", artifact
        with client.get(artifact["link"]) as download:
            found[artifact["format"]] = download.data
    return found


def _download(page, link) -> bytes:
    with page.expect_download() as started:
        link.click()
    return started.value.path().read_bytes()


def test_the_uch_korgon_order_through_the_form(signed_in, live_server, secretary):
    page = signed_in
    document = example("uch-korgon-order")
    assert len(document["members"]) == 11
    page.goto("/documents/new/working-group-orders")
    shoot(page, "order-form")
    fill_example(page, document, lists=("members",))
    assert rows(page, "members") == 11
    assert page.locator(f"{FORM} [name='members.10.name']").input_value() == "Раимбеков Р."
    axe(page)
    shoot(page, "order-form-filled")
    page.click(f"{FORM} button[name=_action][value=issue]")
    page.wait_for_url(DOCUMENT)
    shoot(page, "order-running")
    # The page refreshes itself until both files are made.
    links = page.locator("#document table.outputs a.button")
    page.wait_for_function(
        "() => document.querySelectorAll('#document table.outputs a.button').length == 2",
        timeout=180_000,
    )
    assert page.locator("#document dd.status-done").count() == 1
    assert document["number"] in page.locator("#document").inner_text()
    axe(page)
    shoot(page, "order-done")
    docx = _download(page, links.filter(has_text=".docx"))
    pdf = _download(page, links.filter(has_text=".pdf"))
    assert docx.startswith(b"PK") and pdf.startswith(b"%PDF")

    expected = _api_result(live_server, secretary.organisation, document)
    assert all_text(open_docx(docx)) == all_text(open_docx(expected["docx"]))
    assert _pdf_text(pdf) == _pdf_text(expected["pdf"])
    assert "Раимбеков" in _pdf_text(pdf)

    # The organisation's documents list shows it, done, with its number.
    page.goto("/documents")
    assert document["number"] in page.locator("main").inner_text()
    axe(page)
    shoot(page, "documents-with-order")


def _issue(page) -> None:
    page.click(f"{FORM} button[name=_action][value=issue]")
    page.wait_for_load_state()


def test_a_validation_error_is_next_to_its_field_and_the_inputs_stay(signed_in):
    page = signed_in
    document = example("uch-korgon-order")
    document["members"][3]["name"] = ""
    page.goto("/documents/new/working-group-orders")
    fill_example(page, document, lists=("members",))
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click(f"{FORM} button[name=_action][value=issue]")
    assert answer.value.status == 422
    page.wait_for_load_state()
    name = page.locator("#f-members-3-name")
    assert name.get_attribute("aria-invalid") == "true"
    assert "f-members-3-name-error" in name.get_attribute("aria-describedby").split()
    # The message sits in the field's own box, right after its input.
    error = page.locator(".field:has(> #f-members-3-name) > #f-members-3-name-error")
    assert error.count() == 1 and error.inner_text().strip()
    assert page.locator("[aria-invalid=true]").count() == 1
    # The summary at the top links to the field.
    assert page.locator("a[href='#f-members-3-name']").count() >= 1
    # Every other input kept what was typed, the 11 rows included.
    assert rows(page, "members") == 11
    for key, value in flatten(document).items():
        if value == "" or key == "members.3.name":
            continue
        target = field(page, key).first
        if target.evaluate("e => e.type") == "checkbox":
            assert target.is_checked() == (value == "true"), key
        else:
            assert target.input_value() == value, key
    axe(page)
    shoot(page, "order-form-error")
    # Fixed, it is issued.
    field(page, "members.3.name").fill("Нурматов А.")
    _issue(page)
    page.wait_for_url(DOCUMENT)


def test_an_uncertain_name_is_warned_about_and_set_by_hand(signed_in):
    page = signed_in
    document = example("uch-korgon-order")
    # A surname that ends like a possessive: «Кулуга» or «Кулуна»?
    document["control"]["name"] = "Кулу А."
    page.goto("/documents/new/working-group-orders")
    fill_example(page, document, lists=("members",))
    page.click(f"{FORM} button[name=_action][value=preview]")
    page.wait_for_load_state()
    warning = page.locator(".field:has(> #f-control-name) > #f-control-name-warning")
    assert warning.count() == 1, page.locator("main").inner_text()[:2000]
    assert "Кулу" in warning.inner_text()
    assert "f-control-name-warning" in (
        page.locator("#f-control-name").get_attribute("aria-describedby") or ""
    )
    # The hand-set forms the warning names are open, the one asked for marked.
    hand = page.locator("details.hand-forms#f-control-forms")
    assert hand.get_attribute("open") is not None
    asked = page.locator(".field.wanted [name^='control.forms.']")
    assert asked.count() >= 1
    shoot(page, "order-form-warning")
    axe(page)
    names = [asked.nth(i).get_attribute("name") for i in range(asked.count())]
    assert "control.forms.ky_dative" in names
    for setting in names:
        field(page, setting).fill("Кулуга А." if setting.endswith("ky_dative") else "Кулу А.")
    page.click(f"{FORM} button[name=_action][value=preview]")
    page.wait_for_load_state()
    assert page.locator("#f-control-name-warning").count() == 0
    for setting in names:
        assert field(page, setting).input_value()  # kept
    _issue(page)
    page.wait_for_url(DOCUMENT)
    page.wait_for_function(
        "() => document.querySelectorAll('#document table.outputs a.button').length >= 1",
        timeout=180_000,
    )
    docx = _download(
        page, page.locator("#document table.outputs a.button").filter(has_text=".docx")
    )
    text = all_text(open_docx(docx)).replace("\xa0", " ")
    # The Kyrgyz clause prints the dative as set by hand.
    assert "Кулуга А." in text, [line for line in text.splitlines() if "Кулу" in line]
