"""Signing in and out, the interface language and the start page, in Chromium."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import axe, closed, new_context, shoot, sign_in

# The same phrases as the catalogs have them (service/i18n/*/LC_MESSAGES/web.po).
START = {"ky": "Башкы бет", "ru": "Главная"}
SIGN_IN = {"ky": "Кирүү", "ru": "Войти"}
WRONG = {
    "ky": "Колдонуучунун аты же сырсөз туура эмес.",
    "ru": "Неверное имя пользователя или пароль.",
}
SIGN_OUT = "header form[action$='/sign-out'] button"
SIGNED_OUT = {"ky": "Сиз системадан чыктыңыз.", "ru": "Вы вышли из системы."}


def _fits_the_width(page) -> None:
    """Nothing sticks out sideways (no horizontal scrolling)."""
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"{page.url} is {overflow[0]}px wide in {overflow[1]}px"


def test_the_sign_in_page_in_kyrgyz_by_default_passes_axe(page):
    page.goto("/sign-in")
    assert page.locator("html").get_attribute("lang") == "ky"
    assert page.locator("h1").inner_text() == SIGN_IN["ky"]
    assert page.locator("label[for=username]").count() == 1
    assert page.locator("label[for=password]").count() == 1
    axe(page)
    shoot(page, "sign-in")


def test_a_secretary_signs_in_with_the_secure_cookie_over_plain_http(page, secretary):
    sign_in(page, secretary)
    assert page.locator("h1").inner_text() == START["ky"]
    assert secretary.organisation_name in page.locator("header").inner_text()
    assert secretary.username in page.locator("header .who").inner_text()
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "docgen_session"]
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    # Chromium sends the Secure cookie back to http://127.0.0.1: still signed in.
    page.reload()
    assert page.locator("h1").inner_text() == START["ky"]
    axe(page)
    shoot(page, "start")


def test_a_wrong_password_shows_the_error_next_to_the_form(page, secretary):
    page.goto("/sign-in")
    page.fill("#username", secretary.username)
    page.fill("#password", "not the password at all")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("form.narrow button[type=submit]")
    assert answer.value.status == 401
    error = page.locator("form.narrow #sign-in-error")
    assert error.inner_text() == WRONG["ky"]
    assert error.get_attribute("role") == "alert"
    assert page.locator("#username").input_value() == secretary.username
    assert page.locator("#username").get_attribute("aria-describedby") == "sign-in-error"
    assert page.locator("#password").input_value() == ""
    page.goto("/")
    assert "/sign-in" in page.url
    page.goto("/sign-in")
    page.fill("#username", secretary.username)
    page.fill("#password", "not the password at all")
    page.click("form.narrow button[type=submit]")
    axe(page)
    shoot(page, "sign-in-error")


def test_keyboard_only_sign_in(page, secretary):
    page.goto("/sign-in")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "username":
            break
    else:
        pytest.fail("Tab never reached the username field")
    # The focus is visible: an outline on the focused field.
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline[0] != "none" and outline[1] != "0px", outline
    page.keyboard.type(secretary.username)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "password"
    page.keyboard.type(secretary.password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator("h1").inner_text() == START["ky"]


def test_the_skip_link_is_the_first_stop_and_shows_when_focused(page):
    page.goto("/sign-in")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip"
    box = page.locator("a.skip").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0  # on screen, not parked off it


def test_sign_out_ends_the_session(page, secretary):
    sign_in(page, secretary)
    page.click(SIGN_OUT)
    page.wait_for_url("**/sign-in")
    assert page.locator(".notice").inner_text() == SIGNED_OUT["ky"]
    page.goto("/")
    assert re.search(r"/sign-in\?next=/?$", page.url), page.url
    assert page.locator("h1").inner_text() == SIGN_IN["ky"]


def test_the_language_switch_changes_the_text_and_is_kept_for_the_user(browser, live_server, page):
    person = live_server.person("ak-suu", name="Ак-Суу айыл өкмөтү")
    sign_in(page, person)
    assert page.locator("h1").inner_text() == START["ky"]
    page.click("form.switch button[value=ru]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == START["ru"]
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("form.switch button[value=ru]").get_attribute("aria-pressed") == "true"
    shoot(page, "start-ru")

    # Signed out and in again in another browser (no language cookie there): still Russian,
    # the choice is the account's.
    page.click(SIGN_OUT)
    page.wait_for_url("**/sign-in")
    assert page.locator("h1").inner_text() == SIGN_IN["ru"]
    assert page.locator(".notice").inner_text() == SIGNED_OUT["ru"]
    other = new_context(browser, live_server, viewport=page.viewport_size)
    try:
        fresh = other.new_page()
        fresh.goto("/sign-in")
        assert fresh.locator("h1").inner_text() == SIGN_IN["ky"]
        sign_in(fresh, person)
        assert fresh.locator("h1").inner_text() == START["ru"]
        fresh.click("form.switch button[value=ky]")
        fresh.wait_for_load_state()
        assert fresh.locator("h1").inner_text() == START["ky"]
    finally:
        closed(other)
    # The first browser, signed in again: Kyrgyz now, as the account was last set.
    sign_in(page, person)
    assert page.locator("h1").inner_text() == START["ky"]


def test_the_language_switch_before_signing_in(page):
    page.goto("/sign-in")
    page.click("form.switch button[value=ru]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == SIGN_IN["ru"]
    assert page.url.endswith("/sign-in")
    axe(page)
    shoot(page, "sign-in-ru")


@pytest.mark.parametrize("path", ["/sign-in", "/"])
def test_the_pages_fit_a_phone(phone, secretary, path):
    if path != "/sign-in":
        sign_in(phone, secretary)
    phone.goto(path)
    _fits_the_width(phone)
    axe(phone)
