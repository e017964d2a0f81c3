"""How a committed job reaches a worker: threads in this process, or a Celery queue."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from service.tasks import records
from service.tasks.runner import INTERNAL_ERROR, Runner

log = logging.getLogger(__name__)


class Dispatcher(Protocol):
    """How committed jobs reach workers."""

    def enqueue(self, document_id: str) -> None:
        """Hand a committed job to a worker."""

    def ping(self) -> bool:
        """Tell whether jobs can be handed over now."""

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

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)


def recover(
    runner: Runner, dispatcher: Dispatcher, *, queued_grace_seconds: int, lease_seconds: int
) -> int:
    """Re-enqueue jobs queued for longer than the grace period or running past their lease.

    A job enqueued twice is still made once: only one worker can claim it.
    """
    with runner.db.session() as session:
        orphans = records.unfinished(
            session, queued_before_seconds=queued_grace_seconds, lease_seconds=lease_seconds
        )
    for document_id in orphans:
        log.info("recovering job", extra={"job_id": document_id})
        dispatcher.enqueue(document_id)
    return len(orphans)
