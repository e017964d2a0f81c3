"""Context builder for the annual implementation report and its charts.

The template only places what this module returns: plain strings and lists, one part per
language (Kyrgyz first). Every figure comes from the model (`model.py`), which computes the
shares, the budget execution and the indicators' achievement exactly; here they
are formatted: amounts as «40 000,00», percentages as «62,5 %» (one decimal, rounded half up
in the model), a share of nothing as «—».

Each language part has its own chart (its words in that language). The template holds one
placeholder picture per part, `word/media/image1.png` for the first part and `image2.png` for
the second; `media` maps them to the charts.
"""

from __future__ import annotations

from decimal import Decimal

from service.domain.notices import Notice
from service.domain.properties import DocumentProperties
from service.i18n import Phrases
from service.kinds.annual_report.chart import BudgetBars, ChartData, IndicatorBar, render_chart
from service.kinds.annual_report.model import (
    ActivityOutcome,
    ActivityStatus,
    AnnualReport,
    IndicatorOutcome,
    ProblemOutcome,
    StatusShares,
    Trend,
)
from service.kinds.joint_plan.context import (
    DASH,
    SOURCE_PHRASES,
    _deadline,
    _period,
    declension_warnings,
    kenesh_as_object,
    order_reference,
    title_warnings,
)
from service.kinds.joint_plan.model import JointPlan
from service.language.dates import long_date
from service.language.grammatical_forms import body_forms
from service.language.money import format_amount, format_number
from service.language.names import Form, name_form, people_notices
from service.language.territory import territory_locative
from service.language.typography import hyphenate, hyphenate_some, line_start

MINUS = "\u2212"
NBSP = "\u00a0"

STATUS_PHRASES = {
    ActivityStatus.DONE: "done",
    ActivityStatus.PARTLY_DONE: "partly done",
    ActivityStatus.NOT_DONE: "not done",
    ActivityStatus.CANCELLED: "cancelled",
    ActivityStatus.NO_DATA: "no data",
}
TREND_PHRASES = {
    Trend.TARGET_REACHED: "target reached",
    Trend.IMPROVED: "improvement",
    Trend.UNCHANGED: "no change",
    Trend.WORSENED: "worsened",
    Trend.NO_DATA: "no data",
}
# The statuses the summary table counts, in its column order.
SUMMARY_STATUSES = tuple(ActivityStatus)


def format_percent(value: Decimal | None) -> str:
    """«62,5 %», «−25,0 %»; «—» for a share of nothing."""
    if value is None:
        return DASH
    sign = MINUS if value < 0 else ""
    return f"{sign}{abs(value):.1f}".replace(".", ",") + f"{NBSP}%"


def format_change(value: Decimal | None) -> str:
    """«+3», «−5», «0»."""
    if value is None:
        return DASH
    sign = "+" if value > 0 else MINUS if value < 0 else ""
    return f"{sign}{format_number(abs(value))}"


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _source_label(t: Phrases, source) -> str:
    return _capitalised(t.gettext(SOURCE_PHRASES[source]))


def _share(shares: StatusShares, status: ActivityStatus) -> str:
    # The count and its share stay on one line: «1 (11,1 %)».
    return f"{shares.counts[status]}{NBSP}({format_percent(shares.share(status))})"


def _kenesh(report: AnnualReport, lang: str) -> str:
    """The kenesh as the object of «submits to»: Russian accusative, Kyrgyz dative."""
    return kenesh_as_object(report.addressee, lang)


def _title(t: Phrases, plan: JointPlan, lang: str) -> str:
    if plan.title is not None:
        subject = plan.title[lang]
    else:
        subject = t.gettext(
            "for public safety and crime prevention in {body_locative} {period}",
            body_locative=territory_locative(plan.issuer, lang),
            period=_period(t, plan),
        )
    return t.gettext("REPORT\non the implementation of the joint plan {subject}", subject=subject)


def _activity(t: Phrases, plan: JointPlan, outcome: ActivityOutcome, lang: str) -> dict:
    report = outcome.report
    comment = report.comment[lang] if report is not None and report.comment else ""
    actual = report.actual_date if report is not None else None
    return {
        "number": outcome.number,
        "title": hyphenate(outcome.activity.title[lang], lang),
        "comment": hyphenate(comment, lang),
        "deadline": hyphenate(_deadline(t, outcome.activity.deadline, plan), lang),
        "status": hyphenate(t.gettext(STATUS_PHRASES[outcome.status]), lang),
        "actual_date": actual.strftime("%d.%m.%Y") if actual is not None else DASH,
        "planned": format_amount(outcome.planned),
        "spent": format_amount(outcome.spent) if report is not None else DASH,
    }


