"""Faults with the default settings, against a real Redis, PostgreSQL and worker processes.

A worker SIGKILLed mid-run (its main process and its pool) with another alive, and with none
(a new worker started after); Redis restarted empty while jobs wait; PostgreSQL (a private
server) stopped while jobs run and started again; a hand-off failing after the commit, and a
job committed but never sent. Each asserts that no job is lost or made
twice, and that recovery took no longer than the settings promise (service.tasks.liveness:
a lease and a beat, with a margin for a loaded machine); each prints the time measured.
"""

from __future__ import annotations

import time

import pytest
import redis
from sqlalchemy import select

from service import create_app, extensions
from service.config import DEFAULTS
from service.domain.status import Status
from service.models import DocumentRecord
from service.tasks import records as jobs
from service.tasks.celery_app import EPOCH_KEY
from tests.conftest import LOCAL, ORDERS, authorized
from tests.private_postgres import PrivateDatabase
from tests.stack import Stack, done_lines, kill_mid_run, numbered, statuses, wait_for

pytestmark = pytest.mark.distributed

HEARTBEAT = DEFAULTS["HEARTBEAT_SECONDS"]
LEASE = DEFAULTS["JOB_LEASE_SECONDS"]
# A dead worker is seen within a lease of its last beat and its jobs are sent at the next
# beat of a live one; a new worker first beats for a lease (so that no live worker is taken
# for dead). The margin is for a loaded machine and the jobs' own time.
RECOVERY_BOUND = LEASE + 2 * HEARTBEAT + 15
# The broker's return is noticed at the next beat.
BROKER_BOUND = 2 * HEARTBEAT + 15
# After a database outage a job interrupted mid-run is claimed again by its own retry (every
# RETRY_CAP_SECONDS at most) once its lease has run out, or sent by the recovery once the
# workers have beaten for a lease: the recovery's bound.
DATABASE_BOUND = RECOVERY_BOUND
JOBS = 120
RU = {"Accept-Language": "ru"}


@pytest.fixture
def app(stack):
    app = authorized(create_app(stack.app_config()))
    yield app
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


def submit_all(client, order_input, count: int, start: int = 1) -> list[str]:
    ids = []
    for n in range(start, start + count):
        response = client.post(ORDERS, json=numbered(order_input, n))
        assert response.status_code == 202, response.get_json()
        ids.append(response.get_json()["id"])
    return ids


def all_done(app, ids, seconds: float, what: str) -> None:
    wait_for(lambda: statuses(app, ids)[Status.DONE] == len(ids), seconds, what, interval=0.1)


def assert_each_made_once(app, ids, workers) -> None:
    """Every job done with its document, none recorded twice, no live worker's run refused."""
    counts = done_lines(workers)
    assert max(counts[job] for job in ids) == 1
    with extensions.db(app).session() as session:
        for document_id in ids:
            record = jobs.get(session, document_id, LOCAL)
            assert record.status == Status.DONE and record.artifact("docx") is not None
            # No line: the killed worker recorded it and died before logging, so it was
            # made once, by the dead worker.
            assert counts[document_id] == 1 or record.attempts == 1
    refused = [
        entry
        for worker in workers
        for entry in worker.messages()
        if entry.get("message", "").startswith("not recorded")
    ]
    assert refused == []


def test_worker_killed_with_another_alive(stack, app, order_input):
    victims, survivor = [stack.worker()], stack.worker()
    client = app.test_client()
    ids = submit_all(client, order_input, JOBS)
    started = time.monotonic()

    def more_jobs() -> None:  # from kill_mid_run's thread: a client of its own
        ids.extend(submit_all(app.test_client(), order_input, 20, start=len(ids) + 1))

    interrupted = kill_mid_run(app, stack, victims, more_jobs)
    killed = time.monotonic()

    all_done(app, list(interrupted), RECOVERY_BOUND, "the dead worker's jobs")
    recovered = time.monotonic() - killed
    all_done(app, ids, 120, f"all {len(ids)} jobs")
    print(
        f"\nworker killed, another alive: its {len(interrupted)} jobs done {recovered:.1f} s "
        f"after the kill, all {len(ids)} in {time.monotonic() - started:.1f} s"
    )
    assert_each_made_once(app, ids, [*victims, survivor])
    with extensions.db(app).session() as session:
        for document_id, status in interrupted.items():
            if status == Status.RUNNING:
                assert jobs.get(session, document_id, LOCAL).attempts >= 2


def test_worker_killed_with_none_alive_a_new_one_recovers(stack, app, order_input):
    client = app.test_client()
    ids = submit_all(client, order_input, JOBS)
    victims = []

    def more_jobs() -> None:  # from kill_mid_run's thread: a client of its own
        ids.extend(submit_all(app.test_client(), order_input, 20, start=len(ids) + 1))

    interrupted = kill_mid_run(app, stack, victims, more_jobs)

    starting = time.monotonic()
    successor = stack.worker()
    all_done(app, list(interrupted), RECOVERY_BOUND, "the dead worker's jobs")
    recovered = time.monotonic() - starting
    all_done(app, ids, 120, f"all {len(ids)} jobs")
    print(
        f"\nworker killed, none alive: its {len(interrupted)} jobs done {recovered:.1f} s "
        f"after a new worker's start, all {len(ids)} {time.monotonic() - starting:.1f} s after"
    )
    assert_each_made_once(app, ids, [*victims, successor])


