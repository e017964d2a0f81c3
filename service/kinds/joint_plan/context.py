"""Context builder for the joint plan: every derived value, computed once.

The template only places what this module returns: plain strings and lists, one part per
language (Kyrgyz first). Totals are summed in the domain model and formatted here, in figures
and in words; activities are numbered «1.1, 1.2, 2.1…» by problem.
"""

from __future__ import annotations

from service.domain.common import Bilingual
from service.domain.notices import Notice
from service.domain.properties import DocumentProperties
from service.i18n import Phrases
from service.kinds.joint_plan.model import (
    Activity,
    Deadline,
    DeadlineKind,
    Direction,
    Frequency,
    FundingSource,
    Indicator,
    JointPlan,
    Problem,
    Resource,
)
from service.language import kyrgyz, russian, territory
from service.language.dates import (
    attributive_date,
    date_in_form,
    deadline_date,
    long_date,
)
from service.language.grammatical_forms import (
    body_forms,
    body_notices,
    declined_ru,
    phrase_forms,
    phrase_notices,
)
from service.language.money import amount_in_words, format_amount, format_number
from service.language.names import Form, name_form, people_notices
from service.language.territory import territory_locative
from service.language.typography import hyphenate, hyphenate_some, line_start

SOURCE_PHRASES = {
    FundingSource.LOCAL_BUDGET: "local budget",
    FundingSource.BUSINESS: "business",
    FundingSource.INTERNATIONAL: "international organisations",
    FundingSource.COMMUNITY: "community",
    FundingSource.OTHER: "other sources",
}
ROMAN = ("I", "II", "III", "IV")
DASH = "—"


def _period(t: Phrases, plan: JointPlan) -> str:
    period = plan.period
    if period.year is not None:
        return t.gettext("for {year}", year=str(period.year))
    return t.gettext(
        "for the period from {start} to {end}",
        start=date_in_form(t, period.start, "ablative"),
        end=date_in_form(t, period.end, "dative"),
    )


def _title(t: Phrases, plan: JointPlan, lang: str) -> str:
    if plan.title is not None:
        subject = plan.title[lang]
    else:
        subject = t.gettext(
            "for public safety and crime prevention in {body_locative} {period}",
            body_locative=territory_locative(plan.issuer, lang),
            period=_period(t, plan),
        )
    return t.gettext("JOINT PLAN\n{subject}", subject=subject)


def _deadline(t: Phrases, deadline: Deadline, plan: JointPlan) -> str:
    if deadline.kind is DeadlineKind.DATE:
        assert deadline.date is not None
        return long_date(t, deadline.date)
    if deadline.kind is DeadlineKind.QUARTER:
        assert deadline.quarter is not None
        quarter = ROMAN[deadline.quarter - 1]
        if plan.period.within_one_year and plan.period.start.year == deadline.year:
            return t.gettext("quarter {quarter}", quarter=quarter)
        return t.gettext("quarter {quarter} of {year}", quarter=quarter, year=str(deadline.year))
    if deadline.kind is DeadlineKind.MONTHLY:
        return t.gettext("monthly")
    if deadline.kind is DeadlineKind.QUARTERLY:
        return t.gettext("quarterly")
    return t.gettext("throughout the year")


def _numbered(lines: list[str]) -> str:
    """One line per item; numbered «1)», «2)» only when there are several."""
    if not lines:
        return DASH
    if len(lines) == 1:
        return lines[0]
    return "\n".join(f"{n}) {line}" for n, line in enumerate(lines, start=1))


def _source(t: Phrases, resource: Resource, lang: str) -> str:
    label = t.gettext(SOURCE_PHRASES[resource.source])
    if resource.organisation is not None:
        return f"{label} ({resource.organisation[lang]})"
    return label


def _resource(resource: Resource, lang: str) -> str:
    if resource.amount is None:
        return resource.description[lang]
    return f"{resource.description[lang]}: {format_amount(resource.amount)}"


def _parties(parties: tuple[Bilingual, ...], lang: str) -> str:
    """One party per line, each but the last ending in «;»: in a narrow column a party's name
    wraps, and without the mark two parties would read as one."""
    if not parties:
        return DASH
    return ";\n".join(p[lang] for p in parties)