def _shares_line(t: Phrases, shares: StatusShares) -> str:
    parts = [
        f"{t.gettext(STATUS_PHRASES[status])}: {_share(shares, status)}"
        for status in SUMMARY_STATUSES
        if shares.counts[status]
    ]
    return t.gettext(
        "Activities: {total}; {shares}.", total=str(shares.total), shares="; ".join(parts)
    )


def _problem(t: Phrases, plan: JointPlan, outcome: ProblemOutcome, lang: str) -> dict:
    return {
        "heading": t.gettext(
            "Priority problem No. {number}. {title}",
            number=str(outcome.number),
            title=outcome.problem.title[lang].rstrip("."),
        ),
        "activities": [_activity(t, plan, a, lang) for a in outcome.activities],
        "total_label": t.gettext(
            "Total for problem No. {number} (budget executed: {percent})",
            number=str(outcome.number),
            percent=format_percent(outcome.execution),
        ),
        "planned": format_amount(outcome.planned),
        "spent": format_amount(outcome.spent),
        "shares": _shares_line(t, outcome.shares),
    }


def _summary_row(label: str, shares: StatusShares) -> dict:
    return {
        "label": label,
        "total": str(shares.total),
        "cells": [_share(shares, status) for status in SUMMARY_STATUSES],
    }


def _indicator(t: Phrases, outcome: IndicatorOutcome, lang: str) -> dict:
    i = outcome.indicator
    return {
        "ref": i.ref,
        "name": hyphenate(f"{i.name[lang]} ({i.unit[lang]})", lang),
        "baseline": format_number(i.baseline),
        "target": format_number(i.target),
        "actual": format_number(outcome.actual) if outcome.actual is not None else DASH,
        "change": format_change(outcome.change),
        "achievement": format_percent(outcome.achievement),
        "trend": t.gettext(TREND_PHRASES[outcome.trend]),
    }


def _budget(t: Phrases, report: AnnualReport) -> list[dict]:
    return [
        {
            "number": f"{n}.",
            "source": _source_label(t, row.source),
            "planned": format_amount(row.planned),
            "spent": format_amount(row.spent),
            "execution": format_percent(row.execution),
        }
        for n, row in enumerate(report.budget, start=1)
    ]


def _narrative(t: Phrases, report: AnnualReport, lang: str) -> list[dict]:
    n = report.narrative
    sections = (
        ("Summary of the work done", n.summary),
        ("Difficulties", n.difficulties),
        ("Recommendations", n.recommendations),
        ("Proposals for the next year", n.proposals),
    )
    return [
        {"heading": t.gettext(heading), "paragraphs": text[lang].splitlines() or [text[lang]]}
        for heading, text in sections
        if text is not None
    ]


# Column titles of the narrow table columns, hyphenated like their cells.
_TABLE_COLUMNS = (
    "problem", "count", "statuses", "activity", "deadline", "status", "actual_date", "planned",
    "spent",
    "indicator", "baseline", "target", "actual", "change", "achievement", "trend",
)  # fmt: skip


def _labels(t: Phrases) -> dict[str, str]:
    """The fixed words of the template: headings and column titles."""
    return hyphenate_some(_label_texts(t), _TABLE_COLUMNS, t.lang)


def _label_texts(t: Phrases) -> dict[str, str]:
    return {
        "execution_heading": t.gettext("1. Implementation of the activities"),
        "summary_table": t.gettext("Activities by status (number and share of all activities)"),
        "problem": t.gettext("Priority problem"),
        "count": t.gettext("All activities"),
        "statuses": [t.gettext(STATUS_PHRASES[s]) for s in SUMMARY_STATUSES],
        "number": t.gettext("No."),
        "activity": t.gettext("Activity"),
        "deadline": t.gettext("Planned deadline"),
        "status": t.gettext("Status"),
        "actual_date": t.gettext("Actual date"),
        "planned": t.gettext("Planned, som"),
        "spent": t.gettext("Spent, som"),
        "indicators_heading": t.gettext("2. Achievement of the expected results"),
        "ref": t.gettext("Code"),
        "indicator": t.gettext("Indicator (unit)"),
        "baseline": t.gettext("Baseline value"),
        "target": t.gettext("Target value"),
        "actual": t.gettext("Actual value"),
        "change": t.gettext("Change"),
        "achievement": t.gettext("% of target"),
        "trend": t.gettext("Assessment"),
        "budget_heading": t.gettext("3. Budget execution by source of funding"),
        "source": t.gettext("Source of funding"),
        "execution": t.gettext("Executed, %"),
        "total": t.gettext("Total"),
        "chart_caption": t.gettext(
            "Figure 1. Achievement of the indicators (% of the planned change) and budget "
            "execution by source"
        ),
        "narrative_heading": t.gettext("4. Conclusions"),
    }


