"""The annual implementation report on a joint plan (пландын аткарылышы жөнүндө жылдык отчет).

At the end of the plan period the working group reports to the kenesh what was done and what
it achieved. The report is the plan plus what happened: a status, a date, the money spent and
a comment for each activity, an actual value for each indicator, and the narrative.

Derived values are computed here, exactly:
- Shares of activities count every activity of the plan (done, partly done, not done,
  cancelled and those the report gives no data on), so the shares of a problem add up to 100 %.
- Budget execution compares the money spent with the plan's resources, per source and overall.
- An indicator's achievement is the share of the planned change (baseline → target) that was
  reached, in the direction the indicator should move: for «lower is better»
  (baseline − actual) / (baseline − target), for «higher is better»
  (actual − baseline) / (target − baseline). A change the wrong way gives a negative share.

Percentages are `Decimal`, rounded half up to one decimal place (`percent`); a share of
nothing (a planned amount of 0, a target equal to the baseline) is None, printed «—».
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from service.domain.common import Bilingual, Language, Person
from service.domain.notices import Notice
from service.kinds.joint_plan.model import (
    Activity,
    Direction,
    FundingSource,
    Indicator,
    JointPlan,
    Problem,
)

ZERO = Decimal("0.00")
ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal(100)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, half up to 0.1; None when `whole` is zero."""
    if whole == 0:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


class ActivityStatus(enum.StrEnum):
    """What became of an activity; NO_DATA is never given, it marks an activity left out."""

    DONE = "done"
    PARTLY_DONE = "partly_done"
    NOT_DONE = "not_done"
    CANCELLED = "cancelled"
    NO_DATA = "no_data"


REPORTED_STATUSES = tuple(s for s in ActivityStatus if s is not ActivityStatus.NO_DATA)


class Trend(enum.StrEnum):
    """How an indicator moved against its direction."""

    TARGET_REACHED = "target_reached"
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    WORSENED = "worsened"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Spending:
    """Money actually spent on an activity from one source."""

    source: FundingSource
    amount: Decimal
    organisation: Bilingual | None = None


@dataclass(frozen=True)
class ActivityReport:
    """What the working group reports on one activity, by its number («1.2»)."""

    number: str
    status: ActivityStatus
    actual_date: date | None = None
    spent: tuple[Spending, ...] = ()
    comment: Bilingual | None = None


@dataclass(frozen=True)
class IndicatorReport:
    ref: str
    actual: Decimal


@dataclass(frozen=True)
class Narrative:
    summary: Bilingual
    difficulties: Bilingual | None = None
    recommendations: Bilingual | None = None
    proposals: Bilingual | None = None


@dataclass(frozen=True)
class ActivityOutcome:
    """A planned activity and what the report says of it (None: no data)."""

    number: str
    activity: Activity
    report: ActivityReport | None

    @property
    def status(self) -> ActivityStatus:
        return self.report.status if self.report is not None else ActivityStatus.NO_DATA

    @property
    def planned(self) -> Decimal:
        return self.activity.total

    @property
    def spent(self) -> Decimal:
        if self.report is None:
            return ZERO
        return sum((s.amount for s in self.report.spent), ZERO)

    @property
    def execution(self) -> Decimal | None:
        return percent(self.spent, self.planned)


@dataclass(frozen=True)
class IndicatorOutcome:
    indicator: Indicator
    actual: Decimal | None

    @property
    def change(self) -> Decimal | None:
        """Actual minus baseline, signed as the numbers go (not by direction)."""
        return None if self.actual is None else self.actual - self.indicator.baseline

    @property
    def achievement(self) -> Decimal | None:
        """Percentage of the planned change reached, respecting the direction."""
        if self.actual is None:
            return None
        i = self.indicator
        if i.direction is Direction.LOWER:
            return percent(i.baseline - self.actual, i.baseline - i.target)
        return percent(self.actual - i.baseline, i.target - i.baseline)

    @property
    def trend(self) -> Trend:
        if self.actual is None:
            return Trend.NO_DATA
        i = self.indicator
        better = (
            self.actual < i.baseline
            if i.direction is Direction.LOWER
            else (self.actual > i.baseline)
        )
        if self.actual == i.baseline:
            return Trend.UNCHANGED
        if not better:
            return Trend.WORSENED
        reached = (
            self.actual <= i.target if i.direction is Direction.LOWER else (self.actual >= i.target)
        )
        return Trend.TARGET_REACHED if reached else Trend.IMPROVED


