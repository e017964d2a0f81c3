"""Every page of the blueprint that takes no argument, as the secretary sees it: axe-core's
audit, screenshots at both sizes, nothing wider than a phone. The pages are read off the app's
URL map, so a new page is covered without a change here."""

from __future__ import annotations

import re

from tests.browser.helpers import PHONE, axe_problems, shoot, sign_in


def _pages(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("web.") and "GET" in rule.methods and not rule.arguments
    )


def _html_pages(page, app) -> list[str]:
    """The pages that answer HTML (not a download) to the signed-in user."""
    shown = []
    for path in _pages(app):
        answer = page.request.get(path, max_redirects=0)
        if answer.ok and answer.headers.get("content-type", "").startswith("text/html"):
            shown.append(path)
    return shown


def _name(path: str) -> str:
    return "page-" + (re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "start")


def test_every_page_passes_axe_and_is_shot(page, live_server, secretary):
    sign_in(page, secretary)
    paths = _html_pages(page, live_server.app)
    assert "/" in paths
    failures = []
    for path in paths:
        page.goto(path)
        shoot(page, _name(path))
        problems = axe_problems(page)
        if problems:
            failures.append(f"{path}:\n{problems}")
    assert not failures, "\n\n".join(failures)


def test_every_page_fits_a_phone(phone, live_server, secretary):
    sign_in(phone, secretary)
    failures = []
    for path in _html_pages(phone, live_server.app):
        phone.goto(path)
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide = phone.evaluate(
                """(limit) => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > limit + 1
                                 && !e.closest('.table-wrap'))
                    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                                     + (e.className ? '.' + e.className : ''))""",
                PHONE["width"],
            )
            failures.append(f"{path} is {width}px wide: {wide}")
        problems = axe_problems(phone)
        if problems:
            failures.append(f"{path} at phone width:\n{problems}")
    assert not failures, "\n".join(failures)
