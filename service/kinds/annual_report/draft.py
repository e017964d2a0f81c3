"""The draft of an annual report: a stored plan's activities and indicators, left to fill in."""

from __future__ import annotations

from typing import Any

from service.domain.common import Bilingual
from service.kinds.annual_report.model import numbered_activities
from service.kinds.joint_plan.model import JointPlan


def draft_input(plan_input: dict[str, Any], plan_id: str | None = None) -> dict[str, Any]:
    """A report input for a stored plan, to complete: every activity and indicator, empty.

    `plan_input` is the plan's input as stored (already validated when it was submitted).
    """
    from service.schemas.joint_plan import JointPlanSchema

    plan: JointPlan = JointPlanSchema().load(plan_input)
    empty = {lang: "" for lang in plan.language.parts}
    activities = []
    for n, problem in enumerate(plan.problems, start=1):
        for number, activity in numbered_activities(n, problem):
            sources = dict.fromkeys(r.source.value for r in activity.resources if r.amount)
            activities.append(
                {
                    "number": number,
                    "status": None,
                    "actual_date": None,
                    "spent": [{"source": s, "amount": None} for s in sources],
                    "comment": None,
                }
            )
    draft: dict[str, Any] = {"plan_id": plan_id} if plan_id else {"plan": plan_input}
    draft.update(
        {
            "language": plan.language.value,
            "activities": activities,
            "indicators": [
                {"ref": i.ref, "actual": None} for p in plan.problems for i in p.indicators
            ],
            "narrative": {
                key: dict(empty)
                for key in ("summary", "difficulties", "recommendations", "proposals")
            },
            "addressee": _bilingual_json(plan.monitoring.report_to),
            "signatory": None,
            "report_date": None,
        }
    )
    return draft


def _bilingual_json(text: Bilingual) -> dict[str, str]:
    return {lang: value for lang, value in (("ky", text.ky), ("ru", text.ru)) if value}
