"""Document tasks: unpack an id, call the domain, decide about retries; nothing more."""

from __future__ import annotations

import logging

from celery import shared_task
from sqlalchemy.exc import InterfaceError, OperationalError

from service import extensions
from service.conversion import ConversionError
from service.tasks import chunks
from service.tasks.celery_app import CONVERT, RUN_JOB, RUN_JOBS
from service.tasks.converting import CONVERSION_ERROR
from service.tasks.runner import INTERNAL_ERROR

log = logging.getLogger(__name__)

# Failures that may pass: the database or the network was briefly away.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
# Retried after 2, 4, 8, then every 10 seconds, for about five minutes: a job interrupted by a
# database outage is done within ten seconds of the database's return.
RETRY_CAP_SECONDS = 10


@shared_task(
    name=RUN_JOB,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=30,
)
def run_job(self, document_id: str) -> str | None:
    """Generate one document; retry only transient failures, with exponential backoff."""
    runner = extensions.runner()
    try:
        return runner.run_job(document_id)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            runner.give_up(document_id, INTERNAL_ERROR)
            return None
        countdown = min(RETRY_CAP_SECONDS, 2 ** (self.request.retries + 1))
        log.warning("transient failure, retrying", extra={"job_id": document_id})
        raise self.retry(exc=exc, countdown=countdown) from exc
    except Exception:
        log.exception("job failed", extra={"job_id": document_id})
        runner.give_up(document_id, INTERNAL_ERROR)
        return None


@shared_task(
    name=RUN_JOBS,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=30,
)
def run_jobs(self, document_ids: list[str]) -> None:
    """Generate a chunk of a batch's documents (service.tasks.chunks); retry it only for
    transient failures, with exponential backoff (its jobs recorded meanwhile stay done)."""
    runner = extensions.runner()
    try:
        chunks.run(runner, document_ids)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            for document_id in document_ids:
                runner.give_up(document_id, INTERNAL_ERROR)
            return
        countdown = min(RETRY_CAP_SECONDS, 2 ** (self.request.retries + 1))
        log.warning("transient failure, retrying the chunk", extra={"jobs": len(document_ids)})
        raise self.retry(exc=exc, countdown=countdown) from exc
    except Exception:
        log.exception("chunk failed", extra={"jobs": len(document_ids)})
        for document_id in document_ids:
            runner.give_up(document_id, INTERNAL_ERROR)


@shared_task(
    name=CONVERT,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
)
def convert(self, conversion_id: str) -> str | None:
    """Make one PDF of a done job; retry a converter that crashed or could not start, and
    transient failures, with backoff; anything else fails the PDF, never the worker."""
    converting = extensions.converting()
    try:
        return converting.run(conversion_id)
    except (*TRANSIENT, ConversionError) as exc:
        if self.request.retries >= self.max_retries:
            reason = exc.message if isinstance(exc, ConversionError) else CONVERSION_ERROR
            converting.give_up(conversion_id, reason)
            return None
        countdown = min(RETRY_CAP_SECONDS, 2 ** (self.request.retries + 1))
        log.warning("conversion failed, retrying", extra={"job_id": conversion_id})
        raise self.retry(exc=exc, countdown=countdown) from exc
    except Exception:
        log.exception("conversion failed", extra={"job_id": conversion_id})
        converting.give_up(conversion_id, CONVERSION_ERROR)
        return None
