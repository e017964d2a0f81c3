"""Accounts: anonymous requests are refused on every /api/v1 endpoint (but sign-in); tokens
are random, stored hashed, revocable, expiring, read-only or read-write; passwords are
Argon2id hashes; admins manage users; the command line makes the first admin, tokens, and
the local admin of `make run`; the records made before accounts move into an organisation.
"""

from __future__ import annotations

import hashlib
import stat
from datetime import timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.testing import FlaskClient

from service import accounts, cli, create_app, extensions
from service.db import upgrade
from service.models import ApiToken, AuditEvent, DocumentRecord, Municipality, User, utcnow
from service.tenancy import Role
from tests.conftest import OFFICE, ORDERS, account, token_client

PASSWORD = "correct horse battery"


@pytest.fixture
def url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def app(url):
    app = create_app({"DATABASE_URL": url})
    yield app
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


def anonymous(app) -> FlaskClient:
    return FlaskClient(app, app.response_class)


def _admin(app, username: str = "head-admin", password: str | None = PASSWORD) -> User:
    with extensions.db(app).session() as session:
        if session.get(accounts.Organisation, OFFICE) is None:
            accounts.create_organisation(session, "Office", "district", OFFICE)
        return accounts.create_admin(session, OFFICE, username, password)


def _token(app, user: User, **kwargs) -> str:
    kwargs = {"read_only": False, "expires_at": None} | kwargs
    with extensions.db(app).session() as session:
        _record, secret = accounts.issue_token(session, session.get(User, user.id), "t", **kwargs)
    return secret


def test_every_api_endpoint_refuses_an_anonymous_request(app):
    client = anonymous(app)
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "accounts.sign_in":
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<job_id:{name}>", "0" * 32).replace(f"<{name}>", "x")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method, headers={"Accept-Language": "ru"})
            assert response.status_code == 401, (method, url)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert response.get_json()["message"].startswith("Войдите в систему")
            checked += 1
    assert checked >= 25
    # Open: the probes, the API docs and the OpenAPI document; sign-in takes no token.
    for url in ("/healthz", "/readyz", "/api/openapi.json", "/api/docs"):
        assert client.get(url).status_code == 200, url
    assert (
        client.post("/api/v1/sessions", json={"username": "x", "password": "y"}).status_code == 401
    )


def test_a_token_works_until_revoked_expired_or_its_user_deactivated(app):
    user = _admin(app)
    secret = _token(app, user)
    assert secret.startswith("dgk_") and len(secret) > 40
    client = token_client(app, secret)
    assert client.get("/api/v1/me").get_json()["username"] == "head-admin"
    for bad in ("Bearer dgk_" + "0" * 43, "Basic " + secret, secret, "Bearer "):
        response = anonymous(app).get("/api/v1/municipalities", headers={"Authorization": bad})
        assert response.status_code == 401, bad
    # Only the token's SHA-256 is stored.
    with extensions.db(app).session() as session:
        stored = session.scalars(sa.select(ApiToken.token_sha256)).all()
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    assert all(secret not in value for value in stored)
    # Revoked through the API: refused from then on.
    token_id = client.get("/api/v1/tokens").get_json()[0]["id"]
    revoked = client.post(f"/api/v1/tokens/{token_id}/revoke")
    assert revoked.get_json()["state"] == "revoked"
    assert client.get("/api/v1/me").status_code == 401
    # Expired.
    expired = _token(app, user, expires_at=utcnow() - timedelta(seconds=1))
    assert token_client(app, expired).get("/api/v1/me").status_code == 401
    later = _token(app, user, expires_at=utcnow() + timedelta(days=1))
    assert token_client(app, later).get("/api/v1/me").status_code == 200


def test_a_read_only_token_only_reads(app):
    user = _admin(app)
    client = token_client(app, _token(app, user, read_only=True))
    assert client.get("/api/v1/municipalities").status_code == 200
    response = client.post(ORDERS, json={}, headers={"Accept-Language": "ky"})
    assert response.status_code == 403
    assert (
        response.get_json()["message"]
        == "Бул токен окуу үчүн гана: аны менен окууга гана болот (GET)."
    )


