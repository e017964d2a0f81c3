"""Annual reports on stored joint plans: the plan behind a `plan_id`, and the report draft."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from service import jobs
from service.documents.report import draft_input
from service.errors import Conflict, InvalidInput, NotFound

PLAN_KIND = "joint-plan"


def stored_plan(session: Session, scope: jobs.Scope, plan_id: str) -> dict:
    """The stored input of the joint plan `plan_id`; NotFound, or Conflict for another kind."""
    record = jobs.get(session, plan_id, scope)
    if record.kind != PLAN_KIND:
        raise Conflict("Document {id} is a {kind}, not a joint plan.", id=plan_id, kind=record.kind)
    return record.input


def resolve_plan(session: Session, scope: jobs.Scope, payload: Any) -> Any:
    """Put the stored plan of a report's `plan_id` into `payload["plan"]` (keeping plan_id)."""
    if not isinstance(payload, dict) or not payload.get("plan_id"):
        return payload
    if "plan" in payload:
        raise InvalidInput(errors={"plan_id": ["Give either plan_id or plan, not both."]})
    try:
        plan = stored_plan(session, scope, str(payload["plan_id"]))
    except (NotFound, Conflict):
        raise InvalidInput(errors={"plan_id": ["Unknown joint plan."]}) from None
    return {**payload, "plan": plan}


def report_draft(session: Session, scope: jobs.Scope, plan_id: str) -> dict:
    """A report input on the stored plan `plan_id`, with every activity and indicator to fill."""
    return draft_input(stored_plan(session, scope, plan_id), plan_id=plan_id)
