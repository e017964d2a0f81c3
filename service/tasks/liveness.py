"""Heartbeat, lease and recovery: who holds each job, whether it is alive, and what to send
to the broker again.

Each Celery worker has a row in `workers`, renewed every HEARTBEAT_SECONDS by a daemon thread
of its main process (`Heartbeat`); its pool processes run no thread of ours. A job names its
holder in `documents.worker_id`: the worker that reserved its message (queued), then the one
whose pool process claimed it (running).

- A reserved job is its holder's as long as the holder's row is younger than
  JOB_LEASE_SECONDS.
- A running job has a lease (`documents.lease_renewed_at`), taken with the claim and renewed
  at every beat for as long as Celery reports the job active in that worker. A long job of
  a live worker is never taken from it; a job whose worker died, whose pool process died, or
  whose run ended without recording an outcome (the database was away) is free once the
  lease is JOB_LEASE_SECONDS old: its own retry claims it again, or the recovery sends it.

Each main process's heartbeat thread also recovers, after every beat (`recover`):

- abandoned: reserved jobs of a dead holder and running jobs past their lease go back to
  `queued` and are sent again (once: the same UPDATE makes the sender their holder until they
  are in the broker, so a sender that dies halfway leaves the rest to another);
- untracked: queued jobs no one holds whose message a worker took from Redis more than a
  lease ago, after their last hand-off, and never acknowledged: that worker died between
  taking the message and recording its hold;
- lost: queued jobs whose message is not in the broker, i.e. their hand-off failed
  (`enqueued_at` is None) or they were handed to an earlier broker epoch; or, while the
  broker's queue is empty, queued jobs no one holds handed over more than a lease ago (the
  process that committed one died before sending it). The epoch is a key the recovery sets
  in Redis when it is missing (`broker_epoch`): a Redis that restarted empty has lost it with
  the messages, so every job enqueued before the new epoch began is sent again; one enqueued
  after it is in this broker and is left alone, however long the queue behind a large batch.

A job sent twice is still made once: the claim is a conditional UPDATE, and only the run
that holds the current claim (its worker and its attempt) can finish it.

A conversion (a job's PDF, service.tasks.converting) is a unit of work of its own, with the
same columns: everything here holds for it too, each function taking the unit's table.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from service.db import Database
from service.domain.status import Status
from service.models import Conversion, DocumentRecord, Worker, utcnow

if TYPE_CHECKING:
    from service.tasks.dispatch import Dispatcher
    from service.tasks.runner import Runner

log = logging.getLogger(__name__)


def _live_workers(lease_seconds: int, now: datetime):
    return select(Worker.id).where(Worker.last_seen >= now - timedelta(seconds=lease_seconds))


# The units of work a worker claims, leases and finishes: document jobs and conversions.
Unit = type[DocumentRecord] | type[Conversion]
UNITS: tuple[Unit, ...] = (DocumentRecord, Conversion)


def abandoned(lease_seconds: int, now: datetime, unit: Unit = DocumentRecord):
    """SQL: a running job no live run holds: its lease was not renewed for `lease_seconds`,
    or it has no holder (the embedded mode's, all orphans when its process starts)."""
    return or_(
        unit.worker_id.is_(None),
        unit.lease_renewed_at.is_(None),
        unit.lease_renewed_at < now - timedelta(seconds=lease_seconds),
    )


def beat(session: Session, worker_id: str, running: list[str] = ()) -> None:
    """Record that worker `worker_id` (this process) is alive now, and renew the leases of
    the jobs it is running."""
    now = utcnow()
    for unit in UNITS if running else ():
        session.execute(
            update(unit)
            .where(
                unit.id.in_(running),
                unit.status == Status.RUNNING,
                unit.worker_id == worker_id,
            )
            .values(lease_renewed_at=now)
            .execution_options(synchronize_session=False)
        )
    renewed = session.execute(
        update(Worker).where(Worker.id == worker_id).values(last_seen=now)
    ).rowcount
    if not renewed:
        session.add(
            Worker(
                id=worker_id,
                hostname=socket.gethostname(),
                pid=os.getpid(),
                started_at=now,
                last_seen=now,
            )
        )


def hold(session: Session, document_id: str, worker_id: str, unit: Unit = DocumentRecord) -> None:
    """Record that worker `worker_id` has reserved the queued job's message."""
    session.execute(
        update(unit)
        .where(unit.id == document_id, unit.status == Status.QUEUED)
        .values(worker_id=worker_id)
        .execution_options(synchronize_session=False)
    )


def requeue_abandoned(
    session: Session, lease_seconds: int, sender: str | None, unit: Unit = DocumentRecord
) -> list[str]:
    """Put the reserved jobs of dead holders and the running jobs past their lease back in
    the queue, held by `sender` while it sends them; forget the dead; their ids."""
    now = utcnow()
    dead_holder = unit.worker_id.not_in(_live_workers(lease_seconds, now))
    ids = session.scalars(
        update(unit)
        .where(
            or_(
                (unit.status == Status.QUEUED) & unit.worker_id.is_not(None) & dead_holder,
                (unit.status == Status.RUNNING) & abandoned(lease_seconds, now, unit),
            )
        )
        .values(status=Status.QUEUED, worker_id=sender, enqueued_at=now, updated_at=now)
        .returning(unit.id)
        .execution_options(synchronize_session=False)
    ).all()
    session.execute(delete(Worker).where(Worker.last_seen < now - timedelta(seconds=lease_seconds)))
    return list(ids)


def requeue_lost(
    session: Session, epoch: datetime | None, sender: str | None, unit: Unit = DocumentRecord
) -> list[str]:
    """Mark sent now, held by `sender`, and return the queued jobs the broker does not have:
    never handed over, or handed to a broker epoch before `epoch` (None: no epoch known). A
    worker's reservation is dropped too: a broker restart may have cost the worker it."""
    lost = unit.enqueued_at.is_(None)
    if epoch is not None:
        lost = lost | (unit.enqueued_at < epoch)
    ids = session.scalars(
        update(unit)
        .where(unit.status == Status.QUEUED, lost)
        .values(worker_id=sender, enqueued_at=utcnow())
        .returning(unit.id)
        .execution_options(synchronize_session=False)
    ).all()
    return list(ids)


def requeue_untracked(
    session: Session, taken: dict[str, datetime], sender: str | None, unit: Unit = DocumentRecord
) -> list[str]:
    """Of the jobs whose messages were taken at `taken` and never acknowledged, mark sent
    now (held by `sender`) and return those still queued with no holder since that message:
    the worker died between taking it and recording its hold."""
    now = utcnow()
    ids = []
    for document_id, taken_at in taken.items():
        sent = session.scalars(
            update(unit)
            .where(
                unit.id == document_id,
                unit.status == Status.QUEUED,
                unit.worker_id.is_(None),
                unit.enqueued_at <= taken_at,
            )
            .values(worker_id=sender, enqueued_at=now)
            .returning(unit.id)
            .execution_options(synchronize_session=False)
        ).all()
        ids += sent
    return ids


def requeue_orphaned(
    session: Session, lease_seconds: int, sender: str | None, unit: Unit = DocumentRecord
) -> list[str]:
    """Mark sent now (held by `sender`) and return the queued jobs no one holds that were
    handed over more than a lease ago; call it only while the broker's queue is empty, when
    their message is nowhere (the process that committed one died before sending it)."""
    now = utcnow()
    ids = session.scalars(
        update(unit)
        .where(
            unit.status == Status.QUEUED,
            unit.worker_id.is_(None),
            unit.enqueued_at < now - timedelta(seconds=lease_seconds),
        )
        .values(worker_id=sender, enqueued_at=now)
        .returning(unit.id)
        .execution_options(synchronize_session=False)
    ).all()
    return list(ids)


def sent(
    session: Session, document_ids: list[str], sender: str, unit: Unit = DocumentRecord
) -> None:
    """Drop the sender's hold on jobs now in the broker, unless a worker claimed one since
    (the sender's own pool, under the same id, may have). A reservation by the sender's own
    worker is dropped too: if that worker dies, the message is found among the unacknowledged
    ones ("untracked")."""
    session.execute(
        update(unit)
        .where(
            unit.id.in_(document_ids),
            unit.status == Status.QUEUED,
            unit.worker_id == sender,
        )
        .values(worker_id=None)
        .execution_options(synchronize_session=False)
    )


def not_enqueued(session: Session, document_ids: list[str], unit: Unit = DocumentRecord) -> None:
    """Record that these queued jobs are not in the broker (their hand-off failed), for the
    recovery to send once it is back."""
    session.execute(
        update(unit)
        .where(unit.id.in_(document_ids), unit.status == Status.QUEUED)
        .values(worker_id=None, enqueued_at=None)
        .execution_options(synchronize_session=False)
    )


def unfinished(session: Session, unit: Unit = DocumentRecord) -> list[str]:
    """Ids of every queued or running job (the embedded mode's orphans when it starts)."""
    rows = session.scalars(select(unit.id).where(unit.status.in_([Status.QUEUED, Status.RUNNING])))
    return list(rows)


def _sender_of(dispatcher: Dispatcher, unit: Unit) -> Callable[[str], None]:
    """How `dispatcher` hands over a unit of `unit`'s table."""
    return dispatcher.enqueue_conversion if unit is Conversion else dispatcher.enqueue


def recover(runner: Runner, dispatcher: Dispatcher, *, dead_holders: bool = True) -> int:
    """Send again the jobs and conversions of dead holders (unless `dead_holders` is False)
    and those the broker lost; return how many were sent."""
    try:
        epoch = dispatcher.broker_epoch()
        taken = dispatcher.taken_before(runner.lease_seconds) if dead_holders else {}
        drained = dead_holders and dispatcher.waiting() == 0
    except Exception:
        log.warning("broker unreachable: recovery waits for it")
        return 0
    # The sender holds what it is about to send: if it dies before sending everything, the
    # rest is a dead worker's, sent by another.
    sender = runner.worker_id
    count = 0
    for unit in UNITS:
        with runner.db.session() as session:
            ids = (
                requeue_abandoned(session, runner.lease_seconds, sender, unit)
                if dead_holders
                else []
            )
            ids += requeue_lost(session, epoch, sender, unit)
            ids += requeue_untracked(session, taken, sender, unit)
            if drained:
                ids += requeue_orphaned(session, runner.lease_seconds, sender, unit)
        sent_now = _send(runner, _sender_of(dispatcher, unit), ids, sender, unit)
        count += sent_now
        if sent_now < len(ids):
            return count
    return count


def _send(runner: Runner, enqueue, ids: list[str], sender: str | None, unit: Unit) -> int:
    for n, unit_id in enumerate(ids):
        log.info("recovering job", extra={"job_id": unit_id})
        try:
            enqueue(unit_id)
        except Exception:
            log.warning("broker unreachable: recovery waits for it")
            with runner.db.session() as session:
                not_enqueued(session, ids[n:], unit)
                if sender:
                    sent(session, ids[:n], sender, unit)
            return n
    if ids and sender:
        with runner.db.session() as session:
            sent(session, ids, sender, unit)
    return len(ids)


def recover_all(runner: Runner, dispatcher: Dispatcher) -> int:
    """Enqueue every unfinished job and conversion (the embedded mode at its start: it was
    the only worker, so all of them are orphans); return how many."""
    count = 0
    for unit in UNITS:
        with runner.db.session() as session:
            ids = unfinished(session, unit)
        enqueue = _sender_of(dispatcher, unit)
        for unit_id in ids:
            log.info("recovering job", extra={"job_id": unit_id})
            enqueue(unit_id)
        count += len(ids)
    return count


class Heartbeat:
    """This process's row in `workers`, renewed every `interval` seconds by a daemon thread;
    with `recover`, the thread recovers after each beat.

    `running` tells which jobs this worker is running now (their leases are renewed with
    each beat). Dead holders are looked for only once this process has beaten without a
    break for a whole lease: after a database outage (or at start) every worker gets the time
    to renew its row and its leases before any of them is taken for dead.
    """

    def __init__(
        self,
        db: Database,
        *,
        interval: float,
        lease_seconds: int,
        running: Callable[[], list[str]] = list,
        recover: Callable[..., int] | None = None,
    ):
        self.id = uuid.uuid4().hex
        self.db = db
        self.interval = interval
        self.lease_seconds = lease_seconds
        self.running = running
        self.recover = recover
        self._beating_since: float | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="docgen-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop beating and remove the row: a clean exit holds nothing."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(self.interval + 5)
        try:
            with self.db.session() as session:
                session.execute(delete(Worker).where(Worker.id == self.id))
        except Exception:
            log.warning("could not remove the worker row")

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._tick()
            self._stopped.wait(self.interval)

    def _tick(self) -> None:
        try:
            with self.db.session() as session:
                beat(session, self.id, self.running())
        except Exception:
            log.warning("heartbeat failed", exc_info=True)
            self._beating_since = None
            return
        if self._beating_since is None:
            self._beating_since = time.monotonic()
        if self.recover is None:
            return
        steady = time.monotonic() - self._beating_since >= self.lease_seconds
        try:
            self.recover(dead_holders=steady)
        except Exception:
            log.exception("recovery failed")
