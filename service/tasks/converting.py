"""Conversions: a job's outputs besides its .docx (a PDF), each made from the stored .docx by a
unit of work of its own, on its own queue, so that a slow PDF never delays a .docx job.

A conversion lives in the `conversions` table with the life cycle and the liveness columns
of a document job (queued → running → done | failed; holder, lease, hand-off), so that the
heartbeats recover it exactly as they recover jobs (service.tasks.liveness). Its outcome is
its own: a failed PDF leaves the job's .docx, and the job says which output failed and why.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from service.conversion import ConversionError, Converter
from service.db import Database
from service.domain.status import Status
from service.logs import job_context
from service.models import DOCX, Artifact, Conversion, utcnow
from service.storage import Storage
from service.tasks.liveness import abandoned

log = logging.getLogger(__name__)

PDF = "pdf"
# The formats a job may ask for, besides the .docx every job makes.
CONVERTED_FORMATS = (PDF,)
# Failures that the same document would meet again: not retried.
FINAL_CODES = {"conversion_timeout", "conversion_failed", "fonts_missing", "unknown_pdf_profile"}
GIVEN_UP_ERROR = "The PDF was given up after {attempts} attempts to make it."
CONVERSION_ERROR = "Internal error while making the PDF; the .docx is available."
DELETED_ERROR = "The document was deleted before its PDF was made."


def plan(document_id: str, formats: list[str] | None, pdf_profile: str | None) -> list[Conversion]:
    """The conversions a job's `formats` ask for, queued and handed over now."""
    now = utcnow()
    return [
        Conversion(
            id=uuid.uuid4().hex,
            document_id=document_id,
            format=name,
            pdf_profile=pdf_profile,
            status=Status.QUEUED,
            attempts=0,
            enqueued_at=now,
        )
        for name in formats or ()
        if name in CONVERTED_FORMATS
    ]


@dataclass(frozen=True)
class _Claimed:
    document_id: str
    format: str
    pdf_profile: str | None
    attempts: int


class ConversionRunner:
    """Claims a conversion, converts the job's .docx, records the outcome."""

    def __init__(
        self,
        db: Database,
        storage: Storage,
        converter: Converter,
        lease_seconds: int,
        *,
        max_attempts: int | None = None,
    ):
        self.db = db
        self.storage = storage
        self.converter = converter
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.worker_id: str | None = None

    def run(self, conversion_id: str) -> Status | None:
        """Make the output of a queued conversion; None when it is not this run's (done,
        failed, or running elsewhere). Transient failures (a converter that crashed or could
        not start) propagate for the caller to retry, the conversion released."""
        with job_context(conversion_id):
            claimed = self._claim(conversion_id)
            if claimed is None:
                log.info("not claimed: done, failed or running elsewhere")
                return None
            if self.max_attempts is not None and claimed.attempts > self.max_attempts:
                self._fail(conversion_id, GIVEN_UP_ERROR.format(attempts=self.max_attempts))
                return Status.FAILED
            try:
                return self._convert(conversion_id, claimed)
            except Exception:
                try:
                    self._release(conversion_id, claimed.attempts)
                except Exception:
                    log.warning("could not release the conversion: its lease will")
                raise

    def _convert(self, conversion_id: str, claimed: _Claimed) -> Status | None:
        with self.db.session() as session:
            key = session.scalar(
                select(Artifact.key).where(
                    Artifact.document_id == claimed.document_id, Artifact.format == DOCX
                )
            )
        if key is None:  # the document was deleted meanwhile
            self._fail(conversion_id, DELETED_ERROR)
            return Status.FAILED
        docx = self.storage.open(key).read()
        log.info("converting", extra={"format": claimed.format, "attempt": claimed.attempts})
        try:
            content = self.converter.convert(docx, pdf_profile=claimed.pdf_profile)
        except ConversionError as err:
            if err.code not in FINAL_CODES:
                raise  # a crash or a converter that could not start: retried
            self._fail(conversion_id, err.message, code=err.code)
            log.warning("conversion failed", extra={"code": err.code})
            return Status.FAILED
        stored = self.storage.put(content)
        artifact = Artifact(
            document_id=claimed.document_id,
            format=claimed.format,
            key=stored,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        with self.db.session() as session:
            now = utcnow()
            done = session.execute(
                update(Conversion)
                .where(self._held(conversion_id, claimed.attempts))
                .values(status=Status.DONE, error=None, finished_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if done != 1:
                log.warning("not recorded: the conversion was given to another worker")
                return None
            session.add(artifact)
        log.info("converted", extra={"bytes": len(content)})
        return Status.DONE

    def _claim(self, conversion_id: str) -> _Claimed | None:
        now = utcnow()
        with self.db.session() as session:
            row = session.execute(
                update(Conversion)
                .where(
                    Conversion.id == conversion_id,
                    or_(
                        Conversion.status == Status.QUEUED,
                        (Conversion.status == Status.RUNNING)
                        & abandoned(self.lease_seconds, now, Conversion),
                    ),
                )
                .values(
                    status=Status.RUNNING,
                    worker_id=self.worker_id,
                    lease_renewed_at=now,
                    started_at=now,
                    updated_at=now,
                    attempts=Conversion.attempts + 1,
                )
                .returning(
                    Conversion.document_id,
                    Conversion.format,
                    Conversion.pdf_profile,
                    Conversion.attempts,
                )
                .execution_options(synchronize_session=False)
            ).one_or_none()
        return None if row is None else _Claimed(*row)

    def _held(self, conversion_id: str, attempt: int):
        holder = (
            Conversion.worker_id.is_(None)
            if self.worker_id is None
            else Conversion.worker_id == self.worker_id
        )
        return (
            (Conversion.id == conversion_id)
            & (Conversion.status == Status.RUNNING)
            & (Conversion.attempts == attempt)
            & holder
        )

    def _release(self, conversion_id: str, attempt: int) -> None:
        with self.db.session() as session:
            now = utcnow()
            session.execute(
                update(Conversion)
                .where(self._held(conversion_id, attempt))
                .values(status=Status.QUEUED, worker_id=None, enqueued_at=now, updated_at=now)
                .execution_options(synchronize_session=False)
            )

    def _fail(self, conversion_id: str, message: str, code: str | None = None) -> None:
        fail(self.db, conversion_id, message, code=code)

    def give_up(self, conversion_id: str, message: str) -> None:
        with job_context(conversion_id):
            fail(self.db, conversion_id, message, unfinished=True)


def fail(
    db: Database, conversion_id: str, message: str, *, code: str | None = None, unfinished=False
) -> None:
    """Record a conversion failed (a running one; with `unfinished`, a queued one too)."""
    statuses = [Status.RUNNING, Status.QUEUED] if unfinished else [Status.RUNNING]
    error = {"message": message, **({"code": code} if code else {})}
    with db.session() as session:
        now = utcnow()
        session.execute(
            update(Conversion)
            .where(Conversion.id == conversion_id, Conversion.status.in_(statuses))
            .values(status=Status.FAILED, error=error, finished_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )


def pending(session: Session, document_ids: list[str]) -> set[str]:
    """Of the jobs `document_ids`, those with a conversion not yet final."""
    rows = session.scalars(
        select(Conversion.document_id).where(
            Conversion.document_id.in_(document_ids),
            Conversion.status.in_([Status.QUEUED, Status.RUNNING]),
        )
    )
    return set(rows)
