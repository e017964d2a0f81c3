"""What the browser tests do to any page: screenshots at both sizes, and axe-core's audit."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from tests.conftest import ROOT
from tests.stack import services_missing

SCREENS = ROOT / "test-artifacts" / "screens"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# What a page loads besides itself; one of them failing to load fails the test.
SUBRESOURCES = {"stylesheet", "script", "image", "font"}
# What axe reports that fails a test: its two worst impacts.
BLOCKING = ("serious", "critical")


def shoot(page, name: str) -> list[Path]:
    """Full-page screenshots of `page` as it is now, at 1366x768 and at phone width:
    test-artifacts/screens/<name>-desktop.png and <name>-phone.png."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-")
    before = page.viewport_size
    made = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        path = SCREENS / f"{stem}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        made.append(path)
    page.set_viewport_size(before)
    return made


def new_context(browser, live_server, **options):
    """A browser context of its own (no cookies) that records what went wrong in its pages:
    a script error, a CSP refusal, a stylesheet, script or image that did not load (`closed`
    closes it and fails on any)."""
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    context.problems = []

    def watch(page):
        page.on("pageerror", lambda error: context.problems.append(f"script error: {error}"))
        page.on(
            "console",
            lambda message: (
                context.problems.append(f"console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                context.problems.append(f"{response.status} for {response.url}")
                if response.request.resource_type in SUBRESOURCES and response.status >= 400
                else None
            ),
        )

    context.on("page", watch)
    return context


def closed(context) -> None:
    problems = context.problems
    context.close()
    assert not problems, "the pages had problems:\n" + "\n".join(problems)


@cache
def _axe_source() -> str:
    if not AXE.exists():
        services_missing(f"axe-core is not installed: `make browser` (npm ci in {AXE.parents[2]})")
    return AXE.read_text(encoding="utf-8")


def axe(page) -> None:
    """Run axe-core in `page`; fail listing every serious or critical violation."""
    problems = axe_problems(page)
    assert not problems, f"axe on {page.url}:\n{problems}"


def axe_problems(page) -> str:
    """axe-core's serious and critical violations in `page`, described ("" for none).

    axe is evaluated through the browser's debugging protocol, which the page's CSP (no
    inline script, no eval) does not govern; the page itself stays under its CSP.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async () => {
            const found = await window.axe.run(document, {resultTypes: ['violations']});
            return found.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '),
                                          html: n.html, summary: n.failureSummary})),
            }));
        }"""
    )
    return "\n".join(_describe(v) for v in result if v["impact"] in BLOCKING)


def _describe(violation: dict) -> str:
    lines = [
        f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['url']})"
    ]
    for node in violation["nodes"][:10]:
        lines.append(f"    at {node['target']}: {node['html'][:200]}")
        for detail in (node["summary"] or "").splitlines():
            lines.append(f"      {detail}")
    if len(violation["nodes"]) > 10:
        lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def sign_in(page, person) -> None:
    """Sign `person` in on `page` through the sign-in form; on the start page after."""
    page.goto("/sign-in")
    page.fill("#username", person.username)
    page.fill("#password", person.password)
    page.click("form.narrow button[type=submit]")
    page.wait_for_url(lambda url: not url.endswith("/sign-in") and "/sign-in?" not in url)