@dataclass(frozen=True)
class StatusShares:
    """How many activities have each status, and their shares of all activities."""

    total: int
    counts: dict[ActivityStatus, int]

    @classmethod
    def of(cls, outcomes: tuple[ActivityOutcome, ...] | list[ActivityOutcome]) -> StatusShares:
        counts = dict.fromkeys(ActivityStatus, 0)
        for outcome in outcomes:
            counts[outcome.status] += 1
        return cls(total=len(outcomes), counts=counts)

    def share(self, status: ActivityStatus) -> Decimal | None:
        return percent(Decimal(self.counts[status]), Decimal(self.total))


@dataclass(frozen=True)
class ProblemOutcome:
    number: int
    problem: Problem
    activities: tuple[ActivityOutcome, ...]
    indicators: tuple[IndicatorOutcome, ...]

    @property
    def shares(self) -> StatusShares:
        return StatusShares.of(self.activities)

    @property
    def planned(self) -> Decimal:
        return sum((a.planned for a in self.activities), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((a.spent for a in self.activities), ZERO)

    @property
    def execution(self) -> Decimal | None:
        return percent(self.spent, self.planned)


@dataclass(frozen=True)
class SourceExecution:
    source: FundingSource
    planned: Decimal
    spent: Decimal

    @property
    def execution(self) -> Decimal | None:
        return percent(self.spent, self.planned)


@dataclass(frozen=True)
class AnnualReport:
    language: Language
    plan: JointPlan
    activities: tuple[ActivityReport, ...]
    indicators: tuple[IndicatorReport, ...]
    narrative: Narrative
    addressee: Bilingual
    signatory: Person
    report_date: date

    @property
    def problems(self) -> tuple[ProblemOutcome, ...]:
        """Every problem of the plan with every activity and indicator, reported or not."""
        reports = {r.number: r for r in self.activities}
        actuals = {r.ref: r.actual for r in self.indicators}
        return tuple(
            ProblemOutcome(
                number=n,
                problem=problem,
                activities=tuple(
                    ActivityOutcome(number, activity, reports.get(number))
                    for number, activity in numbered_activities(n, problem)
                ),
                indicators=tuple(
                    IndicatorOutcome(indicator, actuals.get(indicator.ref))
                    for indicator in problem.indicators
                ),
            )
            for n, problem in enumerate(self.plan.problems, start=1)
        )

    @property
    def outcomes(self) -> list[ActivityOutcome]:
        return [a for p in self.problems for a in p.activities]

    @property
    def shares(self) -> StatusShares:
        return StatusShares.of(self.outcomes)

    @property
    def budget(self) -> list[SourceExecution]:
        """Planned and spent money per source, in the order of `FundingSource`.

        A source the plan did not foresee but the report spent from has a planned 0.
        """
        spent: dict[FundingSource, Decimal] = defaultdict(lambda: ZERO)
        for report in self.activities:
            for spending in report.spent:
                spent[spending.source] += spending.amount
        planned = self.plan.totals_by_source
        return [
            SourceExecution(source, planned.get(source, ZERO), spent[source])
            for source in FundingSource
            if source in planned or source in spent
        ]

    @property
    def planned(self) -> Decimal:
        return self.plan.total

    @property
    def spent(self) -> Decimal:
        return sum((a.spent for a in self.outcomes), ZERO)

    @property
    def execution(self) -> Decimal | None:
        return percent(self.spent, self.planned)

    @property
    def warnings(self) -> list[Notice]:
        """Gaps in the report."""
        found = []
        missing = [a.number for a in self.outcomes if a.report is None]
        if missing:
            found.append(
                Notice(
                    "report.activities_without_data",
                    "The report gives no data on activities {numbers}.",
                    {"numbers": ", ".join(missing)},
                )
            )
        refs = [i.indicator.ref for p in self.problems for i in p.indicators if i.actual is None]
        if refs:
            found.append(
                Notice(
                    "report.indicators_without_value",
                    "The report gives no actual value of indicators {refs}.",
                    {"refs": ", ".join(refs)},
                )
            )
        return found


def numbered_activities(problem_number: int, problem: Problem) -> list[tuple[str, Activity]]:
    """The activities of a problem with their numbers «1.1», «1.2», as the plan prints them."""
    return [(f"{problem_number}.{n}", a) for n, a in enumerate(problem.activities, start=1)]


def activity_numbers(plan: JointPlan) -> list[str]:
    return [
        number
        for n, problem in enumerate(plan.problems, start=1)
        for number, _ in numbered_activities(n, problem)
    ]


def indicator_refs(plan: JointPlan) -> list[str]:
    return [i.ref for p in plan.problems for i in p.indicators]
