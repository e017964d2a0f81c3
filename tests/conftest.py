"""Shared fixtures: the example inputs, an app on a fresh SQLite database, its client (signed
in as an admin of the organisation OFFICE); a bare job database for the runner's tests."""

from __future__ import annotations

import copy
import io
import json
import time
import uuid
from pathlib import Path

import pytest
from argon2 import profiles
from flask import Flask
from flask.testing import FlaskClient

from service import accounts, create_app, extensions
from service.db import Database, upgrade
from service.models import Organisation
from service.tasks import records
from service.tenancy import ALL_ROLES, Scope
from tests.stack import Stack

# Passwords hashed in tests take argon2's cheapest profile (8 KiB, one pass): the service's
# own, 64 MiB and 3 passes, takes up to a second on a loaded machine, for each sign-in and
# each user made. tests/test_accounts.py checks the service's profile itself.
accounts.use_password_profile(profiles.CHEAPEST)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ORDERS = "/api/v1/documents/working-group-orders"
# The organisation the tests act in (a district office), and its whole scope.
OFFICE = "office"
LOCAL = Scope.whole(OFFICE)
# Tests poll far faster than any page (every 50 ms): what the API and its records are tested
# for here is not the limits, which tests/test_limits.py tests.
UNLIMITED = {
    "RATE_LIMIT_PER_TOKEN": "1000000 per minute",
    "RATE_LIMIT_PER_USER": "1000000 per minute",
    "RATE_LIMIT_SIGN_IN": "1000000 per minute",
    "DOCUMENTS_PER_DAY": 0,
    "BATCH_ITEMS_PER_DAY": 0,
}


def account(
    app: Flask,
    organisation: str = OFFICE,
    *,
    roles=ALL_ROLES,
    municipalities: list[str] | None = None,
    read_only: bool = False,
    kind: str = "district",
) -> str:
    """A new user of `organisation` (made if missing) with `roles`; its API token."""
    with extensions.db(app).session() as session:
        if session.get(Organisation, organisation) is None:
            accounts.create_organisation(session, f"{organisation} office", kind, organisation)
        user = accounts.create_user(
            session,
            organisation,
            f"user-{uuid.uuid4().hex[:12]}",
            None,
            sorted(roles),
            municipalities,
        )
        _token, secret = accounts.issue_token(
            session, user, "tests", read_only=read_only, expires_at=None
        )
    return secret


def token_client(app: Flask, token: str) -> FlaskClient:
    """A test client of `app` that sends `token` with every request (a request's own
    Authorization header wins)."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def authorized(app: Flask, *, limits: bool = False) -> Flask:
    """`app` whose test clients act as an admin of OFFICE (every role); without `limits`, no
    rate limit or quota gets in a test's way."""
    token = account(app)
    if not limits:
        app.config.update(UNLIMITED)

    class SignedIn(FlaskClient):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    app.test_client_class = SignedIn
    return app


@pytest.fixture(scope="session")
def _order_example() -> dict:
    return json.loads((EXAMPLES / "uch-korgon-order.json").read_text(encoding="utf-8"))


@pytest.fixture
def order_input(_order_example) -> dict:
    """The Uch-Korgon order (the seed's «ПРИЛОЖЕНИЕ 1»), a fresh copy per test."""
    return copy.deepcopy(_order_example)


@pytest.fixture(scope="session")
def shared_stack(tmp_path_factory):
    """PostgreSQL, Redis, a real worker process and a converting one, shared by the API
    tests."""
    stack = Stack(tmp_path_factory.mktemp("stack"))
    try:
        stack.start()
        stack.worker()
        stack.worker(concurrency=1, queues="conversions")  # the PDFs
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
    authorized(app)
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
