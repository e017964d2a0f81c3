"""The database away: every request that needs it is 503 with Retry-After, quickly, and the
service recovers by itself once the database is back. Also: HTTP errors keep their headers
(405 and its Allow)."""

from __future__ import annotations

import json
import re
import socket
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from service import accounts, create_app, extensions
from service.db import CONNECT_TIMEOUT_SECONDS, STATEMENT_TIMEOUT_SECONDS, upgrade
from service.errors import Unavailable
from service.models import DocumentRecord
from tests.conftest import (
    EXAMPLES,
    OFFICE,
    ORDERS,
    authorized,
    token_client,
    wait_until_finished,
)
from tests.private_postgres import PrivatePostgres

BATCHES = "/api/v1/batches"
MUNICIPALITIES = "/api/v1/municipalities"
# A request while the database is away answers within the connect timeout, and a margin for
# a loaded machine; a refused connection is answered at once.
BOUND_SECONDS = CONNECT_TIMEOUT_SECONDS + 1.5
RU = {"Accept-Language": "ru"}
NOT_SAVED_RU = "База данных недоступна; ничего не сохранено, повторите попытку позже."
UNAVAILABLE_RU = "База данных недоступна; повторите попытку позже."


def _app(url: str, *, signed_in: bool = True):
    """An embedded app on `url`; `signed_in`: its clients are an admin's (the database must be
    up to make the account)."""
    app = create_app(
        {"DATABASE_URL": url, "CELERY_BROKER_URL": None, "REDIS_URL": None, "EMBEDDED_WORKERS": 1}
    )
    return authorized(app) if signed_in else app


# A token where the database cannot be read: checking it needs the database.
SOME_TOKEN = "dgk_" + "x" * 43


def _close(app) -> None:
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


def timed(call, *args, **kwargs):
    """The response of `call`, after checking it came within BOUND_SECONDS."""
    started = time.monotonic()
    response = call(*args, **kwargs)
    elapsed = time.monotonic() - started
    assert elapsed < BOUND_SECONDS, f"{args[0]} took {elapsed:.2f}s"
    return response


def assert_unavailable(response, message: str | None = UNAVAILABLE_RU) -> None:
    """A 503 envelope with Retry-After (and `message`, unless None)."""
    assert response.status_code == 503, (response.request.path, response.get_data(as_text=True))
    assert response.headers["Retry-After"] == str(Unavailable.retry_after)
    body = response.get_json()
    assert body == {
        "code": 503,
        "status": "Service Unavailable",
        "message": body["message"] if message is None else message,
    }


@pytest.fixture(scope="module")
def postgres():
    server = PrivatePostgres()
    try:
        server.create()
        upgrade(server.url)
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="module")
def app(postgres):
    app = _app(postgres.url)
    yield app
    _close(app)


@pytest.fixture(scope="module")
def document(app) -> dict:
    """A document made while the database was up."""
    order = json.loads((EXAMPLES / "uch-korgon-order.json").read_text(encoding="utf-8"))
    job = app.test_client().post(ORDERS, json=order).get_json()
    assert wait_until_finished(app.test_client(), job["links"]["self"])["status"] == "done"
    return job


@pytest.fixture
def database_down(postgres, document):
    """The database stopped for the test, started again after it."""
    postgres.stop()
    try:
        yield
    finally:
        if postgres.process is None:
            postgres.start()


def _documents(app) -> int:
    with extensions.db(app).session() as session:
        return session.scalar(select(func.count()).select_from(DocumentRecord))


@pytest.mark.distributed
def test_writes_are_503_with_retry_after_and_nothing_saved(app, postgres, document, order_input):
    client = app.test_client()
    batch = json.loads((EXAMPLES / "sverdlovsky-batch.json").read_text(encoding="utf-8"))
    before = _documents(app)
    postgres.stop()
    try:
        assert_unavailable(timed(client.post, ORDERS, json=order_input, headers=RU), NOT_SAVED_RU)
        assert_unavailable(timed(client.post, BATCHES, json=batch, headers=RU), NOT_SAVED_RU)
        english = timed(client.post, ORDERS, json=order_input)
        assert english.status_code == 503
        assert english.get_json()["message"] == (
            "The database is unavailable; nothing was saved, please retry later."
        )
        # Even input the service would refuse: its token cannot be checked without the
        # database, and an unchecked caller is told nothing about its input.
        refused = timed(client.post, ORDERS, json={"colour": "red"}, headers=RU)
        assert_unavailable(refused, NOT_SAVED_RU)
    finally:
        postgres.start()
    assert _documents(app) == before


