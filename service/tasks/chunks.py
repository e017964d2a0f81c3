"""Chunks: many document jobs of a batch taken as one unit, in one message and two transactions.

A batch's items travel in messages of up to JOBS_PER_MESSAGE job ids (`documents.run_jobs`)
instead of one message each. The worker that takes one claims every job of it still to be
made with one conditional UPDATE … RETURNING (the claim of `records.claim` for many: the
same status, holder, lease and attempt columns), makes the documents one by one (each in the
thread's child process, with its own limits), stores each one's bytes, and records them done
in one transaction, each only under its own claim (its worker and attempt). So the rules of
service.tasks.liveness hold for each job of a chunk as for a job alone:

- the heartbeat renews the lease of every job of a chunk its worker is running (Celery
  reports the chunk's ids as active: service.tasks.celery_app);
- a worker killed mid-chunk has recorded nothing of it: its jobs' leases run out and the
  recovery sends each again (alone); a chunk's message delivered twice, or to two workers,
  is claimed once, job by job;
- a job claimed too often is given up, an invalid input or a job past its limits fails that
  job alone, and the others of the chunk go on.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import case, or_, tuple_, update
from sqlalchemy.orm import Session

from service.domain.status import Status
from service.errors import InvalidInput
from service.logs import job_context
from service.models import DOCX, Artifact, Conversion, DocumentRecord, utcnow
from service.tasks import converting, records
from service.tasks.isolation import JobTooLarge, JobTooSlow
from service.tasks.liveness import abandoned
from service.tasks.runner import GIVEN_UP_ERROR, INTERNAL_ERROR, Runner

log = logging.getLogger(__name__)

# Jobs per message: enough to save the broker and the database most of their round trips, few
# enough that the workers share a batch evenly and its first documents are done at once.
JOBS_PER_MESSAGE = 25


def split(document_ids: list[str], size: int = JOBS_PER_MESSAGE) -> list[list[str]]:
    """The ids in messages of at most `size`, in order."""
    return [document_ids[i : i + size] for i in range(0, len(document_ids), size)]


def hold(session: Session, document_ids: list[str], worker_id: str) -> None:
    """Record that worker `worker_id` has reserved the message of these queued jobs."""
    session.execute(
        update(DocumentRecord)
        .where(DocumentRecord.id.in_(document_ids), DocumentRecord.status == Status.QUEUED)
        .values(worker_id=worker_id)
        .execution_options(synchronize_session=False)
    )


def claim(
    session: Session, document_ids: list[str], lease_seconds: int, worker_id: str | None
) -> dict[str, records.Claimed]:
    """Claim, as `records.claim` does each, those of the jobs queued or abandoned: running,
    held by `worker_id`, with a fresh lease and one more attempt; {id: what was claimed}."""
    now = utcnow()
    rows = session.execute(
        update(DocumentRecord)
        .where(
            DocumentRecord.id.in_(document_ids),
            or_(
                DocumentRecord.status == Status.QUEUED,
                (DocumentRecord.status == Status.RUNNING) & abandoned(lease_seconds, now),
            ),
        )
        .values(
            status=Status.RUNNING,
            worker_id=worker_id,
            lease_renewed_at=now,
            started_at=now,
            updated_at=now,
            attempts=DocumentRecord.attempts + 1,
        )
        .returning(
            DocumentRecord.id,
            DocumentRecord.kind,
            DocumentRecord.input,
            DocumentRecord.attempts,
            DocumentRecord.formats,
            DocumentRecord.pdf_profile,
        )
        .execution_options(synchronize_session=False)
    )
    return {row[0]: records.Claimed(*row[1:]) for row in rows}


@dataclass
class Made:
    """A document of the chunk, stored, waiting to be recorded done under its claim."""

    document_id: str
    attempt: int
    filename: str
    docx: Artifact
    conversions: list[Conversion]


def finish(session: Session, made: list[Made], worker_id: str | None) -> list[str]:
    """Record done, in the caller's transaction, those of the `made` jobs still running
    under this run's claim (worker and attempt, each), with their artifacts and conversions;
    return their ids. One UPDATE for the chunk: only the current claim can finish a job."""
    if not made:
        return []
    now = utcnow()
    holder = (
        DocumentRecord.worker_id.is_(None)
        if worker_id is None
        else DocumentRecord.worker_id == worker_id
    )
    finished = set(
        session.scalars(
            update(DocumentRecord)
            .where(
                tuple_(DocumentRecord.id, DocumentRecord.attempts).in_(
                    [(m.document_id, m.attempt) for m in made]
                ),
                DocumentRecord.status == Status.RUNNING,
                holder,
            )
            .values(
                status=Status.DONE,
                filename=case({m.document_id: m.filename for m in made}, value=DocumentRecord.id),
                error=None,
                finished_at=now,
                updated_at=now,
            )
            .returning(DocumentRecord.id)
            .execution_options(synchronize_session=False)
        )
    )
    for m in made:
        if m.document_id in finished:
            m.docx.document_id = m.document_id
            session.add(m.docx)
            session.add_all(m.conversions)
    return [m.document_id for m in made if m.document_id in finished]


def run(runner: Runner, document_ids: list[str]) -> dict[str, Status | None]:
    """Make the documents of a chunk's jobs and record them (see the module); each job's
    outcome, None for one not claimed or given to another meanwhile.

    An error of the database or the storage propagates, for the caller to retry the chunk:
    the jobs of this claim not yet recorded are released back to the queue first.
    """
    outcome: dict[str, Status | None] = dict.fromkeys(document_ids)
    with runner.db.session() as session:
        claimed = claim(session, document_ids, runner.lease_seconds, runner.worker_id)
        for document_id, job in list(claimed.items()):
            if runner.max_attempts is not None and job.attempts > runner.max_attempts:
                message = GIVEN_UP_ERROR.format(attempts=runner.max_attempts)
                records.fail(session, document_id, {"message": message})
                with job_context(document_id):
                    log.warning("given up", extra={"attempt": job.attempts})
                outcome[document_id] = Status.FAILED
                del claimed[document_id]
    made: list[Made] = []
    failed: dict[str, dict] = {}
    try:
        for document_id, job in claimed.items():
            with job_context(document_id):
                log.info("generating", extra={"kind": job.kind, "attempt": job.attempts})
                try:
                    # The runner's own way to make one (in the thread's child process).
                    document = runner._generate(document_id, job.kind, job.input)
                except InvalidInput as err:
                    log.warning("invalid input")
                    failed[document_id] = {"message": err.message, "errors": err.errors}
                    continue
                except (JobTooSlow, JobTooLarge) as err:
                    log.warning("limit exceeded", extra={"limit": type(err).__name__})
                    failed[document_id] = {"message": str(err)}
                    continue
                except Exception:
                    # A defect with this input: this job fails, as alone; the others go on.
                    log.exception("job failed")
                    failed[document_id] = {"message": INTERNAL_ERROR}
                    continue
            content = document.content
            docx = Artifact(
                format=DOCX,
                key=runner.storage.put(content),
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
            )
            conversions = converting.plan(document_id, job.formats, job.pdf_profile)
            made.append(Made(document_id, job.attempts, document.filename, docx, conversions))
        with runner.db.session() as session:
            done = finish(session, made, runner.worker_id)
            for document_id, error in failed.items():
                records.fail(session, document_id, error)
    except Exception:
        _release(runner, claimed)
        raise
    for m in made:
        with job_context(m.document_id):
            if m.document_id in done:
                log.info("done", extra={"bytes": m.docx.size})
                outcome[m.document_id] = Status.DONE
            else:
                log.warning("not recorded: the job was given to another worker")
    for document_id in failed:
        outcome[document_id] = Status.FAILED
    runner._hand_off([c.id for m in made if m.document_id in done for c in m.conversions])
    return outcome


def _release(runner: Runner, claimed: dict[str, records.Claimed]) -> None:
    """Give the chunk's jobs back to the queue (those still under this run's claim); if even
    that fails, their leases free them."""
    try:
        with runner.db.session() as session:
            for document_id, job in claimed.items():
                records.release(session, document_id, runner.worker_id, job.attempts)
    except Exception:
        log.warning("could not release the chunk's jobs: their leases will")
