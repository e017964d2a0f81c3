"""A district coordinator makes a joint plan with two problems and three activities through
its form, then the annual report on it, the report's form prefilled from the stored plan."""

from __future__ import annotations

import re

import pytest

from tests.browser.forms import FORM, example, fill_example, lists_of, rows
from tests.browser.helpers import axe, shoot, sign_in
from tests.docx_reading import all_text, open_docx

DOCUMENT = re.compile(r"/documents/[0-9a-f]{32}$")


def _plan() -> dict:
    """The Uch-Korgon plan cut down to two problems with three activities in all, one row in
    each of their other lists."""
    plan = example("uch-korgon-plan")
    plan["baseline_study"]["sources"] = plan["baseline_study"]["sources"][:1]
    plan["problems"] = plan["problems"][:2]
    for problem, activities in zip(plan["problems"], (2, 1), strict=True):
        for part in ("causes", "consequences"):
            problem["justification"][part] = problem["justification"][part][:1]
        problem["indicators"] = problem["indicators"][:1]
        problem["activities"] = problem["activities"][:activities]
        for activity in problem["activities"]:
            for part in ("responsible", "involved", "resources"):
                if part in activity:
                    activity[part] = activity[part][:1]
    plan["agreed"] = plan.get("agreed", [])[:1]
    return plan


@pytest.fixture
def coordinator(live_server):
    return live_server.person(
        "kadamjai",
        roles={"coordinator"},
        kind="district",
        name="Кадамжай районунун администрациясы",
    )


def _done(page) -> None:
    page.wait_for_url(DOCUMENT)
    page.wait_for_function(
        "() => document.querySelector('#document dd.status-done, #document dd.status-failed')",
        timeout=180_000,
    )
    assert page.locator("#document dd.status-done").count() == 1, page.locator(
        "#document"
    ).inner_text()


def test_a_plan_with_two_problems_and_three_activities_then_its_report(page, coordinator):
    sign_in(page, coordinator)
    plan = _plan()
    page.goto("/documents/new/joint-plans")
    fill_example(page, plan, lists=tuple(lists_of(plan)))
    assert rows(page, "problems") == 2
    assert rows(page, "problems.0.activities") == 2 and rows(page, "problems.1.activities") == 1
    axe(page)
    shoot(page, "plan-form-filled")
    page.click(f"{FORM} button[name=_action][value=issue]")
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() == 0, page.locator("main").inner_text()[
        :3000
    ]
    _done(page)
    shoot(page, "plan-done")
    plan_url = page.url

    # The report: the plan chosen, its problems and activities come into the form.
    page.goto("/documents/new/annual-reports")
    shoot(page, "report-choose-plan")
    choice = page.locator("form.plan-choice select")
    choice.select_option(plan_url.rsplit("/", 1)[1])
    page.locator("form.plan-choice button[type=submit]").click()
    page.wait_for_load_state()
    numbers = [
        f"{p}.{a}" for p, problem in enumerate(plan["problems"], 1)
        for a in range(1, len(problem["activities"]) + 1)
    ]  # fmt: skip
    assert rows(page, "activities") == 3
    assert [
        page.locator(f'{FORM} [name="activities.{i}.number"]').first.input_value() for i in range(3)
    ] == numbers
    axe(page)
    shoot(page, "report-form-from-plan")

    # What was done: the report example's entries for these activities and indicators.
    report = example("uch-korgon-report")
    del report["plan"]
    report["activities"] = [a for a in report["activities"] if a["number"] in numbers]
    refs = [p["indicators"][0]["ref"] for p in plan["problems"]]
    report["indicators"] = [i for i in report["indicators"] if i["ref"] in refs]
    fill_example(page, report, lists=tuple(lists_of(report)))
    page.click(f"{FORM} button[name=_action][value=issue]")
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() == 0, page.locator("main").inner_text()[
        :3000
    ]
    _done(page)
    shoot(page, "report-done")
    docx = page.locator("#document table.outputs a.button").filter(has_text=".docx")
    with page.expect_download() as started:
        docx.click()
    text = all_text(open_docx(started.value.path().read_bytes()))
    for problem in plan["problems"]:
        assert problem["title"]["ky"] in text
