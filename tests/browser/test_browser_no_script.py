"""The core path without JavaScript (plain form posts, rows added by the server, the document
page reloaded by hand), and the ң ө ү buttons where the script runs."""

from __future__ import annotations

import re
import time

from tests.browser.forms import FORM, example, field, fill_example, rows
from tests.browser.helpers import DESKTOP, closed, new_context, shoot, sign_in

DOCUMENT = re.compile(r"/documents/[0-9a-f]{32}$")


def test_an_order_is_issued_without_javascript(browser, live_server, secretary):
    context = new_context(browser, live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, secretary)
        document = example("uch-korgon-order")
        document["members"] = document["members"][:4]
        page.goto("/documents/new/working-group-orders")
        assert page.locator("button.letter").count() == 0  # no script ran
        fill_example(page, document, lists=("members",))
        assert rows(page, "members") == 4
        page.click(f"{FORM} button[name=_action][value=issue]")
        page.wait_for_url(DOCUMENT)
        deadline = time.monotonic() + 180
        while page.locator("#document table.outputs a.button").count() < 2:
            assert time.monotonic() < deadline, page.locator("#document").inner_text()
            page.wait_for_timeout(1000)
            page.reload()
        assert page.locator("#document dd.status-done").count() == 1
        shoot(page, "order-done-no-script")
    finally:
        closed(context)


def test_the_kyrgyz_letter_buttons_type_at_the_caret(page, secretary):
    sign_in(page, secretary)
    page.goto("/documents/new/working-group-orders")
    name = field(page, "members.0.name")
    name.fill("Тргунбаев")
    name.press("Home")
    name.press("ArrowRight")  # after «Т»
    letters = page.locator(".field:has(> [name='members.0.name']) button.letter")
    assert letters.count() >= 3
    letters.filter(has_text=re.compile("^ү$")).click()
    assert name.input_value() == "Түргунбаев"
    # The field keeps the focus, the caret after the letter: typing goes on there.
    assert name.evaluate("e => [document.activeElement === e, e.selectionStart]") == [True, 2]
    assert page.viewport_size == DESKTOP
