"""How a committed job reaches a worker: threads in this process, or a Celery queue."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Protocol

from service.tasks.runner import INTERNAL_ERROR, Runner

log = logging.getLogger(__name__)


class Dispatcher(Protocol):
    """How committed jobs reach workers."""

    def enqueue(self, document_id: str) -> None:
        """Hand a committed job to a worker."""

    def ping(self) -> bool:
        """Tell whether jobs can be handed over now."""

    def broker_epoch(self) -> datetime | None:
        """When the broker's current contents began (a broker restarted empty begins a new
        epoch); None when no message can be lost."""

    def taken_before(self, seconds: float) -> dict[str, datetime]:
        """Jobs whose messages a worker took from the broker more than `seconds` ago and has
        not acknowledged: {job id: when it was taken}."""

    def waiting(self) -> int | None:
        """How many messages wait in the broker's queue; None when unknown."""

    def shutdown(self) -> None:
        """Release threads and connections."""


class InProcessDispatcher:
    """The embedded mode: a small thread pool in the web process runs the jobs."""

    def __init__(self, runner: Runner, workers: int):
        self.runner = runner
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docgen-job")

    def enqueue(self, document_id: str) -> None:
        self.pool.submit(self._run, document_id)

    def _run(self, document_id: str) -> None:
        try:
            self.runner.run_job(document_id)
        except Exception:
            log.exception("job failed", extra={"job_id": document_id})
            self.runner.give_up(document_id, INTERNAL_ERROR)

    def ping(self) -> bool:
        return True

    def broker_epoch(self) -> datetime | None:
        return None  # the queue is this process's memory: lost only with the process

    def taken_before(self, seconds: float) -> dict[str, datetime]:
        return {}

    def waiting(self) -> int | None:
        return None

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)
