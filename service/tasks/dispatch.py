"""How a committed job reaches a worker: threads in this process, or a Celery queue."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Protocol

from service.conversion import ConversionError
from service.tasks.converting import CONVERSION_ERROR, ConversionRunner
from service.tasks.runner import INTERNAL_ERROR, Runner

log = logging.getLogger(__name__)


class Dispatcher(Protocol):
    """How committed jobs reach workers."""

    def enqueue(self, document_id: str) -> None:
        """Hand a committed job to a worker."""

    def enqueue_many(self, document_ids: list[str]) -> None:
        """Hand committed jobs (a chunk of a batch) to one worker, as one unit of work."""

    def enqueue_conversion(self, conversion_id: str) -> None:
        """Hand a committed conversion (a job's PDF) to a converting worker."""

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
    """The embedded mode: a small thread pool in the web process runs the jobs, another
    the conversions (one thread per converter), so that a PDF never delays a .docx."""

    def __init__(
        self,
        runner: Runner,
        workers: int,
        converting: ConversionRunner | None = None,
        converters: int = 1,
    ):
        self.runner = runner
        self.converting = converting
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="docgen-job")
        self.conversions = ThreadPoolExecutor(
            max_workers=converters, thread_name_prefix="docgen-pdf"
        )

    def enqueue(self, document_id: str) -> None:
        self.pool.submit(self._run, document_id)

    def enqueue_many(self, document_ids: list[str]) -> None:
        # The jobs run in this process's threads: one by one, as the threads take them.
        for document_id in document_ids:
            self.enqueue(document_id)

    def enqueue_conversion(self, conversion_id: str) -> None:
        self.conversions.submit(self._convert, conversion_id)

    def _convert(self, conversion_id: str) -> None:
        reason = CONVERSION_ERROR
        for _attempt in range(2):  # a converter that crashed is restarted: once more
            try:
                self.converting.run(conversion_id)
                return
            except ConversionError as err:
                reason = err.message
                log.warning("conversion failed", extra={"job_id": conversion_id})
            except Exception:
                log.exception("conversion failed", extra={"job_id": conversion_id})
        try:
            self.converting.give_up(conversion_id, reason)
        except Exception:  # the database is away: the conversion waits for the next start
            log.exception("could not record the failed conversion", extra={"job_id": conversion_id})

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
        self.conversions.shutdown(wait=True)
        if self.converting is not None:
            self.converting.converter.close()
