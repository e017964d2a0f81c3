"""The runner: claim a job, make its document, record the outcome; the one body of every task.

The embedded thread pool and the Celery task both call `run_job`; neither does anything else.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from service.db import Database
from service.domain.status import Status
from service.errors import InvalidInput
from service.generation import RenderedDocument, generate_document
from service.logs import job_context
from service.models import DOCX, Artifact, Conversion
from service.storage import Storage
from service.tasks import converting, records
from service.tasks.isolation import Isolation, JobLimits, JobTooLarge, JobTooSlow
from service.tasks.liveness import not_enqueued

log = logging.getLogger(__name__)

INTERNAL_ERROR = "Internal error while generating the document."
GIVEN_UP_ERROR = "The document was given up after {attempts} attempts to make it."


class Runner:
    """Executes document jobs against a database and a storage backend."""

    def __init__(
        self,
        db: Database,
        storage: Storage,
        lease_seconds: int,
        *,
        limits: JobLimits | None = None,
        max_attempts: int | None = None,
    ):
        self.db = db
        self.storage = storage
        self.lease_seconds = lease_seconds
        # With limits, each job is made in a child process (service.tasks.isolation); without
        # (the runner's own tests), in this thread.
        self.isolation = Isolation(limits) if limits is not None else None
        self.max_attempts = max_attempts
        # This worker's heartbeat id (service.tasks.liveness), set in a Celery worker's main
        # process before its pool starts; None in the embedded mode, whose jobs no other
        # process runs.
        self.worker_id: str | None = None
        # Hands a committed conversion (a PDF of a done job) to its queue: the dispatcher's
        # enqueue_conversion, set by the app factory.
        self.handoff: Callable[[str], None] | None = None

    def run_job(self, document_id: str) -> Status | None:
        """Generate the document of a queued job and record the outcome; return the status.

        A job that is done, failed or running elsewhere is left alone (None), so a task
        delivered twice never makes a second document. Unexpected errors propagate, for
        the caller to retry: the job is then released back to the queue.
        """
        with job_context(document_id):
            return self._run(document_id)

    def _run(self, document_id: str) -> Status | None:
        with self.db.session() as session:
            record = records.claim(session, document_id, self.lease_seconds, self.worker_id)
            if record is None:
                log.info("not claimed: done, failed or running elsewhere")
                return None
            kind, payload, attempt = record.kind, record.input, record.attempts
            formats, pdf_profile = record.formats, record.pdf_profile
            if self.max_attempts is not None and attempt > self.max_attempts:
                # Claimed again and again without an outcome (its run killed its worker, its
                # message delivered over and over): given up, never run once more.
                message = GIVEN_UP_ERROR.format(attempts=self.max_attempts)
                records.fail(session, document_id, {"message": message})
                log.warning("given up", extra={"attempt": attempt})
                return Status.FAILED
        log.info("generating", extra={"kind": kind, "attempt": attempt})
        try:
            return self._make(document_id, kind, payload, attempt, formats, pdf_profile)
        except Exception:
            # Back to the queue for the caller's retry. If even that fails (the database is
            # away), the lease, no longer renewed, frees the job for the retry or another.
            try:
                with self.db.session() as session:
                    records.release(session, document_id, self.worker_id, attempt)
            except Exception:
                log.warning("could not release the job: its lease will")
            raise

    def _make(
        self,
        document_id: str,
        kind: str,
        payload: Any,
        attempt: int,
        formats: list[str] | None = None,
        pdf_profile: str | None = None,
    ) -> Status | None:
        try:
            document = self._generate(document_id, kind, payload)
        except InvalidInput as err:
            with self.db.session() as session:
                records.fail(session, document_id, {"message": err.message, "errors": err.errors})
            log.warning("invalid input")
            return Status.FAILED
        except (JobTooSlow, JobTooLarge) as err:
            # Not retried: the same template and input would exceed the limit again.
            with self.db.session() as session:
                records.fail(session, document_id, {"message": str(err)})
            log.warning("limit exceeded", extra={"limit": type(err).__name__})
            return Status.FAILED
        # The bytes first, in storage's own transaction; then the artifact and the status
        # together. A crash in between leaves the job running (recovered, run again) and
        # bytes no artifact names yet: never a done job without its document.
        content = document.content
        key = self.storage.put(content)
        sha256 = hashlib.sha256(content).hexdigest()
        docx = Artifact(format=DOCX, key=key, size=len(content), sha256=sha256)
        conversions = converting.plan(document_id, formats, pdf_profile)
        with self.db.session() as session:
            finished = records.finish(
                session,
                document_id,
                document.filename,
                [docx],
                worker_id=self.worker_id,
                attempt=attempt,
                conversions=conversions,
            )
        if not finished:
            # Its lease ran out and another run claimed it: that run is the one recorded.
            log.warning("not recorded: the job was given to another worker")
            return None
        log.info("done", extra={"bytes": len(document.content)})
        self._hand_off([c.id for c in conversions])
        return Status.DONE

    def _hand_off(self, conversion_ids: list[str]) -> None:
        """Send the job's conversions to their queue; one the broker did not take is found
        and sent by the recovery (its hand-off marked failed)."""
        for n, conversion_id in enumerate(conversion_ids):
            try:
                self.handoff(conversion_id)
            except Exception:
                log.warning("conversion not handed over: the recovery will send it")
                try:
                    with self.db.session() as session:
                        not_enqueued(session, conversion_ids[n:], Conversion)
                except Exception:
                    log.warning("could not record the failed hand-off")
                return

    def _generate(self, document_id: str, kind: str, payload: Any) -> RenderedDocument:
        if self.isolation is None:
            return generate_document(kind, payload)
        return self.isolation.run(document_id, generate_document, kind, payload)

    def close(self) -> None:
        """End this thread's child process, if it has one."""
        if self.isolation is not None:
            self.isolation.close()

    def give_up(self, document_id: str, message: str) -> None:
        """Fail a job for good (retries exhausted); its input stays for a later rerun."""
        with job_context(document_id), self.db.session() as session:
            records.fail(session, document_id, {"message": message}, unfinished=True)
