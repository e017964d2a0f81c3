"""The audit log: who created, downloaded, cancelled, changed, deleted or signed in, when,
from which address, with which token.

Append-only: this module only adds and reads events (there is no update or delete path), and
on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of the table (migration 0007).
Times are stored in UTC and exported in Asia/Bishkek time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.batches.tables import csv_bytes, xlsx_bytes
from service.domain.clock import BISHKEK
from service.errors import Forbidden
from service.models import AuditEvent
from service.tenancy import Role, Scope

# The most events one read returns (an export of a longer period is cut there, and says so
# by having exactly this many rows: narrow the dates).
MAX_EVENTS = 100_000
ADMIN_ONLY_ERROR = "Only an admin of the organisation may do this."


@dataclass(frozen=True)
class Actor:
    """Who acts: the user (None for an unknown name at sign-in), its token, its address."""

    organisation_id: str
    user_id: str | None
    username: str
    token_id: str | None
    address: str | None


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | None = None,
    *,
    municipality_id: str | None = None,
    details: dict | None = None,
) -> None:
    """Append one event."""
    session.add(
        AuditEvent(
            organisation_id=actor.organisation_id,
            user_id=actor.user_id,
            username=actor.username,
            token_id=actor.token_id,
            address=actor.address,
            action=action,
            object_type=object_type,
            object_id=object_id,
            municipality_id=municipality_id,
            details=details,
        )
    )
    session.flush()


def events(
    session: Session,
    scope: Scope,
    *,
    since: date | None,
    until: date | None,
    user_id: str | None,
    municipality_id: str | None,
) -> list[AuditEvent]:
    """The organisation's events, oldest first; `since` and `until` are Asia/Bishkek days,
    both included."""
    if not scope.has(Role.ADMIN):
        raise Forbidden(ADMIN_ONLY_ERROR)
    query = select(AuditEvent).where(AuditEvent.organisation_id == scope.tenant)
    if since is not None:
        query = query.where(AuditEvent.at >= _start_of(since))
    if until is not None:
        query = query.where(AuditEvent.at < _start_of(until + timedelta(days=1)))
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    if municipality_id is not None:
        query = query.where(AuditEvent.municipality_id == municipality_id)
    return list(session.scalars(query.order_by(AuditEvent.id).limit(MAX_EVENTS)))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), BISHKEK)


def describe(event: AuditEvent) -> dict:
    return {
        "id": event.id,
        "at": event.at.astimezone(BISHKEK),
        "user_id": event.user_id,
        "username": event.username,
        "token_id": event.token_id,
        "address": event.address,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "municipality_id": event.municipality_id,
        "details": event.details,
    }


COLUMNS = (
    "id", "at", "username", "user_id", "token_id", "address", "action", "object_type",
    "object_id", "municipality_id",
)  # fmt: skip


def _rows(found: list[AuditEvent]) -> list[list]:
    return [
        [
            e.id,
            e.at.astimezone(BISHKEK).isoformat(timespec="seconds"),
            e.username,
            e.user_id or "",
            e.token_id or "",
            e.address or "",
            e.action,
            e.object_type,
            e.object_id or "",
            e.municipality_id or "",
        ]
        for e in found
    ]


def export_csv(found: list[AuditEvent]) -> bytes:
    return csv_bytes(COLUMNS, _rows(found))


def export_xlsx(found: list[AuditEvent]) -> bytes:
    return xlsx_bytes(
        COLUMNS, _rows(found), title="audit", widths=(8, 26, 20, 34, 34, 16, 20, 14, 34, 34)
    )
