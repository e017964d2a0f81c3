"""The time the service keeps and the time it shows: instants are stored in UTC; people see
them, and days are counted, in Kyrgyzstan's time (Asia/Bishkek, UTC+6 all year)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BISHKEK = ZoneInfo("Asia/Bishkek")


def local(instant: datetime | None) -> datetime | None:
    """`instant` (aware, or naive UTC) in Asia/Bishkek time."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(BISHKEK)


def today() -> date:
    """The day it is in Kyrgyzstan."""
    return datetime.now(BISHKEK).date()
