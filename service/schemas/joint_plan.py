"""Input of the joint plan for public safety and crime prevention."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from service.kinds.joint_plan.model import (
    Activity,
    Approvers,
    BaselineStudy,
    Deadline,
    DeadlineKind,
    Direction,
    Frequency,
    FundingSource,
    Indicator,
    JointPlan,
    Justification,
    Monitoring,
    OrderReference,
    Period,
    Problem,
    Resource,
)
from service.schemas.common import (
    LANGUAGE_NAMES,
    SPACE_CLASS,
    BaseSchema,
    BilingualSchema,
    DocumentSchema,
    Flag,
    PersonSchema,
    Text,
    bilingual,
    issuer_field,
    phrase,
)

# Amounts stay below a trillion: the words converters go up to milliards.
MAX_AMOUNT = Decimal("999999999999.99")
_QUARTER = re.compile(r"^([1-9]\d{3})-Q([1-4])$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# What DeadlineField takes, as a JSON Schema pattern: a real date (leap years counted), a
# quarter or a word, spaces around allowed.
_YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH_DAY = (
    "(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    "|(?:0[13578]|1[02])-31)"
)
_SPACE = f"[{SPACE_CLASS}]*"
DEADLINE_PATTERN = (
    f"^{_SPACE}(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29|[1-9][0-9]{{3}}-Q[1-4]"
    f"|monthly|quarterly|throughout-the-year){_SPACE}$"
)


@cache
def _bilingual_schema(max_length: int) -> type[BilingualSchema]:
    """A bilingual text of at most `max_length` characters per language."""
    return type(
        f"Bilingual{max_length}Schema",
        (BilingualSchema,),
        {
            lang: Text(
                max_length=max_length,
                metadata={
                    "description": f"{name} text (required when the language includes {lang})"
                },
            )
            for lang, name in LANGUAGE_NAMES.items()
        },
    )


def cell_text(max_length: int, **kwargs: Any) -> fields.Nested:
    """A bilingual text printed in a table cell: short enough for a row to fit on a page."""
    return fields.Nested(_bilingual_schema(max_length), **kwargs)


def _bilingual_list(
    *, min_length: int = 0, max_length: int = 20, text_length: int | None = None, **kwargs: Any
) -> fields.List:
    item = bilingual() if text_length is None else cell_text(text_length)
    return fields.List(item, validate=validate.Length(min=min_length, max=max_length), **kwargs)


class DeadlineField(fields.Field):
    """«2016-03-31», «2016-Q2», «monthly», «quarterly» or «throughout-the-year»."""

    default_error_messages = {
        "invalid": "Not a valid deadline: use a date (YYYY-MM-DD), a quarter (YYYY-Qn), "
        "monthly, quarterly or throughout-the-year."
    }

    def _deserialize(self, value, attr, data, **kwargs) -> Deadline:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        text = value.strip()
        if text in (DeadlineKind.MONTHLY, DeadlineKind.QUARTERLY, DeadlineKind.THROUGHOUT_THE_YEAR):
            return Deadline(kind=DeadlineKind(text))
        quarter = _QUARTER.match(text)
        if quarter:
            return Deadline(
                kind=DeadlineKind.QUARTER, year=int(quarter[1]), quarter=int(quarter[2])
            )
        try:
            if _DATE.match(text):
                return Deadline(kind=DeadlineKind.DATE, date=date.fromisoformat(text))
        except ValueError:
            pass
        raise self.make_error("invalid")


# An indicator counts cases, people or percent: a trillion is past any of them.
MAX_INDICATOR = 10**12
INDICATOR_RANGE = {"minimum": -MAX_INDICATOR, "maximum": MAX_INDICATOR}
# What _check_amount enforces, as OpenAPI states it (two decimals: in the description).
AMOUNT_RANGE = {"minimum": 0, "maximum": float(MAX_AMOUNT)}


def check_indicator_value(value: Decimal) -> None:
    # A function rather than validate.Range: apispec would put Decimals in the OpenAPI JSON.
    if abs(value) > MAX_INDICATOR:
        raise ValidationError(
            f"Must be greater than or equal to {-MAX_INDICATOR} "
            f"and less than or equal to {MAX_INDICATOR}."
        )


def _check_amount(amount: Decimal | None) -> None:
    if amount is None:
        return
    if amount < 0:
        raise ValidationError("The amount must not be negative.")
    if amount > MAX_AMOUNT:  # before rounding: a huge number cannot be rounded to tyiyn
        raise ValidationError("The amount is too large.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("The amount may have at most two decimal places.")


class PeriodSchema(BaseSchema):
    year = fields.Integer(strict=True, validate=validate.Range(min=2000, max=2100))
    start = fields.Date()
    end = fields.Date()

    @validates_schema
    def one_form(self, data, **kwargs):
        dates = {"start", "end"} & data.keys()
        if ("year" in data) == bool(dates) or (dates and len(dates) != 2):
            raise ValidationError("Give either a year or the start and end dates.")
        if dates and data["end"] < data["start"]:
            raise ValidationError("The end of the period must not be before its start.", "end")

    @post_load
    def make(self, data, **kwargs) -> Period:
        if "year" in data:
            return Period.for_year(data["year"])
        return Period(start=data["start"], end=data["end"])


class OrderReferenceSchema(BaseSchema):
    number = Text(required=True, max_length=50, metadata={"example": "03-12/146-Б"})
    date = fields.Date(required=True)
    act = bilingual(
        load_default=None,
        metadata={"description": "The order's act word, nominative: «БУЙРУК» / «РАСПОРЯЖЕНИЕ»; "
                  "default «ТЕСКЕМЕ» / «РАСПОРЯЖЕНИЕ»"},
    )  # fmt: skip

    @post_load
    def make(self, data, **kwargs) -> OrderReference:
        return OrderReference(**data)


class BaselineStudySchema(BaseSchema):
    summary = bilingual(required=True, metadata={"description": "Main findings of the study"})
    sources = _bilingual_list(
        required=True,
        min_length=1,
        metadata={"description": "Focus groups, interviews, police statistics…"},
    )

    @post_load
    def make(self, data, **kwargs) -> BaselineStudy:
        return BaselineStudy(summary=data["summary"], sources=tuple(data["sources"]))


class ResourceSchema(BaseSchema):
    description = cell_text(300, required=True)
    amount = fields.Decimal(
        load_default=None,
        validate=_check_amount,
        metadata={
            "description": "In som, at most two decimals; a string («12000.50») keeps it exact. "
            "Omit for resources without cost (people, premises).",
            **AMOUNT_RANGE,
        },
    )
    source = fields.Enum(FundingSource, by_value=True, required=True)
    organisation = cell_text(
        200, load_default=None, metadata={"description": "The business, organisation or donor"}
    )

    @validates_schema
    def name_other_sources(self, data, **kwargs):
        if data.get("source") is FundingSource.OTHER and data.get("organisation") is None:
            raise ValidationError("Name the source when it is «other».", "organisation")

    @post_load
    def make(self, data, **kwargs) -> Resource:
        return Resource(**data)


class ActivitySchema(BaseSchema):
    title = cell_text(500, required=True)
    deadline = DeadlineField(
        required=True,
        metadata={
            "type": "string",
            "pattern": DEADLINE_PATTERN,
            "example": "2016-Q2",
            "description": "A date (YYYY-MM-DD), a quarter (YYYY-Qn), monthly, quarterly or "
            "throughout-the-year",
        },
    )
    responsible = fields.List(
        cell_text(200),
        required=True,
        validate=[
            validate.Length(min=1, error="At least one responsible party is required."),
            validate.Length(max=10),
        ],
    )
    involved = _bilingual_list(load_default=list, max_length=15, text_length=200)
    resources = fields.List(
        fields.Nested(ResourceSchema), load_default=list, validate=validate.Length(max=10)
    )

    @post_load
    def make(self, data, **kwargs) -> Activity:
        return Activity(
            title=data["title"],
            deadline=data["deadline"],
            responsible=tuple(data["responsible"]),
            involved=tuple(data["involved"]),
            resources=tuple(data["resources"]),
        )


class IndicatorSchema(BaseSchema):
    ref = Text(
        required=True,
        max_length=20,
        metadata={"description": "Unique code in the plan", "example": "1.1"},
    )
    name = cell_text(300, required=True)
    unit = cell_text(50, required=True, metadata={"description": "«случаев», «%», «чел.»"})
    baseline = fields.Decimal(
        required=True, allow_nan=False, validate=check_indicator_value, metadata=INDICATOR_RANGE
    )
    target = fields.Decimal(
        required=True, allow_nan=False, validate=check_indicator_value, metadata=INDICATOR_RANGE
    )
    direction = fields.Enum(
        Direction, by_value=True, required=True, metadata={"description": "Which is better"}
    )

    @post_load
    def make(self, data, **kwargs) -> Indicator:
        return Indicator(**data)


class JustificationSchema(BaseSchema):
    causes = _bilingual_list(required=True, min_length=1, max_length=15, text_length=1000)
    consequences = _bilingual_list(required=True, min_length=1, max_length=15, text_length=1000)

    @post_load
    def make(self, data, **kwargs) -> Justification:
        return Justification(causes=tuple(data["causes"]), consequences=tuple(data["consequences"]))


class ProblemSchema(BaseSchema):
    title = bilingual(required=True)
    justification = fields.Nested(JustificationSchema, required=True)
    expected_result = cell_text(800, required=True)
    indicators = fields.List(
        fields.Nested(IndicatorSchema), required=True, validate=validate.Length(min=1, max=10)
    )
    activities = fields.List(
        fields.Nested(ActivitySchema), required=True, validate=validate.Length(min=1, max=60)
    )

    @post_load
    def make(self, data, **kwargs) -> Problem:
        return Problem(
            title=data["title"],
            justification=data["justification"],
            expected_result=data["expected_result"],
            indicators=tuple(data["indicators"]),
            activities=tuple(data["activities"]),
        )


class MonitoringSchema(BaseSchema):
    meetings = fields.Enum(
        Frequency,
        by_value=True,
        load_default=Frequency.MONTHLY,
        metadata={"description": "How often the working group meets"},
    )
    report_to = phrase(
        required=True,
        metadata={"description": "The kenesh that receives the report, in the nominative; "
                  "`forms.ru_accusative` sets its form after «в» by hand"},
    )  # fmt: skip
    report_deadline = fields.Date(load_default=None)
    police_assessment = Flag(
        load_default=True,
        metadata={"description": "The results feed the external assessment of the police"},
    )
    notes = _bilingual_list(load_default=list, max_length=10)

    @post_load
    def make(self, data, **kwargs) -> Monitoring:
        return Monitoring(**{**data, "notes": tuple(data["notes"])})


class ApproversSchema(BaseSchema):
    kenesh_chair = fields.Nested(PersonSchema, required=True)
    executive_head = fields.Nested(
        PersonSchema,
        load_default=None,
        metadata={"description": "Head of the aiyl okmotu or mayor; default: the issuer's head"},
    )
    police_head = fields.Nested(PersonSchema, required=True)


class JointPlanSchema(DocumentSchema):
    issuer = issuer_field()
    title = bilingual(
        load_default=None,
        metadata={
            "description": "The words after «СОВМЕСТНЫЙ ПЛАН»; by default composed from the "
            "body and the period"
        },
    )
    period = fields.Nested(
        PeriodSchema,
        required=True,
        metadata={"description": '{"year": 2016} or {"start": …, "end": …}'},
    )
    working_group_order = fields.Nested(OrderReferenceSchema, load_default=None)
    baseline_study = fields.Nested(BaselineStudySchema, required=True)
    problems = fields.List(
        fields.Nested(ProblemSchema),
        required=True,
        validate=validate.Length(min=1, max=7),
        metadata={"description": "1–7 priority problems; the usual 4–5 gives no warning"},
    )
    monitoring = fields.Nested(MonitoringSchema, required=True)
    approvers = fields.Nested(ApproversSchema, required=True)
    agreed = fields.List(
        fields.Nested(PersonSchema),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "«СОГЛАСОВАНО» parties"},
    )

    @validates_schema
    def check_deadlines_and_references(self, data, **kwargs):
        errors: dict = {}

        def put(path: tuple, message: str) -> None:
            node = errors
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node.setdefault(path[-1], []).append(message)

        period, seen = data["period"], set()
        for i, problem in enumerate(data["problems"]):
            for j, activity in enumerate(problem.activities):
                if not activity.deadline.within(period):
                    put(
                        ("problems", i, "activities", j, "deadline"),
                        "The deadline is outside the plan period.",
                    )
            for j, indicator in enumerate(problem.indicators):
                if indicator.ref in seen:
                    put(
                        ("problems", i, "indicators", j, "ref"),
                        f"The indicator reference {indicator.ref} is used more than once.",
                    )
                seen.add(indicator.ref)
        if errors:
            raise ValidationError(errors)

    @post_load
    def make(self, data, **kwargs) -> JointPlan:
        approvers = data["approvers"]
        return JointPlan(
            language=data["language"],
            issuer=data["issuer"],
            title=data["title"],
            period=data["period"],
            working_group_order=data["working_group_order"],
            baseline_study=data["baseline_study"],
            problems=tuple(data["problems"]),
            monitoring=data["monitoring"],
            approvers=Approvers(
                kenesh_chair=approvers["kenesh_chair"],
                executive_head=approvers["executive_head"] or data["issuer"].head,
                police_head=approvers["police_head"],
            ),
            agreed=tuple(data["agreed"]),
        )