@pytest.mark.distributed
def test_reads_are_503_with_retry_after(app, database_down, document):
    client = app.test_client()
    for url in (
        document["links"]["self"],
        document["links"]["file"],
        f"{BATCHES}/0123456789abcdef",
        MUNICIPALITIES,
        f"{MUNICIPALITIES}/0123456789abcdef/register?year=2015",
    ):
        assert_unavailable(timed(client.get, url, headers=RU))


# What answers without the database: the probes' liveness half, the API's description, the
# batch upload templates (made from the kinds' schemas).
NO_DATABASE = {
    "/healthz",
    "/api/docs",
    "/api/openapi.json",
}
# Valid bodies of the accounts' endpoints (a token, or sign-in, needs the database too).
ACCOUNT_BODIES = {
    "/api/v1/sessions": {"username": "someone", "password": "a long password"},
    "/api/v1/users": {"username": "someone", "password": "a long password", "roles": ["admin"]},
    "/api/v1/users/<user_id>/password": {"password": "a long password"},
    "/api/v1/tokens": {"name": "script"},
}
EXAMPLE_OF = {
    "/api/v1/documents/working-group-orders": "uch-korgon-order.json",
    "/api/v1/documents/joint-plans": "uch-korgon-plan.json",
    "/api/v1/documents/annual-reports": "uch-korgon-report.json",
    "/api/v1/batches": "sverdlovsky-batch.json",
}


@pytest.mark.distributed
def test_every_endpoint_that_needs_the_database_is_503(app, database_down):
    order = json.loads((EXAMPLES / "uch-korgon-order.json").read_text(encoding="utf-8"))
    municipality = {key: order["issuer"][key] for key in ("body", "region", "head")}
    municipality["name"] = municipality.pop("body")
    client = app.test_client()
    answers = {}
    for rule in app.url_map.iter_rules():
        # The pages answer a signed-out visitor without the database (the sign-in page);
        # signed in, see test_a_page_while_the_database_is_down_is_a_503_page.
        if rule.endpoint in ("static", "swagger_static.swagger_static"):
            continue
        if rule.endpoint.startswith("web."):
            continue
        url = rule.rule.replace("<kind>", "working-group-order").replace("<ext>", "csv")
        url = re.sub(r"<[^>]+>", "0123456789abcdef" * 2, url)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            body = None
            if rule.rule in ACCOUNT_BODIES:
                body = ACCOUNT_BODIES[rule.rule]
            elif method in ("POST", "PUT"):
                example = EXAMPLE_OF.get(url)
                body = (
                    municipality
                    if example is None
                    else json.loads((EXAMPLES / example).read_text(encoding="utf-8"))
                )
            response = timed(client.open, url, method=method, json=body)
            answers[f"{method} {rule.rule}"] = response.status_code
            if rule.rule == "/readyz":  # its own body, test_probes… reads it
                assert response.status_code == 503 and response.headers["Retry-After"]
            elif rule.rule not in NO_DATABASE:
                assert_unavailable(response, None)
    assert len(answers) >= 15, answers
    assert 500 not in answers.values(), answers


@pytest.mark.distributed
def test_a_page_while_the_database_is_down_is_a_503_page(app, postgres, document):
    with extensions.db(app).session() as session:
        accounts.create_user(session, OFFICE, "page-user", "a long password", ["secretary"], None)
    pages = app.test_client()
    form = pages.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    signed = pages.post(
        "/sign-in",
        data={"username": "page-user", "password": "a long password", "csrf_token": token},
    )
    assert signed.status_code == 302
    postgres.stop()
    try:
        for url in ("/documents", "/documents/new/working-group-orders", "/register"):
            page = timed(pages.get, url, headers=RU)
            assert page.status_code == 503, url
            assert page.mimetype == "text/html" and page.headers["Retry-After"]
            assert "База данных недоступна" in page.get_data(as_text=True)
    finally:
        postgres.start()


@pytest.mark.distributed
def test_probes_while_the_database_is_down(app, database_down):
    client = app.test_client()
    assert timed(client.get, "/healthz").get_json() == {"status": "ok"}
    ready = timed(client.get, "/readyz")
    assert ready.status_code == 503
    assert ready.headers["Retry-After"] == str(Unavailable.retry_after)
    body = ready.get_json()
    assert body["missing"] == ["database"]
    assert body["checks"]["database"].startswith("unavailable")