def test_passwords_are_argon2id_hashes_and_sign_in_gives_an_expiring_token(app):
    user = _admin(app)
    with extensions.db(app).session() as session:
        stored = session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    # The service's own profile (the tests hash with the cheapest, tests/conftest.py).
    assert accounts.DEFAULT_PROFILE.memory_cost == 64 * 1024
    assert accounts.DEFAULT_PROFILE.time_cost == 3 and accounts.DEFAULT_PROFILE.type.name == "ID"
    client = anonymous(app)
    response = client.post(
        "/api/v1/sessions", json={"username": "head-admin", "password": PASSWORD}
    )
    assert response.status_code == 201, response.get_json()
    signed_in = response.get_json()
    assert signed_in["expires_at"] is not None and signed_in["state"] == "active"
    assert token_client(app, signed_in["token"]).get("/api/v1/me").status_code == 200
    wrong = client.post("/api/v1/sessions", json={"username": "head-admin", "password": "nope"})
    assert wrong.status_code == 401
    unknown = client.post("/api/v1/sessions", json={"username": "nobody", "password": "nope"})
    assert unknown.status_code == 401
    assert unknown.get_json()["message"] == wrong.get_json()["message"]
    with extensions.db(app).session() as session:
        actions = [e.action for e in session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["signed_in", "sign_in_failed"]


def test_an_admin_adds_users_resets_passwords_and_deactivates(app):
    admin = token_client(app, _token(app, _admin(app)))
    made = admin.post(
        "/api/v1/users",
        json={"username": "clerk", "password": "first password", "roles": ["secretary"]},
    )
    assert made.status_code == 201, made.get_json()
    clerk = made.get_json()
    assert clerk["roles"] == ["secretary"] and clerk["municipalities"] is None
    taken = admin.post(
        "/api/v1/users",
        json={"username": "clerk", "password": "first password", "roles": ["admin"]},
        headers={"Accept-Language": "ru"},
    )
    assert taken.status_code == 422
    assert taken.get_json()["errors"] == {"username": ["Это имя пользователя уже занято."]}
    short = admin.post(
        "/api/v1/users", json={"username": "b", "password": "short", "roles": []}
    ).get_json()
    assert set(short["errors"]) == {"username", "password", "roles"}

    def sign_in(password: str):
        return anonymous(app).post(
            "/api/v1/sessions", json={"username": "clerk", "password": password}
        )

    session_token = sign_in("first password").get_json()["token"]
    reset = admin.post(
        f"/api/v1/users/{clerk['id']}/password", json={"password": "second password"}
    )
    assert reset.status_code == 200
    assert sign_in("first password").status_code == 401
    assert sign_in("second password").status_code == 201
    # A clerk is no admin.
    clerk_client = token_client(app, session_token)
    assert clerk_client.get("/api/v1/users").status_code == 403
    # Deactivated: no sign-in, and the tokens die with the account.
    gone = admin.post(f"/api/v1/users/{clerk['id']}/deactivate")
    assert gone.get_json()["active"] is False
    assert clerk_client.get("/api/v1/me").status_code == 401
    assert sign_in("second password").status_code == 401
    states = {t.revoked_at is not None for t in _tokens_of(app, clerk["id"])}
    assert states == {True}


def _tokens_of(app, user_id: str) -> list[ApiToken]:
    with extensions.db(app).session() as session:
        return accounts.tokens_of(session, user_id)


def test_a_user_may_only_act_for_municipalities_of_its_organisation(app):
    admin = token_client(app, account(app))
    other = token_client(app, account(app, "elsewhere"))
    theirs = other.post(
        "/api/v1/municipalities",
        json={"name": {"ky": "Башка айыл өкмөтү", "ru": "Другой айыл окмоту"},
              "head": {"name": "Асанов А.", "gender": "male",
                       "position": {"ky": "Башчы", "ru": "Глава"}}},
    ).get_json()  # fmt: skip
    response = admin.post(
        "/api/v1/users",
        json={
            "username": "clerk",
            "password": PASSWORD,
            "roles": ["secretary"],
            "municipalities": [theirs["id"]],
        },
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "municipalities": [f"Not a municipality of this organisation: {theirs['id']}."]
    }


def test_tokens_through_the_api_are_shown_once(app):
    client = token_client(app, _token(app, _admin(app)))
    made = client.post(
        "/api/v1/tokens", json={"name": "script", "read_only": True, "expires_in_days": 30}
    )
    assert made.status_code == 201
    token = made.get_json()
    assert token["read_only"] is True and token["expires_at"] is not None
    listed = {t["id"]: t for t in client.get("/api/v1/tokens").get_json()}
    assert "token" not in listed[token["id"]]
    assert token_client(app, token["token"]).get("/api/v1/me").status_code == 200


def test_command_line_makes_the_first_admin_and_tokens(url, app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", url)
    runner = CliRunner()
    made = runner.invoke(
        cli.main,
        [
            "organisations",
            "create",
            "Uch-Korgon AO",
            "--kind",
            "municipality",
            "--id",
            "uch-korgon",
        ],
    )
    assert made.exit_code == 0, made.output
    assert made.output.strip() == "uch-korgon"
    admin = runner.invoke(
        cli.main,
        ["users", "create-admin", "aibek", "--organisation", "uch-korgon"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert admin.exit_code == 0, admin.output
    assert PASSWORD not in admin.output
    issued = runner.invoke(cli.main, ["tokens", "create", "aibek", "--name", "laptop"])
    assert issued.exit_code == 0, issued.output
    secret = issued.output.strip().splitlines()[-1]
    me = token_client(app, secret).get("/api/v1/me").get_json()
    assert me["username"] == "aibek" and sorted(me["roles"]) == sorted(r.value for r in Role)
    again = runner.invoke(
        cli.main,
        ["users", "create-admin", "aibek", "--organisation", "uch-korgon"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert again.exit_code != 0 and "username" in again.output
    reset = runner.invoke(
        cli.main, ["users", "reset-password", "aibek"], input="a new password 2\na new password 2\n"
    )
    assert reset.exit_code == 0, reset.output
    signed_in = anonymous(app).post(
        "/api/v1/sessions", json={"username": "aibek", "password": "a new password 2"}
    )
    assert signed_in.status_code == 201
    gone = runner.invoke(cli.main, ["users", "deactivate", "aibek"])
    assert gone.exit_code == 0, gone.output
    assert token_client(app, secret).get("/api/v1/me").status_code == 401


def test_bootstrap_makes_a_local_admin_once_with_secrets_in_owner_only_files(
    url, app, tmp_path, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", url)
    directory = tmp_path / "var" / "local-admin"
    runner = CliRunner()
    first = runner.invoke(cli.main, ["users", "bootstrap", "--dir", str(directory)])
    assert first.exit_code == 0, first.output
    token = (directory / "token").read_text().strip()
    password = (directory / "password").read_text().strip()
    for path in (directory / "token", directory / "password"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert str(path) in first.output
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert token not in first.output and password not in first.output
    assert token_client(app, token).get("/api/v1/me").get_json()["username"] == "admin"
    signed_in = anonymous(app).post(
        "/api/v1/sessions", json={"username": "admin", "password": password}
    )
    assert signed_in.status_code == 201
    # An admin exists: nothing new is made, the files stay as they are.
    second = runner.invoke(cli.main, ["users", "bootstrap", "--dir", str(directory)])
    assert second.exit_code == 0 and "An admin exists" in second.output
    assert (directory / "token").read_text().strip() == token
    with extensions.db(app).session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_records_made_before_accounts_move_into_an_organisation(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0006")
    engine = sa.create_engine(url)
    now = utcnow().replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO municipalities (id, tenant, data, numbering_pattern, created_at, "
                "updated_at) VALUES ('m1', '', '{}', '{seq}', :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            sa.text(
                "INSERT INTO documents (id, tenant, kind, language, status, input, input_sha256, "
                "attempts, created_at, updated_at) VALUES ('d1', '', 'working-group-order', "
                "'ky+ru', 'done', '{}', 'x', 1, :now, :now)"
            ),
            {"now": now},
        )
    engine.dispose()
    upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        tenants = (
            connection.execute(
                sa.text("SELECT tenant FROM documents UNION ALL SELECT tenant FROM municipalities")
            )
            .scalars()
            .all()
        )
        organisation = connection.execute(sa.text("SELECT id, kind FROM organisations")).all()
    engine.dispose()
    assert tenants == ["local", "local"]
    assert organisation == [("local", "district")]
    # The documented command moves them on into a real organisation.
    monkeypatch.setenv("DATABASE_URL", url)
    runner = CliRunner()
    assert (
        runner.invoke(
            cli.main, ["organisations", "create", "AO", "--kind", "municipality", "--id", "ao"]
        ).exit_code
        == 0
    )
    moved = runner.invoke(cli.main, ["organisations", "move-records", "local", "ao"])
    assert moved.exit_code == 0, moved.output
    assert "1 municipalities, 1 documents, 0 batches moved" in moved.output
    app = create_app({"DATABASE_URL": url})
    try:
        with extensions.db(app).session() as session:
            assert session.get(DocumentRecord, "d1").tenant == "ao"
            assert session.get(Municipality, "m1").tenant == "ao"
    finally:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()


def test_the_openapi_document_declares_the_bearer_scheme(app):
    spec = anonymous(app).get("/api/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A per-user API token (dgk_…)",
    }  # fmt: skip
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/api/v1/sessions"]["post"]["security"] == []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            if path.startswith("/api/v1/") and path != "/api/v1/sessions":
                assert "security" not in operation, (method, path)
                assert "401" in operation["responses"], (method, path)
