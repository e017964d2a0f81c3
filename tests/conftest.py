"""Shared fixtures: the example inputs, an app on a fresh SQLite database, its client; a bare
job database for the runner's tests."""

from __future__ import annotations

import copy
import io
import json
import time
from pathlib import Path

import pytest

from service import create_app, extensions
from service.db import Database, upgrade
from service.tasks import records
from service.tenancy import LOCAL
from tests.stack import Stack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ORDERS = "/api/v1/documents/working-group-orders"


@pytest.fixture(scope="session")
def _order_example() -> dict:
    return json.loads((EXAMPLES / "uch-korgon-order.json").read_text(encoding="utf-8"))


@pytest.fixture
def order_input(_order_example) -> dict:
    """The Uch-Korgon order (the seed's «ПРИЛОЖЕНИЕ 1»), a fresh copy per test."""
    return copy.deepcopy(_order_example)


@pytest.fixture(scope="session")
def shared_stack(tmp_path_factory):
    """PostgreSQL, Redis and one real worker process, shared by the API tests."""
    stack = Stack(tmp_path_factory.mktemp("stack"))
    try:
        stack.start()
        stack.worker()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def stack(tmp_path):
    """A stack of its own (Redis, a PostgreSQL database) for a test that breaks it."""
    stack = Stack(tmp_path)
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture(params=["embedded", "distributed"])
def app(request, tmp_path):
    """The app in both modes: SQLite with in-process jobs; PostgreSQL, Redis and a worker."""
    if request.param == "embedded":
        url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
        upgrade(url)
        app = create_app({"DATABASE_URL": url})
    else:
        app = create_app(request.getfixturevalue("shared_stack").app_config())
    yield app
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def wait_until_finished(client, url: str, timeout: float = 60) -> dict:
    """Poll a job until it is done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(url).get_json()
        if status["status"] in ("done", "failed"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"{url} did not finish in {timeout}s: {status}")


def upload_batch(client, batch: dict, content: bytes, filename: str, **headers):
    """POST a CSV/XLSX upload of working-group orders with the `shared` fields of `batch`."""
    return client.post(
        "/api/v1/batches",
        data={
            "kind": "working-group-order",
            "shared": json.dumps(batch["shared"]),
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
        headers=headers,
    )


@pytest.fixture
def db(tmp_path):
    """A fresh SQLite job database, without an app."""
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def queued(db, order_input) -> str:
    """Record an order job, queued; its id."""
    with db.session() as session:
        record, _ = records.submit(
            session, "working-group-order", order_input, "ky+ru", scope=LOCAL
        )
    return record.id


def job(db, document_id: str):
    """The job record, as it is now."""
    with db.session() as session:
        return records.get(session, document_id, LOCAL)
