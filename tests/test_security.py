"""Secrets and headers: no secret defaults outside the embedded mode, security headers on
every response, no token or password in a log line."""

from __future__ import annotations

import json
import logging

import pytest

from service import config, create_app, extensions
from service.db import upgrade
from service.logs import REDACTED, JsonFormatter
from service.security import HEADERS, POLICY

KEY = "k" * 40


def test_the_distributed_mode_refuses_to_start_without_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set in the distributed mode"):
        config.load({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", "SECRET_KEY": None})
    with pytest.raises(RuntimeError, match="at least 32 characters"):
        config.load({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", "SECRET_KEY": "short"})
    loaded = config.load({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", "SECRET_KEY": KEY})
    assert loaded["SECRET_KEY"] == KEY


def test_the_secret_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    assert config.load()["SECRET_KEY"] == KEY


def test_the_embedded_mode_makes_a_random_key_per_process_when_none_is_set():
    first = config.load({"CELERY_BROKER_URL": None, "REDIS_URL": None, "SECRET_KEY": None})
    second = config.load({"CELERY_BROKER_URL": None, "REDIS_URL": None, "SECRET_KEY": None})
    assert len(first["SECRET_KEY"]) >= 32 and first["SECRET_KEY"] != second["SECRET_KEY"]


def test_no_secret_has_a_default():
    assert all(config.DEFAULTS[key] is None for key in config.SECRETS)


@pytest.fixture
def bare_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "CELERY_BROKER_URL": None, "REDIS_URL": None})
    yield app
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


def _get_paths(app) -> list[str]:
    """A URL for every GET route, with a made-up value for each parameter."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {arg: "0" * 32 for arg in rule.arguments}
        if "filename" in values:
            values["filename"] = "swagger-ui.css"
        paths.append(rule.build(values, append_unknown=False)[1])
    return paths


def test_every_response_carries_the_security_headers(bare_app):
    client = bare_app.test_client()
    responses = {path: client.get(path) for path in _get_paths(bare_app)}
    responses["404"] = client.get("/no/such/page")
    responses["405"] = client.delete("/api/openapi.json")
    responses["415"] = client.post("/api/v1/documents/working-group-orders", data="x")
    assert len(responses) > 10
    for path, response in responses.items():
        for name, value in HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in policy and "default-src 'self'" in policy, path
        if path.rstrip("/") != "/api/docs":
            assert policy == POLICY, path
        response.close()  # a static file's


def test_an_unexpected_error_carries_them_too(bare_app):
    @bare_app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = bare_app.test_client().get("/boom")
    assert response.status_code == 500
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == POLICY


def test_the_docs_page_may_run_its_own_inline_script_and_nothing_else(bare_app):
    response = bare_app.test_client().get("/api/docs")
    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    sources = policy["script-src"].split()
    assert sources[0] == "'self'" and len(sources) == 2 and sources[1].startswith("'sha256-")
    assert (
        "'unsafe-inline'" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    )
    assert "http" not in response.headers["Content-Security-Policy"]  # no CDN
    # The hash is the page's one inline script's: changing the script changes it.
    from service.security import docs_policy

    assert docs_policy(response.get_data()) == response.headers["Content-Security-Policy"]
    assert (
        docs_policy(response.get_data().replace(b"dom_id", b"dom-id"))
        != (response.headers["Content-Security-Policy"])
    )


def _logged(**kwargs) -> dict:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, kwargs.pop("msg"), None, None)
    for key, value in kwargs.items():
        setattr(record, key, value)
    return json.loads(JsonFormatter().format(record))


@pytest.mark.parametrize(
    "message",
    [
        "GET /api/v1/documents Authorization: Bearer dgk_s3cr3tT0ken",
        "POST /sign-in?user=aida&password=s3cr3tT0ken",
        'body {"user": "aida", "password": "s3cr3tT0ken"}',
        "[parameters: {'token_hash': 's3cr3tT0ken', 'name': 'aida'}]",
    ],
)
def test_tokens_and_passwords_are_never_logged(message):
    entry = _logged(msg=message, password="s3cr3tT0ken", token="s3cr3tT0ken", kind="order")
    line = json.dumps(entry)
    assert "s3cr3tT0ken" not in line
    assert entry["password"] == entry["token"] == REDACTED and entry["kind"] == "order"
    assert ("aida" in line) == ("aida" in message)  # what is not a secret stays


def test_secrets_nested_in_a_field_are_redacted():
    entry = _logged(msg="request", data={"user": "aida", "auth": {"password": "s3cr3tT0ken"}})
    assert entry["data"] == {"user": "aida", "auth": {"password": REDACTED}}


def test_a_traceback_is_redacted_too():
    try:
        raise ValueError("bad header: Bearer s3cr3tT0ken")
    except ValueError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    out = JsonFormatter().format(record)
    assert "s3cr3tT0ken" not in out and "Bearer [redacted]" in out
