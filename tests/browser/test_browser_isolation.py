"""Tenant isolation through the pages: another organisation's records answer 404, the same
page as a record that does not exist."""

from __future__ import annotations

from tests.browser.helpers import axe, shoot, sign_in

MADE_UP = "0123456789abcdef0123456789abcdef"


def test_another_organisations_document_answers_404(page, secretary, foreign):
    sign_in(page, secretary)
    for suffix in ("", "/delete"):
        nothing = page.goto(f"/documents/{MADE_UP}{suffix}")
        assert nothing.status == 404
        expected = page.locator("main").inner_text()
        answer = page.goto(f"/documents/{foreign.document_id}{suffix}")
        assert answer.status == 404, suffix
        assert page.locator("main [role=alert]").count() == 1
        assert page.locator("main").inner_text() == expected
    page.goto(f"/documents/{foreign.document_id}")
    axe(page)
    shoot(page, "not-found")
    page.goto("/documents")
    assert page.locator(f"a[href*='{foreign.document_id}']").count() == 0


def test_the_owner_sees_it(page, foreign):
    sign_in(page, foreign.person)
    answer = page.goto(f"/documents/{foreign.document_id}")
    assert answer.status == 200
    page.goto("/documents")
    assert page.locator(f"a[href*='/documents/{foreign.document_id}']").count() >= 1
