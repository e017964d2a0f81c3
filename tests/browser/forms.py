"""Filling the document forms in the browser as a person does: typing into each input, choosing
in selects, ticking flags, adding rows with the form's own buttons."""

from __future__ import annotations

import json
import re
import time

from service.web.forms import flatten

try:
    from playwright.sync_api import Error as PlaywrightError
except ImportError:  # the tests skip without Playwright (conftest.py)
    PlaywrightError = Exception
from tests.conftest import EXAMPLES

FORM = "form.document-form"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def field(page, name: str):
    """The visible input, select or textarea of the document form named `name`."""
    return page.locator(f'{FORM} [name="{name}"]:not([type=hidden])')


def rows(page, name: str) -> int:
    """How many rows the list `name` has in the form now."""
    pattern = re.compile(rf"^{re.escape(name)}\.(\d+)(\.|$)")
    for _ in range(50):
        try:
            names = page.eval_on_selector_all(
                f"{FORM} [name^='{name}.']", "found => found.map(e => e.getAttribute('name'))"
            )
            break
        except PlaywrightError:  # the form posted itself (a row added by the server)
            page.wait_for_load_state()
    return len({m.group(1) for n in names if (m := pattern.match(n))})


def add_rows(page, name: str, wanted: int) -> None:
    """Click the list's «Add a row» until it has `wanted` rows (in place where the script
    adds it, else by the server, the page coming back with every input kept)."""
    while rows(page, name) < wanted:
        before = rows(page, name)
        page.click(f'{FORM} button[name=_action][value="add:{name}"]')
        deadline = time.monotonic() + 15
        while rows(page, name) == before and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        page.wait_for_load_state()
        assert rows(page, name) > before, f"«Add a row» added no row to {name}"


def lists_of(document, path: str = "") -> list[str]:
    """Every list of objects in `document` by its dotted path, each before the lists inside
    it."""
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            found += lists_of(value, f"{path}.{key}" if path else key)
    elif isinstance(document, list):
        found.append(path)
        for i, value in enumerate(document):
            found += lists_of(value, f"{path}.{i}")
    return found


def fill(page, values: dict[str, str]) -> None:
    """Type `values` (input name → text) into the form, each as its widget takes it."""
    for name, value in values.items():
        found = field(page, name)
        if found.count() == 0:
            raise AssertionError(f"the form has no input {name}")
        target = found.first
        tag = target.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if tag == "select:select-one":
            target.select_option(value)
        elif tag == "input:checkbox":
            target.set_checked(value == "true")
        elif value:
            target.fill(value)


def _at(document, path: str):
    for part in path.split("."):
        document = document[int(part)] if isinstance(document, list) else document[part]
    return document


def fill_example(page, document: dict, lists: tuple[str, ...] = ()) -> None:
    """Fill the form with `document` (the API's JSON), first adding the rows its `lists`
    (dotted paths, outer lists first: "problems", "problems.0.activities") need."""
    for name in lists:
        add_rows(page, name, len(_at(document, name)))
    fill(page, {k: v for k, v in flatten(document).items() if v != ""})
