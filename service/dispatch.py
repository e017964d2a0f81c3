"""How a committed job reaches a worker: threads in this process, or a Celery queue."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from service import jobs
from service.generation import Runner

log = logging.getLogger(__name__)

INTERNAL_ERROR = "Internal error while generating the document."


class Dispatcher(Protocol):
    def enqueue(self, document_id: str) -> None:
        """Hand a committed job to a worker."""


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

    def recover(self) -> None:
        """Re-enqueue the jobs a stopped process left queued or running (embedded mode only
        ever runs jobs in this process, so at start-up every unfinished job is orphaned)."""
        try:
            with self.runner.db.session() as session:
                orphans = jobs.unfinished(session, queued_before_seconds=0, lease_seconds=0)
        except SQLAlchemyError:
            log.warning("cannot look for unfinished jobs (database not migrated?)")
            return
        for document_id in orphans:
            log.info("recovering job", extra={"job_id": document_id})
            self.enqueue(document_id)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)
