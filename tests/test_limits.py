"""Abuse limits: requests per token and per user (Redis in the distributed mode, memory in the
embedded one), sign-in attempts per client address (taken from the configured proxy header),
and documents and batch items per organisation per Asia/Bishkek day."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from limits import parse

from service import accounts, config, create_app, extensions, quotas
from service.db import upgrade
from service.models import DailyUsage, DocumentRecord
from service.tenancy import Role, Scope
from tests.conftest import EXAMPLES, ORDERS, UNLIMITED, account, token_client

RU = {"Accept-Language": "ru"}


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _second_token(app, token: str) -> str:
    with extensions.db(app).session() as session:
        principal = accounts.authenticate(session, token)
        user = session.get(accounts.User, principal.user_id)
        _record, secret = accounts.issue_token(
            session, user, "two", read_only=False, expires_at=None
        )
    return secret


def test_per_token_and_per_user_limits_answer_429_with_retry_after(app):
    app.config.update(RATE_LIMIT_PER_TOKEN="3 per minute", RATE_LIMIT_PER_USER="5 per minute")
    token = account(app)
    first, second = token_client(app, token), token_client(app, _second_token(app, token))
    colleague = token_client(app, account(app))  # the same office, the same address
    assert [first.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/v1/municipalities", headers=RU)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.get_json() == {
        "code": 429,
        "status": "Too Many Requests",
        "message": "Слишком много запросов; повторите через указанное в Retry-After число секунд.",
    }
    # The user's other token has its own 3, but the user's 5 in all: 3 + 2.
    assert [second.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]
    # A colleague behind the same address is not limited by them.
    assert colleague.get("/api/v1/me").status_code == 200
    assert "Retry-After" not in colleague.get("/api/v1/me").headers
    # Probes and docs are never limited.
    assert all(first.get("/healthz").status_code == 200 for _ in range(5))


@pytest.fixture
def embedded(tmp_path):
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            **UNLIMITED,
            "RATE_LIMIT_SIGN_IN": "2 per minute",
            "CLIENT_ADDRESS_HEADER": "X-Forwarded-For",
        }
    )
    yield app
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


def test_sign_in_attempts_are_limited_per_client_address(embedded):
    client = embedded.test_client()
    attempt = {"username": "nobody", "password": "wrong"}

    def sign_in(forwarded: str):
        return client.post("/api/v1/sessions", json=attempt, headers={"X-Forwarded-For": forwarded})

    assert [sign_in("203.0.113.7").status_code for _ in range(2)] == [401, 401]
    refused = sign_in("203.0.113.7")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # The address is the last of the header (what the proxy saw): a client cannot prepend one.
    assert sign_in("198.51.100.1, 203.0.113.7").status_code == 429
    assert sign_in("198.51.100.1").status_code == 401
    # An API request is not limited by address.
    token = account(embedded)
    api = token_client(embedded, token)
    for _ in range(5):
        assert api.get("/api/v1/me", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 200


def test_documents_per_organisation_per_day(app):
    app.config.update(DOCUMENTS_PER_DAY=2)
    client = token_client(app, account(app, "quota-office"))
    other = token_client(app, account(app, "quota-elsewhere"))
    order = _example("uch-korgon-order")
    made = [client.post(ORDERS, json=order).status_code for _ in range(2)]
    assert made == [202, 202]
    refused = client.post(ORDERS, json=order, headers=RU)
    assert refused.status_code == 429
    assert refused.get_json()["message"] == (
        "Дневная квота организации (2 документов) исчерпана; она возобновится в полночь по "
        "бишкекскому времени."
    )
    now = datetime.now(quotas.BISHKEK)
    until_midnight = 86400 - (now.hour * 3600 + now.minute * 60 + now.second)
    assert abs(int(refused.headers["Retry-After"]) - until_midnight) <= 5
    # Nothing was saved for the refused one; another organisation has its own quota.
    with extensions.db(app).session() as session:
        saved = session.query(DocumentRecord).filter_by(tenant="quota-office").count()
    assert saved == 2
    assert other.post(ORDERS, json=order).status_code == 202


def test_batch_items_per_organisation_per_day(app):
    app.config.update(BATCH_ITEMS_PER_DAY=3)
    client = token_client(app, account(app, "batch-quota"))
    batch = _example("sverdlovsky-batch")
    batch["items"] = batch["items"][:2]
    assert client.post("/api/v1/batches", json=batch).status_code == 202
    refused = client.post("/api/v1/batches", json=batch)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    batch["items"] = batch["items"][:1]
    assert client.post("/api/v1/batches", json=batch).status_code == 202
    # A batch refused for the caller's roles takes nothing of the organisation's quota.
    app.config.update(BATCH_ITEMS_PER_DAY=1)
    fresh = account(app, "batch-quota-roles", roles={Role.SECRETARY})
    assert token_client(app, fresh).post("/api/v1/batches", json=batch).status_code == 403
    coordinator = token_client(app, account(app, "batch-quota-roles"))
    assert coordinator.post("/api/v1/batches", json=batch).status_code == 202


def test_a_day_is_a_day_in_bishkek(db, monkeypatch):
    quota = quotas.DailyQuota(quotas.DOCUMENTS, 1)
    scope = Scope.whole("bishkek-day")

    def at(utc: datetime) -> None:
        monkeypatch.setattr(quotas, "utcnow", lambda: utc)

    at(datetime(2026, 12, 1, 17, 59, tzinfo=UTC))  # 23:59 in Bishkek (UTC+6)
    with db.session() as session:
        quotas.take(session, scope, quota, 1)
    with pytest.raises(quotas.TooManyRequests) as refused, db.session() as session:
        quotas.take(session, scope, quota, 1)
    assert refused.value.retry_after == 60
    at(datetime(2026, 12, 1, 18, 0, tzinfo=UTC))  # midnight in Bishkek: a new day
    with db.session() as session:
        quotas.take(session, scope, quota, 1)
    with db.session() as session:
        days = {(u.day.isoformat(), u.count) for u in session.query(DailyUsage)}
    assert days == {("2026-12-01", 1), ("2026-12-02", 1)}


def test_limits_are_stored_in_redis_when_distributed_and_in_memory_else():
    assert config.load({"REDIS_URL": None})["RATE_LIMIT_STORAGE_URI"] == "memory://"
    distributed = config.load({"REDIS_URL": "redis://127.0.0.1:6379/3", "SECRET_KEY": "k" * 32})
    assert distributed["RATE_LIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    with pytest.raises(RuntimeError, match="DOCUMENTS_PER_DAY"):
        config.load({"DOCUMENTS_PER_DAY": -1})


def test_a_page_refreshing_itself_stays_far_below_the_defaults():
    per_minute = {
        key: parse(config.DEFAULTS[key]).amount * 60 / parse(config.DEFAULTS[key]).get_expiry()
        for key in ("RATE_LIMIT_PER_TOKEN", "RATE_LIMIT_PER_USER")
    }
    # A batch's progress polled every second: 60 a minute, a fifth of the least of them.
    assert min(per_minute.values()) >= 5 * 60


def test_requests_go_on_while_the_limits_storage_is_away(tmp_path):
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    # Nothing listens there: the limits count in memory meanwhile.
    app = create_app({"DATABASE_URL": url, "RATE_LIMIT_STORAGE_URI": "redis://127.0.0.1:9/0"})
    try:
        app.config.update(RATE_LIMIT_PER_TOKEN="2 per minute")
        client = token_client(app, account(app))
        assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]
    finally:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()