@pytest.mark.distributed
def test_service_recovers_when_the_database_is_back(app, postgres, document, order_input):
    client = app.test_client()
    # The pool holds connections the restart kills; pool_pre_ping replaces them, so the very
    # first request after the restart succeeds, and so does the first after an outage that
    # requests saw.
    assert client.get(document["links"]["self"]).status_code == 200
    postgres.stop()
    postgres.start()
    assert client.get(document["links"]["self"]).status_code == 200
    postgres.stop()
    assert client.get(document["links"]["self"]).status_code == 503
    postgres.start()
    assert client.get("/readyz").status_code == 200
    response = client.post(ORDERS, json=order_input)
    assert response.status_code == 202
    assert wait_until_finished(client, response.get_json()["links"]["self"])["status"] == "done"


@pytest.mark.distributed
def test_a_statement_waiting_too_long_is_503(app, postgres, document):
    with extensions.db(app).engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == (
            f"{STATEMENT_TIMEOUT_SECONDS}s"
        )
    # The bound shortened through DATABASE_URL, and a session that keeps a lock.
    impatient = _app(postgres.url + "?options=-c%20statement_timeout%3D1s")
    locker = psycopg.connect(host="127.0.0.1", port=postgres.port, user="postgres")
    try:
        locker.execute(f"LOCK TABLE {DocumentRecord.__table__.name} IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = impatient.test_client().get(document["links"]["self"], headers=RU)
        assert 1 <= time.monotonic() - started < 1 + BOUND_SECONDS
        assert_unavailable(response)
    finally:
        locker.close()
        _close(impatient)


@pytest.fixture
def silent_server():
    """A port that accepts TCP connections and never answers, as a hung or cut-off server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def test_unreachable_database_is_503_within_the_connect_timeout(silent_server, order_input):
    app = _app(f"postgresql+psycopg://postgres@127.0.0.1:{silent_server}/postgres", signed_in=False)
    try:
        client = token_client(app, SOME_TOKEN)
        started = time.monotonic()
        assert_unavailable(timed(client.post, ORDERS, json=order_input, headers=RU), NOT_SAVED_RU)
        assert time.monotonic() - started >= CONNECT_TIMEOUT_SECONDS - 0.5  # it did wait
        assert timed(client.get, "/readyz").status_code == 503
    finally:
        _close(app)


def test_sqlite_that_cannot_be_opened_is_503(tmp_path: Path, order_input):
    # A directory where the database file should be: SQLite cannot open it.
    app = _app(f"sqlite:///{tmp_path}", signed_in=False)
    try:
        client = token_client(app, SOME_TOKEN)
        assert_unavailable(client.post(ORDERS, json=order_input, headers=RU), NOT_SAVED_RU)
        assert_unavailable(client.get(f"/api/v1/documents/{'0123456789abcdef' * 2}", headers=RU))
    finally:
        _close(app)


@pytest.fixture
def sqlite_client(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = _app(url)
    yield app.test_client()
    _close(app)


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        # A kind's URL is never taken for a document's id (ids are 32 hex digits).
        ("DELETE", ORDERS, {"POST", "OPTIONS"}),
        ("GET", ORDERS, {"POST", "OPTIONS"}),
        ("PUT", BATCHES, {"GET", "HEAD", "POST", "OPTIONS"}),
        (
            "PUT",
            f"/api/v1/documents/{'0123456789abcdef' * 2}",
            {"GET", "HEAD", "DELETE", "OPTIONS"},
        ),
        ("POST", "/healthz", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_405_names_the_allowed_methods(sqlite_client, method, url, allowed):
    response = sqlite_client.open(url, method=method, headers=RU)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed
    assert response.get_json()["code"] == 405
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Language"] == "ru"


def test_queue_unavailable_has_retry_after(sqlite_client, monkeypatch):
    # A dispatcher that takes no jobs now, as when the broker is down.
    monkeypatch.setattr(extensions.dispatcher(sqlite_client.application), "ping", lambda: False)
    batch = json.loads((EXAMPLES / "sverdlovsky-batch.json").read_text(encoding="utf-8"))
    response = sqlite_client.post(BATCHES, json=batch)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(Unavailable.retry_after)
    assert "nothing was saved" in response.get_json()["message"]
