"""The annual report's derived values against hand-computed ones (examples/uch-korgon-report)."""

from __future__ import annotations

import copy
import json
from decimal import Decimal

import pytest

from service.generation import load_input
from service.kinds.annual_report.model import ActivityStatus, Trend, percent
from service.kinds.joint_plan.model import FundingSource
from tests.conftest import EXAMPLES

KIND = "annual-report"
D = Decimal
_EXAMPLE = json.loads((EXAMPLES / "uch-korgon-report.json").read_text(encoding="utf-8"))


@pytest.fixture
def report_input() -> dict:
    return copy.deepcopy(_EXAMPLE)


@pytest.fixture
def report(report_input):
    return load_input(KIND, report_input)


def test_percent_rounds_half_up_to_one_decimal():
    assert percent(D(1), D(8)) == D("12.5")
    assert percent(D(1), D(16)) == D("6.3")  # 6.25: half up, not to even
    assert percent(D(2), D(3)) == D("66.7")
    assert percent(D(5), D(0)) is None


def test_shares_overall(report):
    shares = report.shares
    assert shares.total == 13
    assert shares.counts == {
        ActivityStatus.DONE: 7,
        ActivityStatus.PARTLY_DONE: 2,
        ActivityStatus.NOT_DONE: 2,
        ActivityStatus.CANCELLED: 1,
        ActivityStatus.NO_DATA: 1,
    }
    assert shares.share(ActivityStatus.DONE) == D("53.8")  # 7/13 = 53.846
    assert shares.share(ActivityStatus.PARTLY_DONE) == D("15.4")  # 2/13 = 15.385
    assert shares.share(ActivityStatus.CANCELLED) == D("7.7")  # 1/13 = 7.692


def test_shares_per_problem(report):
    first, second, third, fourth = report.problems
    assert first.shares.share(ActivityStatus.DONE) == D("75.0")  # 3 of 4
    assert first.shares.share(ActivityStatus.PARTLY_DONE) == D("25.0")
    assert second.shares.share(ActivityStatus.NOT_DONE) == D("33.3")  # 1 of 3
    assert third.shares.share(ActivityStatus.DONE) == D("66.7")  # 2 of 3
    assert fourth.shares.counts[ActivityStatus.NO_DATA] == 1  # 4.3 was left out
    assert fourth.activities[2].report is None


def test_budget_per_source_and_overall(report):
    budget = {row.source: (row.planned, row.spent, row.execution) for row in report.budget}
    assert budget == {
        # planned 120 000 + 85 000 + 30 000 + 24 000 + 40 000 + 8 000;
        # spent 118 000 + 60 000 + 30 000 + 12 000 + 8 000
        FundingSource.LOCAL_BUDGET: (D("307000.00"), D("228000.00"), D("74.3")),
        FundingSource.BUSINESS: (D("65000.00"), D("45000.00"), D("69.2")),
        FundingSource.INTERNATIONAL: (D("93000.00"), D("43000.00"), D("46.2")),
        FundingSource.COMMUNITY: (D("30000.00"), D("25000.00"), D("83.3")),
    }
    assert report.planned == D("495000.00")
    assert report.spent == D("341000.00")
    assert report.execution == D("68.9")  # 341 000 / 495 000 = 68.89
    first = report.problems[0]
    assert (first.planned, first.spent, first.execution) == (
        D("258000.00"),
        D("231000.00"),
        D("89.5"),  # 89.53
    )
    assert all(isinstance(row.spent, Decimal) for row in report.budget)


def test_unplanned_source_and_zero_plan(report_input):
    report_input["activities"][3]["spent"] = [
        {"source": "other", "amount": "500.50", "organisation": {"ky": "Фонд", "ru": "Фонд"}}
    ]
    report = load_input(KIND, report_input)
    other = report.budget[-1]
    assert (other.source, other.planned, other.spent) == (
        FundingSource.OTHER,
        D("0.00"),
        D("500.50"),
    )
    assert other.execution is None  # planned 0: «—»
    assert report.outcomes[3].execution is None  # activity 1.4 has no planned money


@pytest.mark.parametrize(
    ("ref", "change", "achievement", "trend"),
    [
        ("1.1", D(-5), D("83.3"), Trend.IMPROVED),  # lower: (14 − 9) / (14 − 8)
        ("1.2", D(45), D("75.0"), Trend.IMPROVED),  # higher: (65 − 20) / (80 − 20)
        ("2.1", D(-8), D("72.7"), Trend.IMPROVED),  # (23 − 15) / (23 − 12)
        ("2.2", D(45), D("100.0"), Trend.TARGET_REACHED),
        ("3.2", D(8), D("36.4"), Trend.IMPROVED),  # 8 / 22
        ("4.1", D(2), D("-33.3"), Trend.WORSENED),  # (11 − 13) / (11 − 5)
        ("4.2", D(450), D("75.0"), Trend.IMPROVED),  # baseline 0
    ],
)
def test_indicator_achievement_respects_direction(report, ref, change, achievement, trend):
    outcome = next(i for p in report.problems for i in p.indicators if i.indicator.ref == ref)
    assert outcome.change == change
    assert outcome.achievement == achievement
    assert outcome.trend is trend


def test_indicator_without_planned_change_or_actual(report_input):
    report_input["plan"]["problems"][0]["indicators"][0]["target"] = "14"
    del report_input["indicators"][1]
    report = load_input(KIND, report_input)
    first, second = report.problems[0].indicators
    assert first.achievement is None  # target == baseline
    assert second.actual is None and second.trend is Trend.NO_DATA
    assert [notice.text() for notice in report.warnings] == [
        "The report gives no data on activities 4.3.",
        "The report gives no actual value of indicators 1.2.",
    ]