def test_redis_restarted_empty_while_jobs_wait(stack, app, order_input):
    client = app.test_client()
    ids = submit_all(client, order_input, JOBS)  # all waiting: the worker starts after
    worker = stack.worker()
    wait_for(lambda: statuses(app, ids)[Status.DONE], 60, "the first job done", interval=0.01)
    stack.redis.stop()  # Redis keeps nothing on disk: the waiting messages are gone
    with extensions.db(app).session() as session:
        kept = session.scalar(select(DocumentRecord.id).where(DocumentRecord.id.in_(ids)).limit(1))
    waiting = JOBS - statuses(app, ids)[Status.DONE]
    assert waiting > 0

    response = client.post(ORDERS, json=numbered(order_input, 0), headers={"Accept-Language": "ru"})
    assert response.status_code == 503
    assert response.get_json()["message"] == (
        "Очередь документов недоступна; ничего не сохранено, повторите попытку позже."
    )
    assert int(response.headers["Retry-After"]) > 0
    with extensions.db(app).session() as session:
        assert session.query(DocumentRecord).count() == JOBS  # the refused POST kept nothing
    assert client.get("/readyz").status_code == 503
    assert client.get(f"/api/v1/documents/{kept}").status_code == 200

    stack.redis.start()
    back = time.monotonic()
    all_done(app, ids, BROKER_BOUND, f"the {waiting} jobs Redis lost")
    took = time.monotonic() - back
    print(f"\nRedis restarted empty: {waiting} jobs waiting, all done {took:.1f} s after")
    assert_each_made_once(app, ids, [worker])


def test_a_failed_hand_off_keeps_the_job_and_its_number(stack, app, order_input):
    worker = stack.worker()
    client = app.test_client()
    broker = redis.Redis.from_url(stack.redis.url)
    wait_for(lambda: broker.exists(EPOCH_KEY), 30, "the worker's first recovery")
    broker.close()
    with extensions.db(app).session() as session:
        # Committed, never sent: the process that recorded it died before the hand-off
        # (after the broker's epoch began, so only the empty queue tells it is lost).
        orphan, _ = jobs.submit(
            session, "working-group-order", numbered(order_input, 7), "ky+ru", scope=LOCAL
        )
    committed = time.monotonic()
    letterhead = order_input["issuer"]
    municipality = client.post(
        "/api/v1/municipalities",
        json={
            "name": letterhead["body"],
            "country": letterhead["country"],
            "region": letterhead["region"],
            "district": letterhead["district"],
            "head": letterhead["head"],
            "act": {"ky": "БУЙРУК", "ru": "РАСПОРЯЖЕНИЕ"},
            "numbering_pattern": "03-12/{seq}-Б",
        },
    ).get_json()
    del order_input["issuer"], order_input["number"], order_input["act"]
    order_input["municipality_id"] = municipality["id"]

    dispatcher = extensions.dispatcher(app)

    def broker_gone(document_id: str) -> None:
        raise ConnectionError("the broker went away after the commit")

    dispatcher.enqueue, enqueue = broker_gone, dispatcher.enqueue
    try:
        response = client.post(ORDERS, json=order_input)
    finally:
        dispatcher.enqueue = enqueue
    assert response.status_code == 202, response.get_json()
    document_id = response.get_json()["id"]
    register = client.get(f"/api/v1/municipalities/{municipality['id']}/register?year=2015")
    assert [(e["number"], e["document_id"]) for e in register.get_json()] == [
        ("03-12/1-Б", document_id)
    ]

    sent = time.monotonic()
    all_done(app, [document_id], BROKER_BOUND, "the job whose hand-off failed")
    print(f"\nhand-off failed after the commit: done {time.monotonic() - sent:.1f} s later")
    all_done(app, [orphan.id], RECOVERY_BOUND, "the job never sent")
    print(f"committed, never sent: done {time.monotonic() - committed:.1f} s after the commit")
    assert_each_made_once(app, [document_id, orphan.id], [worker])


def test_database_stopped_while_jobs_run(tmp_path, order_input):
    stack = Stack(tmp_path, database=PrivateDatabase())
    try:
        stack.start()
        app = authorized(create_app(stack.app_config()))
        client = app.test_client()
        ids = submit_all(client, order_input, JOBS)  # all waiting: the worker starts after
        worker = stack.worker()
        # Stopped while a job runs, so that one is interrupted after its claim.
        wait_for(lambda: statuses(app, ids)[Status.RUNNING], 30, "a job running", interval=0.002)
        stack.database.server.stop()
        response = client.post(ORDERS, json=numbered(order_input, 0), headers=RU)
        assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
        time.sleep(2 * HEARTBEAT)  # jobs fail mid-run, heartbeats fail, retries wait
        stack.database.server.start()
        back = time.monotonic()
        waiting = JOBS - statuses(app, ids)[Status.DONE]
        assert waiting > 0
        all_done(app, ids, DATABASE_BOUND, f"the {waiting} jobs the outage interrupted")
        took = time.monotonic() - back
        print(f"\nPostgreSQL down {2 * HEARTBEAT} s, {waiting} left: done {took:.1f} s after")
        assert_each_made_once(app, ids, [worker])
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()
    finally:
        stack.stop()