def _activity(t: Phrases, plan: JointPlan, number: str, activity: Activity, lang: str) -> dict:
    # The columns of the landscape table are narrow: long words break between syllables.
    cells = {
        "title": activity.title[lang],
        "deadline": _deadline(t, activity.deadline, plan),
        "responsible": _parties(activity.responsible, lang),
        "involved": _parties(activity.involved, lang),
        "resources": _numbered([_resource(r, lang) for r in activity.resources]),
        "sources": _numbered([_source(t, r, lang) for r in activity.resources]),
    }
    return {"number": number} | {key: hyphenate(text, lang) for key, text in cells.items()}


def order_reference(t: Phrases, plan: JointPlan) -> str:
    """«Жумушчу топ Үч-Коргон айыл өкмөтүнүн 2015-жылдын 26-июнундагы № 03-12/146-Б
    буйругу менен түзүлгөн.» / «Рабочая группа создана распоряжением Уч-Коргонского айыл
    окмоту от 26 июня 2015 г. № 03-12/146-Б.»: the issuer's genitive, the order's act word."""
    reference = plan.working_group_order
    if reference is None:
        return ""
    lang = t.lang
    act = (
        reference.act[lang]
        if reference.act is not None and reference.act.has(lang)
        else t.gettext("ORDER (act of the head)")
    ).lower()
    forms = body_forms(plan.issuer.body, plan.issuer.forms)
    if lang == "ru":
        body, act = forms.ru_genitive, russian.inflect_phrase(act, russian.Case.INSTRUMENTAL)
    else:
        body, act = forms.ky_genitive, kyrgyz.possessive(act)
    return t.gettext(
        "The working group was established by the {act} of {body} {date} No. {number}.",
        act=act,
        body=body,
        date=attributive_date(t, reference.date),
        number=reference.number,
    )


def _indicator_line(indicator: Indicator, lang: str) -> str:
    return (
        f"{indicator.ref}. {indicator.name[lang]} ({indicator.unit[lang]}): "
        # «14 → 8» stays on one line.
        f"{format_number(indicator.baseline)}\u00a0→\u00a0{format_number(indicator.target)}"
    )


def _dashed(items: tuple[Bilingual, ...], lang: str) -> list[str]:
    return [f"– {item[lang]}" for item in items]


def _problem(t: Phrases, plan: JointPlan, number: int, problem: Problem, lang: str) -> dict:
    return {
        "heading": t.gettext(
            "Priority problem No. {number}. {title}",
            number=str(number),
            title=problem.title[lang].rstrip("."),
        ),
        "causes": _dashed(problem.justification.causes, lang),
        "consequences": _dashed(problem.justification.consequences, lang),
        "expected_result": hyphenate(problem.expected_result[lang], lang),
        "indicators": hyphenate(
            "\n".join(_indicator_line(i, lang) for i in problem.indicators), lang
        ),
        "activities": [
            _activity(t, plan, f"{number}.{n}", activity, lang)
            for n, activity in enumerate(problem.activities, start=1)
        ],
        "total_label": t.gettext("Total for problem No. {number}:", number=str(number)),
        "total": format_amount(problem.total),
        "total_words": f"({amount_in_words(t, problem.total)})",
    }


def _budget(t: Phrases, plan: JointPlan, lang: str) -> list[dict]:
    organisations = plan.organisations_by_source
    rows = []
    for number, (source, total) in enumerate(plan.totals_by_source.items(), start=1):
        label = t.gettext(SOURCE_PHRASES[source])
        names = [name[lang] for name in organisations.get(source, [])]
        rows.append(
            {
                "number": f"{number}.",
                "source": label[:1].upper()
                + label[1:]
                + (f" ({', '.join(names)})" if names else ""),
                "amount": format_amount(total),
                "words": amount_in_words(t, total),
            }
        )
    return rows


def _indicator_groups(t: Phrases, plan: JointPlan, lang: str) -> list[dict]:
    """A group per problem: its heading, and its rows; the heading and the first row are one
    block that no page break divides (the template holds them in a row that cannot split)."""
    directions = {Direction.LOWER: t.gettext("↓ lower"), Direction.HIGHER: t.gettext("↑ higher")}
    groups = []
    for number, problem in enumerate(plan.problems, start=1):
        rows = [
            {
                "ref": indicator.ref,
                "name": indicator.name[lang],
                "unit": indicator.unit[lang],
                "baseline": format_number(indicator.baseline),
                "target": format_number(indicator.target),
                "direction": directions[indicator.direction],
            }
            for indicator in problem.indicators
        ]
        heading = t.gettext(
            "Priority problem No. {number}. {title}",
            number=str(number),
            title=problem.title[lang].rstrip("."),
        )
        groups.append({"heading": heading, "rows": rows, "first": rows[:1], "rest": rows[1:]})
    return groups


