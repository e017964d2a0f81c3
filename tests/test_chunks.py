"""Batches at the speed of generation: a chunk of items recorded in one flush and numbered
without gaps (service.batches.numbers), a chunk of jobs claimed, made and recorded as one unit
(service.tasks.chunks) under the claim, lease and recovery rules of a job alone."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from service import create_app, extensions, submission
from service.batches import creation
from service.domain.status import Status
from service.models import BatchItem, DocumentRecord, RegisterEntry, utcnow
from service.storage import MemoryStorage
from service.tasks import chunks, liveness
from service.tasks.runner import Runner
from tests import test_registry
from tests.conftest import LOCAL, authorized, job, queued
from tests.stack import done_lines, kill_mid_run, numbered, statuses, wait_for
from tests.test_faults import RECOVERY_BOUND
from tests.test_registry import create

LEASE = 15
KIND = "working-group-order"
BATCHES = "/api/v1/batches"
# The registry tests' fixtures: the Uch-Korgon municipality, an order naming it.
uch_korgon = test_registry.uch_korgon
by_reference = test_registry.by_reference


def refused(item: dict) -> dict:
    """An item the order's schema refuses (its purpose lacks the Kyrgyz text)."""
    return {**item, "purpose": {"ru": "только по-русски"}}


def test_refused_items_in_a_chunk_take_no_number(
    app, client, uch_korgon, by_reference, monkeypatch
):
    monkeypatch.setattr(creation, "CHUNK", 3)  # refused items in the first and second chunk
    by_reference["municipality_id"] = create(client, uch_korgon)["id"]
    bad_date = {**by_reference, "date": "2015-13-40"}
    items = [by_reference, refused(by_reference), by_reference, bad_date, by_reference]
    items += [by_reference] * 2
    response = client.post(BATCHES, json={"kind": KIND, "items": items})
    assert response.status_code == 202, response.get_json()
    batch = response.get_json()
    numbers = [i["number"] for i in batch["items"]]
    assert numbers == ["03-12/1-Б", None, "03-12/2-Б", None, "03-12/3-Б", "03-12/4-Б", "03-12/5-Б"]
    assert set(batch["items"][1]["errors"]) == {"purpose.ky"}
    assert "date" in batch["items"][3]["errors"]
    # The next document, alone, takes the next number.
    single = client.post("/api/v1/documents/working-group-orders", json=by_reference)
    assert single.status_code == 202
    with extensions.db(app).session() as session:
        seqs = session.scalars(
            select(RegisterEntry.seq)
            .where(RegisterEntry.municipality_id == by_reference["municipality_id"])
            .order_by(RegisterEntry.seq)
        ).all()
    assert seqs == [1, 2, 3, 4, 5, 6]


def test_an_item_failing_for_a_defect_gives_its_number_and_its_record_back(
    app, client, uch_korgon, by_reference
):
    by_reference["municipality_id"] = create(client, uch_korgon)["id"]
    calls = []
    odd = {**by_reference, "date": "2015-06-27"}

    def defective(session, scope, kind, payload):
        made = submission.record_document(session, scope, kind, payload)
        calls.append(made.record.id)
        if payload["date"] == odd["date"]:  # it leaves its record and number, then fails
            raise RuntimeError("a defect")
        return made

    db = extensions.db(app)
    batch_id = creation.create(
        db,
        LOCAL,
        KIND,
        {},
        [by_reference, odd, by_reference],
        enqueue=lambda _: None,
        record=defective,
    )
    with db.session() as session:
        items = session.scalars(
            select(BatchItem).where(BatchItem.batch_id == batch_id).order_by(BatchItem.row)
        ).all()
        assert items[1].errors == {"_body": [creation.INTERNAL_ITEM_ERROR]}
        kept = [i.document_id for i in items if i.document_id]
        assert len(kept) == 2
        numbers = session.scalars(
            select(DocumentRecord.id).where(DocumentRecord.id.in_(calls))
        ).all()
        assert sorted(numbers) == sorted(kept)  # the defective item's record is gone
        seqs = session.scalars(
            select(RegisterEntry.seq)
            .where(RegisterEntry.municipality_id == by_reference["municipality_id"])
            .order_by(RegisterEntry.seq)
        ).all()
    assert seqs == [1, 2]


def runner(db, worker: str, **kwargs) -> Runner:
    made = Runner(db, MemoryStorage(), LEASE, **kwargs)
    made.worker_id = worker
    made.handoff = lambda _id: None
    with db.session() as session:
        liveness.beat(session, worker)
    return made


def test_a_chunk_is_claimed_made_and_recorded_once(db, order_input):
    ids = [queued(db, numbered(order_input, n)) for n in range(1, 6)]
    first = runner(db, "a")
    assert chunks.run(first, ids) == dict.fromkeys(ids, Status.DONE)
    for document_id in ids:
        record = job(db, document_id)
        assert record.status == Status.DONE and record.attempts == 1
        assert record.artifact("docx") is not None and record.filename.endswith(".docx")
    # The same chunk delivered again, or to another worker: nothing is made again.
    assert chunks.run(runner(db, "b"), ids) == dict.fromkeys(ids)
    assert chunks.run(first, ids) == dict.fromkeys(ids)
    assert {job(db, i).attempts for i in ids} == {1}


