"""A document job's state."""

from __future__ import annotations

import enum


class Status(enum.StrEnum):
    """queued → running → done | failed; queued → cancelled."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (Status.DONE, Status.FAILED, Status.CANCELLED)