def kenesh_as_object(kenesh: Bilingual, lang: str) -> str:
    """The kenesh that receives a report, after «представляет в» (Russian accusative, in-text
    form) or as the Kyrgyz dative; hand-set forms win."""
    forms = phrase_forms(kenesh)
    if lang == "ru":
        return declined_ru(kenesh.ru, russian.Case.ACCUSATIVE, forms, body=True).text
    if forms is not None and forms.ky_dative:
        return forms.ky_dative
    return kyrgyz.decline(kenesh.ky, kyrgyz.Case.DATIVE)


def declension_warnings(
    languages: tuple[str, ...], plan: JointPlan, kenesh: Bilingual, fields: tuple[str, str]
) -> list[Notice]:
    """Russian forms of the plan's body and of the kenesh that the declension guessed;
    `fields`: the input paths of the plan's issuer and of the kenesh."""
    if "ru" not in languages:
        return []
    issuer, kenesh_field = fields
    cases = (russian.Case.PREPOSITIONAL, russian.Case.GENITIVE)
    found = body_notices(
        f"{issuer}.body", plan.issuer.body, plan.issuer.forms, f"{issuer}.forms", cases
    )
    accusative = (russian.Case.ACCUSATIVE,)
    return found + phrase_notices(kenesh_field, kenesh, accusative, body=True)


def _monitoring(t: Phrases, plan: JointPlan, lang: str) -> list[str]:
    monitoring = plan.monitoring
    kenesh = kenesh_as_object(monitoring.report_to, lang)
    paragraphs = [
        t.gettext(
            "The working group meets monthly to discuss the activities carried out and planned "
            "and looks for additional resources for the plan."
        )
        if monitoring.meetings is Frequency.MONTHLY
        else t.gettext(
            "The working group meets quarterly to discuss the activities carried out and "
            "planned and looks for additional resources for the plan."
        ),
        t.gettext(
            "Upon completion of the plan the working group submits to {kenesh} a report on the "
            "work done and the results achieved {deadline}; the kenesh assesses the "
            "effectiveness of the measures taken.",
            kenesh=kenesh,
            deadline=deadline_date(t, monitoring.report_deadline),
        )
        if monitoring.report_deadline is not None
        else t.gettext(
            "Upon completion of the plan the working group submits to {kenesh} a report on the "
            "work done and the results achieved; the kenesh assesses the effectiveness of the "
            "measures taken.",
            kenesh=kenesh,
        ),
    ]
    if monitoring.police_assessment:
        paragraphs.append(
            t.gettext(
                "The results of the plan are used in the external assessment of the performance "
                "of the internal affairs bodies; the assessment in turn serves as the basis of "
                "the next joint plan."
            )
        )
    paragraphs += [note[lang] for note in monitoring.notes]
    paragraphs.append(
        t.gettext("The achievement of the expected results is measured by these indicators:")
    )
    return paragraphs


# Column titles of the landscape activity table, hyphenated like its cells.
_ACTIVITY_COLUMNS = (
    "activity", "deadline", "responsible", "involved", "resources", "source",
    "expected_result", "indicators",
)  # fmt: skip


def _labels(t: Phrases) -> dict[str, str]:
    """The fixed words of the template: headings and column titles."""
    return hyphenate_some(_label_texts(t), _ACTIVITY_COLUMNS, t.lang)


def _label_texts(t: Phrases) -> dict[str, str]:
    return {
        "baseline": t.gettext("Baseline study"),
        "sources": t.gettext("Sources of data:"),
        "justification": t.gettext("Justification"),
        "causes": t.gettext("Causes:"),
        "consequences": t.gettext("Consequences:"),
        "number": t.gettext("No."),
        "activity": t.gettext("Activity"),
        "deadline": t.gettext("Deadline"),
        "responsible": t.gettext("Responsible"),
        "involved": t.gettext("Involved parties"),
        "resources": t.gettext("Required resources (amount, som)"),
        "source": t.gettext("Source of funding"),
        "expected_result": t.gettext("Expected result"),
        "indicators": t.gettext("Indicators"),
        "budget": t.gettext("Budget of the plan by source of funding"),
        "amount": t.gettext("Amount, som"),
        "amount_words": t.gettext("Amount in words"),
        "total": t.gettext("Total"),
        "monitoring": t.gettext("Monitoring and evaluation"),
        "indicator_table": t.gettext("Indicators of the expected results"),
        "ref": t.gettext("Code"),
        "indicator": t.gettext("Indicator"),
        "unit": t.gettext("Unit"),
        "baseline_value": t.gettext("Baseline value"),
        "target_value": t.gettext("Target value"),
        "direction": t.gettext("Desired change"),
        "agreed": t.gettext("AGREED:"),
    }