def test_a_chunk_claimed_by_two_workers_is_finished_only_under_the_current_claim(db, order_input):
    ids = [queued(db, numbered(order_input, n)) for n in range(1, 4)]
    first = runner(db, "a")
    with db.session() as session:
        claimed_by_a = chunks.claim(session, ids, LEASE, "a")
    assert set(claimed_by_a) == set(ids)
    with db.session() as session:  # a second worker, while a's leases are fresh: nothing
        assert chunks.claim(session, ids, LEASE, "b") == {}
    # a stops renewing (its process died mid-chunk): once the leases ran out, b takes them.
    with db.session() as session:
        session.execute(
            update(DocumentRecord)
            .where(DocumentRecord.id.in_(ids))
            .values(lease_renewed_at=utcnow() - timedelta(seconds=LEASE + 1))
        )
    assert chunks.run(runner(db, "b"), ids) == dict.fromkeys(ids, Status.DONE)
    # a's late finish of what it made under its old claim records nothing.
    late = [
        chunks.Made(i, claimed_by_a[i].attempts, "late.docx", _artifact(first), []) for i in ids
    ]
    with db.session() as session:
        assert chunks.finish(session, late, "a") == []
    assert {job(db, i).attempts for i in ids} == {2}
    assert all(not job(db, i).filename.startswith("late") for i in ids)


def _artifact(runner_: Runner):
    from service.models import DOCX, Artifact

    return Artifact(format=DOCX, key=runner_.storage.put(b"x"), size=1, sha256="0" * 64)


def test_the_heartbeat_renews_every_lease_of_a_chunk(db, order_input):
    ids = [queued(db, numbered(order_input, n)) for n in range(1, 4)]
    runner(db, "a")
    with db.session() as session:
        chunks.claim(session, ids, LEASE, "a")
    with db.session() as session:
        session.execute(
            update(DocumentRecord)
            .where(DocumentRecord.id.in_(ids))
            .values(lease_renewed_at=utcnow() - timedelta(seconds=LEASE - 1))
        )
    with db.session() as session:
        liveness.beat(session, "a", ids)  # what Celery reports active: the chunk's ids
    time.sleep(1.1)
    with db.session() as session:
        assert liveness.requeue_abandoned(session, LEASE, sender="recovery") == []


def test_a_bad_job_fails_alone_and_one_claimed_too_often_is_given_up(db, order_input):
    good = queued(db, numbered(order_input, 1))
    bad = queued(db, {**order_input, "date": "not a date"})
    tired = queued(db, numbered(order_input, 2))
    with db.session() as session:
        session.execute(update(DocumentRecord).where(DocumentRecord.id == tired).values(attempts=5))
    outcome = chunks.run(runner(db, "a", max_attempts=5), [good, bad, tired])
    assert outcome == {good: Status.DONE, bad: Status.FAILED, tired: Status.FAILED}
    assert "date" in job(db, bad).error["errors"]
    assert "given up" in job(db, tired).error["message"]


def test_hold_marks_the_reservation_of_each_queued_job(db, order_input):
    ids = [queued(db, numbered(order_input, n)) for n in range(1, 3)]
    with db.session() as session:
        chunks.hold(session, ids, "a")
    assert {job(db, i).worker_id for i in ids} == {"a"}


@pytest.mark.timeout(600)
def test_a_worker_killed_mid_chunk_loses_nothing_and_nothing_is_made_twice(stack, order_input):
    app = authorized(create_app(stack.app_config()))
    client = app.test_client()
    victims: list = []
    ids: list[str] = []

    def post_batch(count: int = 150) -> None:
        start = len(ids) + 1
        items = [numbered(order_input, n) for n in range(start, start + count)]
        made = client.post(BATCHES, json={"kind": KIND, "items": items}).get_json()
        ids.extend(i["document_id"] for i in made["items"])

    post_batch()
    interrupted = kill_mid_run(app, stack, victims, post_batch)
    assert Status.RUNNING in interrupted.values()
    survivor = stack.worker()
    wait_for(
        lambda: statuses(app, ids)[Status.DONE] == len(ids),
        RECOVERY_BOUND + 120,
        "every item of the batches",
        interval=0.2,
    )
    counts = done_lines([*victims, survivor])
    assert max(counts[i] for i in ids) == 1
    with extensions.db(app).session() as session:
        rows = session.execute(
            select(DocumentRecord.id, DocumentRecord.attempts).where(
                DocumentRecord.id.in_(list(interrupted))
            )
        ).all()
    for document_id, attempts in rows:
        # Claimed mid-chunk by the dead worker, recorded by another on a later attempt.
        if interrupted[document_id] == Status.RUNNING:
            assert attempts >= 2 and counts[document_id] == 1
    extensions.dispatcher(app).shutdown()
