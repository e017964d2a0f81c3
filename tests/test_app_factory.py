"""The app factory builds and starts nothing; the embedded workers start recovery explicitly."""

from __future__ import annotations

import time

from service import create_app, extensions, start_embedded_workers
from service.db import upgrade
from service.domain.status import Status
from service.tasks import records
from tests.conftest import LOCAL


def test_jobs_left_by_a_previous_run_wait_for_the_workers_to_start(tmp_path, order_input):
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    first = create_app({"DATABASE_URL": url})
    with extensions.db(first).session() as session:
        record, _ = records.submit(
            session, "working-group-order", order_input, "ky+ru", scope=LOCAL
        )
    extensions.dispatcher(first).shutdown()  # the process died before its pool ran the job

    app = create_app({"DATABASE_URL": url})
    try:
        with extensions.db(app).session() as session:
            assert records.get(session, record.id, LOCAL).status == Status.QUEUED
        assert start_embedded_workers(app) == 1
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with extensions.db(app).session() as session:
                status = records.get(session, record.id, LOCAL).status
            if status == Status.DONE:
                break
            time.sleep(0.05)
        assert status == Status.DONE
    finally:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()