def _part(plan: JointPlan, lang: str) -> dict:
    t = Phrases(lang)
    return {
        "lang": lang,
        "labels": _labels(t),
        "approvals": [
            {
                "word": t.gettext("APPROVED"),
                "position": line_start(person.position[lang]),
                "name": name_form(person, Form.SIGNATURE),
                "date_line": t.gettext("«___» ____________ 20___"),
                "seal": t.gettext("L.S."),
            }
            for person in plan.approvers.in_order()
        ],
        "title": _title(t, plan, lang),
        "order_reference": order_reference(t, plan),
        "baseline_summary": plan.baseline_study.summary[lang],
        "baseline_sources": _dashed(plan.baseline_study.sources, lang),
        "problems": [
            _problem(t, plan, number, problem, lang)
            for number, problem in enumerate(plan.problems, start=1)
        ],
        "budget_rows": _budget(t, plan, lang),
        "budget_total": format_amount(plan.total),
        "budget_total_words": amount_in_words(t, plan.total),
        "monitoring": _monitoring(t, plan, lang),
        "indicator_groups": _indicator_groups(t, plan, lang),
        "agreed": [
            {
                "position": line_start(person.position[lang]),
                "name": name_form(person, Form.SIGNATURE),
            }
            for person in plan.agreed
        ],
    }


def build_context(plan: JointPlan) -> dict:
    """Return the template context: one part per language, Kyrgyz first."""
    return {"parts": [_part(plan, lang) for lang in plan.language.parts]}


def name_warnings(plan: JointPlan) -> list[Notice]:
    """Names of the approval and agreement blocks that could not be read."""
    approvers = plan.approvers
    # The executive head defaults to the issuer's head: the warning names the field given.
    executive = (
        "issuer.head"
        if approvers.executive_head is plan.issuer.head
        else "approvers.executive_head"
    )
    people = [
        ("approvers.kenesh_chair", approvers.kenesh_chair),
        (executive, approvers.executive_head),
        ("approvers.police_head", approvers.police_head),
        *((f"agreed.{i}", person) for i, person in enumerate(plan.agreed)),
    ]
    return people_notices((path, person, [Form.SIGNATURE]) for path, person in people)


def title_warnings(plan: JointPlan, field: str) -> list[Notice]:
    """A composed title whose territory is unknown (`field`: the input path of the issuer)."""
    if plan.title is not None:
        return []
    return territory.warnings(plan.issuer, plan.language.parts, field)


def warnings(plan: JointPlan) -> list[Notice]:
    """Unusual but valid input."""
    fields = ("issuer", "monitoring.report_to")
    return (
        plan.warnings
        + name_warnings(plan)
        + declension_warnings(plan.language.parts, plan, plan.monitoring.report_to, fields)
        + title_warnings(plan, "issuer")
    )


def file_stem(plan: JointPlan) -> str:
    """A readable file name: «Совместный план 2016 Уч-Коргонский айыл окмоту»."""
    lang = plan.language.parts[-1]
    period = plan.period
    when = (
        str(period.year)
        if period.year is not None
        else f"{period.start.isoformat()}–{period.end.isoformat()}"
    )
    return f"{Phrases(lang).gettext('Joint plan')} {when} {plan.issuer.body[lang]}"


def properties(plan: JointPlan) -> DocumentProperties:
    """The file's metadata, in the plan's original language; its date: the period's start."""
    lang = plan.language.parts[0]
    t = Phrases(lang)
    return DocumentProperties(
        title=" ".join(_title(t, plan, lang).split()),
        subject=t.gettext("Joint plan"),
        language=lang,
        date=plan.period.start,
        issuer=plan.issuer.body[lang],
    )
