"""The municipality's profile, filled once in its form and reused: an order issued with it
takes its letterhead, head and act word, and the next number of its pattern."""

from __future__ import annotations

import re

from tests.browser.forms import FORM, example, field, fill, fill_example
from tests.browser.helpers import axe, shoot

DOCUMENT = re.compile(r"/documents/[0-9a-f]{32}$")


def _profile(order: dict) -> dict[str, str]:
    issuer = order["issuer"]
    head = issuer["head"]
    return {
        "name.ky": issuer["body"]["ky"],
        "name.ru": issuer["body"]["ru"],
        "country.ky": issuer["country"]["ky"],
        "country.ru": issuer["country"]["ru"],
        "region.ky": issuer["region"]["ky"],
        "region.ru": issuer["region"]["ru"],
        "district.ky": issuer["district"]["ky"],
        "district.ru": issuer["district"]["ru"],
        "head.name": head["name"],
        "head.gender": head["gender"],
        "head.position.ky": head["position"]["ky"],
        "head.position.ru": head["position"]["ru"],
        "act.ky": order["act"]["ky"],
        "act.ru": order["act"]["ru"],
        "numbering_pattern": "03-12/{seq}-Б",
    }


def test_the_secretary_fills_the_profile_and_an_order_reuses_it(signed_in, live_server):
    page = signed_in
    order = example("uch-korgon-order")
    page.goto("/municipalities/new")
    shoot(page, "municipality-form")
    profile = _profile(order)
    fill(page, profile)
    page.click(f"{FORM} button[name=_action][value=save]")
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() == 0, page.locator("main").inner_text()
    page.goto("/municipalities")
    listed = page.locator("main").inner_text()
    body = order["issuer"]["body"]
    assert body["ky"] in listed or body["ru"] in listed, listed
    axe(page)
    shoot(page, "municipalities")
    # The stored profile opens with what was typed.
    page.locator("main a[href^='/municipalities/']:not([href$='/new'])").first.click()
    page.wait_for_load_state()
    for name, value in profile.items():
        assert field(page, name).first.input_value() == value, name
    axe(page)
    shoot(page, "municipality-profile")

    # An order with the municipality chosen: no letterhead, head or number typed.
    page.goto("/documents/new/working-group-orders")
    choice = page.locator("#f-municipality_id")
    municipality = choice.locator("option", has_text=re.compile("[УҮ]ч-Коргон"))
    choice.select_option(municipality.get_attribute("value"))
    del order["issuer"], order["act"], order["number"]
    fill_example(page, order, lists=("members",))
    page.click(f"{FORM} button[name=_action][value=issue]")
    page.wait_for_url(DOCUMENT)
    page.wait_for_function(
        "() => document.querySelector('#document dd.status-done, #document dd.status-failed')",
        timeout=180_000,
    )
    facts = page.locator("#document dl.facts").inner_text()
    assert re.search(r"03-12/\d+-Б", facts), facts
    assert body["ky"] in facts or body["ru"] in facts, facts
    assert page.locator("#document dd.status-done").count() == 1, facts
