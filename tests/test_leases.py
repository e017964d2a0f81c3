"""Leases and holders (service.tasks.liveness) on a bare job database: a running job is its
holder's while the holder's heartbeat renews its lease, and free once the lease runs out,
whether its worker died or its run ended without recording anything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from service.domain.status import Status
from service.models import DocumentRecord, Worker, utcnow
from service.storage import MemoryStorage
from service.tasks import liveness, records
from service.tasks.runner import Runner
from tests.conftest import job, queued

LEASE = 15


def age(db, document_id: str, *, lease: float = 0, holder: float = 0) -> None:
    """Make the job's lease, and its holder's last beat, that many seconds old."""
    with db.session() as session:
        record = session.get(DocumentRecord, document_id)
        if lease:
            record.lease_renewed_at = utcnow() - timedelta(seconds=lease)
        if holder and record.worker_id:
            session.execute(
                update(Worker)
                .where(Worker.id == record.worker_id)
                .values(last_seen=utcnow() - timedelta(seconds=holder))
            )


def running(db, order_input, worker: str) -> str:
    """A job claimed by worker `worker` (alive: it has just beaten)."""
    document_id = queued(db, order_input)
    with db.session() as session:
        liveness.beat(session, worker)
    with db.session() as session:
        assert records.claim(session, document_id, LEASE, worker) is not None
    return document_id


def claim(db, document_id: str, worker: str):
    with db.session() as session:
        return records.claim(session, document_id, LEASE, worker)


def requeued(db) -> list[str]:
    with db.session() as session:
        return liveness.requeue_abandoned(session, LEASE, sender="recovery")


def test_a_renewed_lease_keeps_a_long_job_with_its_live_worker(db, order_input):
    document_id = running(db, order_input, "a")
    for _ in range(3):  # minutes of work: beat after beat renews the lease
        age(db, document_id, lease=LEASE - 1)
        with db.session() as session:
            liveness.beat(session, "a", [document_id])
    assert claim(db, document_id, "b") is None and requeued(db) == []
    assert job(db, document_id).worker_id == "a"


def test_a_lease_not_renewed_frees_the_job_though_its_worker_lives(db, order_input):
    # The worker beats, but no longer runs the job (its pool process died, or the run ended
    # with the database away): the beat does not renew it.
    document_id = running(db, order_input, "a")
    age(db, document_id, lease=LEASE + 1)
    with db.session() as session:
        liveness.beat(session, "a", [])
    assert requeued(db) == [document_id]
    assert job(db, document_id).status == Status.QUEUED


def test_only_the_holder_renews_a_lease(db, order_input):
    document_id = running(db, order_input, "a")
    age(db, document_id, lease=LEASE + 1)
    with db.session() as session:
        liveness.beat(session, "b", [document_id])  # another worker's stale belief
    assert claim(db, document_id, "b") is not None


def test_a_reserved_job_is_its_holders_while_the_holder_beats(db, order_input):
    document_id = queued(db, order_input)
    with db.session() as session:
        liveness.beat(session, "a")
        liveness.hold(session, document_id, "a")
    assert requeued(db) == []
    age(db, document_id, holder=LEASE + 1)
    assert requeued(db) == [document_id]
    assert job(db, document_id).worker_id == "recovery"  # until it is in the broker


def test_a_run_that_could_not_release_its_job_is_claimed_again_after_the_lease(
    db, order_input, monkeypatch
):
    class AwayStorage(MemoryStorage):
        def put(self, data: bytes) -> str:
            raise ConnectionError("the database went away after the claim")

    def release_fails(*_args, **_kwargs):
        raise ConnectionError("still away")

    def runner(storage) -> Runner:
        runner = Runner(db, storage, lease_seconds=LEASE)
        runner.worker_id = "a"  # every pool process of a worker claims under its id
        return runner

    document_id = queued(db, order_input)
    monkeypatch.setattr(records, "release", release_fails)
    with pytest.raises(ConnectionError):
        runner(AwayStorage()).run_job(document_id)
    assert job(db, document_id).status == Status.RUNNING
    monkeypatch.undo()

    # The task's retry, in this or another pool process: refused while the lease lasts...
    storage = MemoryStorage()
    assert runner(storage).run_job(document_id) is None
    # ...done once it ran out, and the late run of the first attempt records nothing.
    age(db, document_id, lease=LEASE + 1)
    assert runner(storage).run_job(document_id) == Status.DONE
    record = job(db, document_id)
    assert record.status == Status.DONE and record.attempts == 2
    with db.session() as session:
        assert not records.finish(session, document_id, "late.docx", [], worker_id="a", attempt=1)
