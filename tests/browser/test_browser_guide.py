"""The user guide's pictures, taken in each language from the pages a section explains:
test-artifacts/guide/<screen>-<language>.png at 1366x768 (`make guide-screens` keeps them in
service/web/static/guide/, where the guide shows them). The guide names every picture it
shows; each one is taken here, so that the guide never shows a page as it no longer is."""

from __future__ import annotations

import re

import pytest

from service import extensions, registry, submission
from service.tenancy import Scope
from service.web.guide import GUIDE
from tests.browser.forms import FORM, example
from tests.browser.helpers import DESKTOP, closed, new_context, sign_in
from tests.conftest import EXAMPLES, ROOT

GUIDE_SCREENS = ROOT / "test-artifacts" / "guide"
BATCH = re.compile(r"/batches/[0-9a-f]{32}$")
ORDER_YEAR = example("uch-korgon-order")["date"][:4]


def _snap(page, screen: str, lang: str, at: str | None = None) -> None:
    """The viewport as a reader sees it, scrolled to `at` (a selector) if given."""
    GUIDE_SCREENS.mkdir(parents=True, exist_ok=True)
    if at:
        page.locator(at).first.scroll_into_view_if_needed()
        page.evaluate("() => window.scrollBy(0, -120)")
    page.screenshot(path=str(GUIDE_SCREENS / f"{screen}-{lang}.png"))


@pytest.fixture(scope="module")
def secretary(live_server):
    """The secretary of an office of its own: what the pictures show is theirs alone."""
    return live_server.person("guide-uch-korgon", name="Үч-Коргон айыл өкмөтү")


@pytest.fixture(scope="module")
def made(live_server, secretary) -> dict[str, str]:
    """What the pictures show: a municipality, an issued order and plan, an order whose
    controller's name the declension is unsure of."""
    scope = Scope.whole(secretary.organisation)
    found = extensions.services(live_server.app)
    order = example("uch-korgon-order")
    issuer = order["issuer"]
    with found.db.session() as session:
        municipality = registry.create(
            session,
            scope,
            {
                "name": issuer["body"],
                "country": issuer["country"],
                "region": issuer["region"],
                "district": issuer["district"],
                "head": issuer["head"],
                "act": order["act"],
                "numbering_pattern": "03-12/{seq}-Б",
            },
        )
        municipality_id = municipality.id
    # Numbered from the municipality's register (its letterhead and head from the profile).
    registered = {k: v for k, v in order.items() if k not in ("issuer", "act", "number")}
    registered["municipality_id"] = municipality_id
    uncertain = example("uch-korgon-order")
    uncertain["control"]["name"] = "Кулу А."
    ids = {
        name: submission.submit_document(found.db, found.dispatcher, scope, kind, payload).record.id
        for name, kind, payload in (
            ("order", "working-group-order", registered),
            ("uncertain", "working-group-order", uncertain),
            ("plan", "joint-plan", example("uch-korgon-plan")),
        )
    }
    return {"municipality": municipality_id, **ids}


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_guide_pictures(browser, live_server, secretary, made, lang):
    # A Russian-locale PC, as most offices have: dates shown as dd.mm.yyyy.
    context = new_context(browser, live_server, viewport=DESKTOP, locale="ru-RU")
    page = context.new_page()
    page.goto("/sign-in")
    page.click(f".switch button[value={lang}]")
    page.fill("#username", secretary.username)
    _snap(page, "sign-in", lang)
    sign_in(page, secretary)
    page.click(f".switch button[value={lang}]")  # the secretary's own choice, for this run
    assert page.locator("html").get_attribute("lang") == lang

    page.goto(f"/municipalities/{made['municipality']}")
    _snap(page, "municipality", lang)
    page.goto(f"/documents/new/working-group-orders?copy={made['order']}")
    _snap(page, "order", lang, at=f"{FORM} [name='members.0.name']")
    page.goto(f"/documents/new/joint-plans?copy={made['plan']}")
    _snap(page, "plan", lang, at=f"{FORM} [name^='problems.0.']")
    page.goto(f"/documents/new/working-group-orders?copy={made['uncertain']}")
    page.click(f"{FORM} button[name=_action][value=preview]")
    page.wait_for_load_state()
    _snap(page, "warning", lang, at="#f-control-name-warning")

    page.goto("/batches/new")
    page.select_option("#batch-kind", "working-group-order")
    page.set_input_files("#batch-file", str(EXAMPLES / "sverdlovsky-batch.xlsx"))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_url(BATCH)
    page.wait_for_function("() => !document.querySelector('#batch[data-refresh]')", timeout=180_000)
    _snap(page, "batch", lang)
    page.goto(f"/register?municipality_id={made['municipality']}&year={ORDER_YEAR}")
    assert page.locator("main table").count() == 1
    _snap(page, "register", lang)
    closed(context)

    taken = {p.name for p in GUIDE_SCREENS.glob(f"*-{lang}.png")}
    assert {f"{s.screen}-{lang}.png" for s in GUIDE if s.screen} <= taken