def _part(report: AnnualReport, lang: str) -> dict:
    t = Phrases(lang)
    plan = report.plan
    problems = report.problems
    forms = body_forms(plan.issuer.body, plan.issuer.forms)
    return {
        "lang": lang,
        "labels": _labels(t),
        "addressee": report.addressee[lang] if lang == "ru" else _kenesh(report, lang),
        "title": _title(t, plan, lang),
        "period": t.gettext(
            "Reporting period: {start} – {end}",
            start=long_date(t, plan.period.start),
            end=long_date(t, plan.period.end),
        ),
        "introduction": t.gettext(
            "The working group submits to {kenesh} the report on the work done and the results "
            "achieved under the joint plan of {body}.",
            kenesh=_kenesh(report, lang),
            body=forms.ru_genitive if lang == "ru" else forms.ky_genitive,
        ),
        "order_reference": order_reference(t, plan),
        "summary_rows": [
            _summary_row(
                t.gettext(
                    "No. {number}. {title}", number=str(p.number), title=p.problem.title[lang]
                ),
                p.shares,
            )
            for p in problems
        ],
        "summary_total": _summary_row(t.gettext("Total"), report.shares),
        "problems": [_problem(t, plan, p, lang) for p in problems],
        "indicators": [_indicator(t, i, lang) for p in problems for i in p.indicators],
        "budget_rows": _budget(t, report),
        "budget_planned": format_amount(report.planned),
        "budget_spent": format_amount(report.spent),
        "budget_execution": format_percent(report.execution),
        "narrative": _narrative(t, report, lang),
        "date": long_date(t, report.report_date),
        "signatory_position": line_start(report.signatory.position[lang]),
        "signatory_name": name_form(report.signatory, Form.SIGNATURE),
    }


def build_context(report: AnnualReport) -> dict:
    """Return the template context: one part per language, Kyrgyz first."""
    return {"parts": [_part(report, lang) for lang in report.language.parts]}


def chart_data(report: AnnualReport, lang: str) -> ChartData:
    """What the chart of the `lang` part shows: the indicator and budget tables' numbers."""
    t = Phrases(lang)
    return ChartData(
        indicators_title=t.gettext("Indicators: % of the planned change reached"),
        indicators_axis=t.gettext("% of the planned change (baseline = 0 %, target = 100 %)"),
        indicators=tuple(
            IndicatorBar(
                ref=i.indicator.ref,
                value=i.achievement,
                text=format_percent(i.achievement)
                if i.achievement is not None
                else t.gettext(TREND_PHRASES[i.trend]),
                trend=i.trend.value,
            )
            for p in report.problems
            for i in p.indicators
        ),
        budget_title=t.gettext("Budget by source: planned and spent, som"),
        budget_axis=t.gettext("som"),
        planned_label=t.gettext("planned"),
        spent_label=t.gettext("spent"),
        budget=tuple(
            BudgetBars(
                source=_source_label(t, row.source),
                planned=row.planned,
                spent=row.spent,
                planned_text=format_amount(row.planned),  # as the budget table prints it
                spent_text=format_amount(row.spent),
            )
            for row in report.budget
        ),
    )


def media_name(index: int) -> str:
    """The template's placeholder picture of the language part `index` (0, 1)."""
    return f"word/media/image{index + 1}.png"


def media(report: AnnualReport) -> dict[str, bytes]:
    """The charts, one per language part, by the template media part they replace."""
    return {
        media_name(index): render_chart(chart_data(report, lang))
        for index, lang in enumerate(report.language.parts)
    }


def warnings(report: AnnualReport) -> list[Notice]:
    """Gaps in the report, and Russian forms of bodies that the declension guessed."""
    fields = ("plan.issuer", "addressee")
    signatory = people_notices([("signatory", report.signatory, [Form.SIGNATURE])])
    return (
        report.warnings
        + signatory
        + declension_warnings(report.language.parts, report.plan, report.addressee, fields)
        + title_warnings(report.plan, "plan.issuer")
    )


def file_stem(report: AnnualReport) -> str:
    """«Отчет о выполнении плана 2016 Уч-Коргонский айыл окмоту»."""
    lang = report.language.parts[-1]
    period = report.plan.period
    when = (
        str(period.year)
        if period.year is not None
        else f"{period.start.isoformat()}–{period.end.isoformat()}"
    )
    body = report.plan.issuer.body[lang]
    return f"{Phrases(lang).gettext('Plan implementation report')} {when} {body}"


def properties(report: AnnualReport) -> DocumentProperties:
    """The file's metadata, in the report's original language; its date: the report's."""
    lang = report.language.parts[0]
    t = Phrases(lang)
    return DocumentProperties(
        title=" ".join(_title(t, report.plan, lang).split()),
        subject=t.gettext("Plan implementation report"),
        language=lang,
        date=report.report_date,
        issuer=report.plan.issuer.body[lang],
    )
