"""Daily quotas per organisation: documents, and batch items, counted in Asia/Bishkek days.

A submission takes its count in the transaction that records it: a refused or failed one
gives it back, and concurrent ones wait on the counter row (as outgoing numbers do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from service.db import insert_unless_present
from service.domain.clock import BISHKEK
from service.errors import TooManyRequests
from service.models import DailyUsage, utcnow
from service.tenancy import Scope

DOCUMENTS, BATCH_ITEMS = "documents", "batch_items"
DOCUMENTS_QUOTA_ERROR = (
    "The organisation's daily quota of {limit} documents is used up; it is renewed at "
    "midnight, Bishkek time."
)
BATCH_ITEMS_QUOTA_ERROR = (
    "The organisation's daily quota of {limit} batch items is used up; it is renewed at "
    "midnight, Bishkek time."
)
_MESSAGES = {DOCUMENTS: DOCUMENTS_QUOTA_ERROR, BATCH_ITEMS: BATCH_ITEMS_QUOTA_ERROR}


@dataclass(frozen=True)
class DailyQuota:
    """At most `limit` of `what` per organisation per day (0: no quota)."""

    what: str
    limit: int


def take(session: Session, scope: Scope, quota: DailyQuota, count: int) -> None:
    """Count `count` more of the quota's `what` today; TooManyRequests (Retry-After: until
    midnight in Bishkek) when that would exceed it. The caller commits."""
    if quota.limit <= 0 or count <= 0:
        return
    now = utcnow().astimezone(BISHKEK)
    today = now.date()
    insert_unless_present(
        session, DailyUsage, organisation_id=scope.tenant, day=today, what=quota.what, count=0
    )
    used = session.execute(
        update(DailyUsage)
        .where(
            DailyUsage.organisation_id == scope.tenant,
            DailyUsage.day == today,
            DailyUsage.what == quota.what,
        )
        .values(count=DailyUsage.count + count)
        .returning(DailyUsage.count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    if used > quota.limit:
        midnight = datetime.combine(today + timedelta(days=1), time(), BISHKEK)
        raise TooManyRequests(
            _MESSAGES[quota.what],
            retry_after=max(1, int((midnight - now).total_seconds())),
            limit=quota.limit,
        )
