"""The joint plan for public safety and crime prevention (совместный план / биргелешкен план).

A multi-party agreement: every activity has a deadline, responsible and involved parties and
the resources it needs with their sources; every priority problem has a justification, an
expected result and indicators. Money is `Decimal` throughout; the totals are exact sums.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from service.domain.common import Bilingual, Issuer, Language, Person
from service.domain.notices import Notice

# The seed's practice: «члены рабочей группы определили 4-5 приоритетных проблем».
USUAL_PROBLEM_COUNT = range(4, 6)


class FundingSource(enum.StrEnum):
    """Where the money for a resource comes from, in the order the budget lists them."""

    LOCAL_BUDGET = "local_budget"
    BUSINESS = "business"
    INTERNATIONAL = "international"
    COMMUNITY = "community"
    OTHER = "other"


class Direction(enum.StrEnum):
    """Which way an indicator should move."""

    LOWER = "lower"
    HIGHER = "higher"


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class DeadlineKind(enum.StrEnum):
    DATE = "date"
    QUARTER = "quarter"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    THROUGHOUT_THE_YEAR = "throughout-the-year"


@dataclass(frozen=True)
class Period:
    """The plan's period: a calendar year, or any range of dates."""

    start: date
    end: date
    year: int | None = None

    @classmethod
    def for_year(cls, year: int) -> Period:
        return cls(start=date(year, 1, 1), end=date(year, 12, 31), year=year)

    @property
    def within_one_year(self) -> bool:
        return self.start.year == self.end.year

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Deadline:
    """When an activity is due: a date, a quarter, or a recurring or year-long activity."""

    kind: DeadlineKind
    date: date | None = None
    year: int | None = None
    quarter: int | None = None

    @property
    def due(self) -> date | None:
        """The last day of a dated or quarterly deadline; None for recurring ones."""
        if self.kind is DeadlineKind.DATE:
            return self.date
        if self.kind is DeadlineKind.QUARTER:
            assert self.year is not None and self.quarter is not None
            if self.quarter == 4:
                return date(self.year, 12, 31)
            return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)
        return None

    def within(self, period: Period) -> bool:
        due = self.due
        return due is None or period.contains(due)


@dataclass(frozen=True)
class Resource:
    description: Bilingual
    amount: Decimal | None
    source: FundingSource
    organisation: Bilingual | None = None

    @property
    def cost(self) -> Decimal:
        """The amount, counting a resource without one (people, premises) as zero."""
        return self.amount if self.amount is not None else Decimal("0.00")


@dataclass(frozen=True)
class Activity:
    title: Bilingual
    deadline: Deadline
    responsible: tuple[Bilingual, ...]
    involved: tuple[Bilingual, ...]
    resources: tuple[Resource, ...]

    @property
    def total(self) -> Decimal:
        return sum((r.cost for r in self.resources), Decimal("0.00"))


@dataclass(frozen=True)
class Indicator:
    ref: str
    name: Bilingual
    unit: Bilingual
    baseline: Decimal
    target: Decimal
    direction: Direction

    @property
    def target_is_worse(self) -> bool:
        if self.direction is Direction.LOWER:
            return self.target > self.baseline
        return self.target < self.baseline


@dataclass(frozen=True)
class Justification:
    causes: tuple[Bilingual, ...]
    consequences: tuple[Bilingual, ...]


@dataclass(frozen=True)
class Problem:
    title: Bilingual
    justification: Justification
    expected_result: Bilingual
    indicators: tuple[Indicator, ...]
    activities: tuple[Activity, ...]

    @property
    def total(self) -> Decimal:
        return sum((a.total for a in self.activities), Decimal("0.00"))


@dataclass(frozen=True)
class BaselineStudy:
    """The study the priorities rest on; its figures are the baseline of the indicators."""

    summary: Bilingual
    sources: tuple[Bilingual, ...]


@dataclass(frozen=True)
class OrderReference:
    """The order that established the working group which drafted the plan."""

    number: str
    date: date
    # The order's act word, nominative («БУЙРУК» / «РАСПОРЯЖЕНИЕ»); None: the default one.
    act: Bilingual | None = None


@dataclass(frozen=True)
class Monitoring:
    meetings: Frequency
    report_to: Bilingual
    report_deadline: date | None
    police_assessment: bool
    notes: tuple[Bilingual, ...]


@dataclass(frozen=True)
class Approvers:
    """The three parties that approve the plan, left to right on the title page."""

    kenesh_chair: Person
    executive_head: Person
    police_head: Person

    def in_order(self) -> tuple[Person, Person, Person]:
        return (self.kenesh_chair, self.executive_head, self.police_head)


@dataclass(frozen=True)
class JointPlan:
    language: Language
    issuer: Issuer
    title: Bilingual | None
    period: Period
    working_group_order: OrderReference | None
    baseline_study: BaselineStudy
    problems: tuple[Problem, ...]
    monitoring: Monitoring
    approvers: Approvers
    agreed: tuple[Person, ...]

    @property
    def resources(self) -> list[Resource]:
        return [r for p in self.problems for a in p.activities for r in a.resources]

    @property
    def total(self) -> Decimal:
        return sum((p.total for p in self.problems), Decimal("0.00"))

    @property
    def totals_by_source(self) -> dict[FundingSource, Decimal]:
        """The total of each source the plan uses, in the order of `FundingSource`."""
        totals: dict[FundingSource, Decimal] = defaultdict(lambda: Decimal("0.00"))
        for resource in self.resources:
            totals[resource.source] += resource.cost
        return {source: totals[source] for source in FundingSource if source in totals}

    @property
    def organisations_by_source(self) -> dict[FundingSource, list[Bilingual]]:
        """The named organisations of each source, each once, in order of appearance."""
        found: dict[FundingSource, list[Bilingual]] = defaultdict(list)
        for resource in self.resources:
            names = found[resource.source]
            if resource.organisation is not None and resource.organisation not in names:
                names.append(resource.organisation)
        return dict(found)

    @property
    def warnings(self) -> list[Notice]:
        """Unusual but valid choices."""
        found = []
        if len(self.problems) not in USUAL_PROBLEM_COUNT:
            found.append(
                Notice(
                    "plan.unusual_problem_count",
                    "A plan usually has 4 or 5 priority problems; this one has {count}.",
                    {"count": str(len(self.problems))},
                )
            )
        for problem in self.problems:
            for indicator in problem.indicators:
                if indicator.target_is_worse:
                    found.append(
                        Notice(
                            "plan.target_worse_than_baseline",
                            "The target of indicator {ref} is worse than its baseline.",
                            {"ref": indicator.ref},
                        )
                    )
        return found
