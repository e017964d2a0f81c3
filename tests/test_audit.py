"""The audit log: who created, downloaded, cancelled, changed or signed in, when, from which
address, with which token; filtered and exported (CSV, XLSX) by admins; append-only (no
path in the application changes an event, and on PostgreSQL a trigger refuses to)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import psycopg
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from service import audit
from service.db import Database, upgrade
from service.models import AuditEvent, utcnow
from service.tenancy import Role
from tests.conftest import EXAMPLES, ORDERS, account, token_client, wait_until_finished
from tests.stack import PostgresDatabase

MUNICIPALITIES = "/api/v1/municipalities"
BISHKEK = audit.BISHKEK


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _events(client, **query) -> list[dict]:
    response = client.get("/api/v1/audit", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_what_is_done_is_logged_with_who_where_and_which_token(app):
    token = account(app, "audited")
    client = token_client(app, token)
    client.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    me = client.get("/api/v1/me").get_json()
    order = _example("uch-korgon-order")
    municipality = {"name": order["issuer"]["body"], "head": order["issuer"]["head"]}
    made = client.post(MUNICIPALITIES, json=municipality).get_json()
    changed = {**municipality, "numbering_pattern": "03-12/{seq}"}
    assert client.put(f"{MUNICIPALITIES}/{made['id']}", json=changed).status_code == 200
    del order["issuer"], order["number"], order["act"]
    job = client.post(ORDERS, json={**order, "municipality_id": made["id"]}).get_json()
    assert wait_until_finished(client, job["links"]["self"])["status"] == "done"
    assert client.get(job["links"]["file"]).status_code == 200
    assert client.get(f"{MUNICIPALITIES}/{made['id']}/register?format=csv").status_code == 200
    batch = _example("sverdlovsky-batch")
    batch["items"] = batch["items"][:1]
    batch_id = client.post("/api/v1/batches", json=batch).get_json()["id"]
    assert client.post(f"/api/v1/batches/{batch_id}/cancel").status_code == 200

    events = _events(client)
    assert [(e["action"], e["object_type"]) for e in events] == [
        ("created", "municipality"),
        ("changed", "municipality"),
        ("created", "document"),
        ("downloaded", "document"),
        ("exported", "register"),
        ("created", "batch"),
        ("cancelled", "batch"),
    ]
    assert events[1]["details"] == {"fields": ["numbering_pattern"]}
    assert events[3]["object_id"] == job["id"] and events[3]["municipality_id"] == made["id"]
    token_id = client.get("/api/v1/tokens").get_json()[0]["id"]
    for event in events:
        assert event["username"] == me["username"] and event["user_id"] == me["id"]
        assert event["token_id"] == token_id and event["address"] == "10.1.2.3"
        assert event["at"].endswith("+06:00")  # Asia/Bishkek


def test_the_log_is_filtered_by_day_user_and_municipality_and_exported(app):
    organisation = "filtered"
    admin = token_client(app, account(app, organisation))
    other = token_client(app, account(app, organisation, roles={Role.SECRETARY}))
    stranger = token_client(app, account(app, "stranger"))
    order = _example("uch-korgon-order")
    municipality = {"name": order["issuer"]["body"], "head": order["issuer"]["head"]}
    first = admin.post(MUNICIPALITIES, json=municipality).get_json()["id"]
    second = admin.post(MUNICIPALITIES, json=municipality).get_json()["id"]
    assert other.put(f"{MUNICIPALITIES}/{second}", json=municipality).status_code == 200
    stranger.post(MUNICIPALITIES, json=municipality)
    other_id = other.get("/api/v1/me").get_json()["id"]

    everything = _events(admin)
    assert len(everything) == 3  # not the stranger's
    assert [e["object_id"] for e in _events(admin, municipality_id=first)] == [first]
    assert [e["action"] for e in _events(admin, user_id=other_id)] == ["changed"]
    today = datetime.now(BISHKEK).date()
    assert len(_events(admin, since=today.isoformat(), until=today.isoformat())) == 3
    assert _events(admin, until=(today - timedelta(days=1)).isoformat()) == []
    assert _events(admin, since=(today + timedelta(days=1)).isoformat()) == []

    exported = admin.get("/api/v1/audit", query_string={"format": "csv", "user_id": other_id})
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"] == "attachment; filename=audit.csv"
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "at", "username"]
    assert [row[6] for row in rows[1:]] == ["changed"]
    workbook = admin.get("/api/v1/audit?format=xlsx")
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 4 and values[1][6] == "created"
    # Admins only.
    assert other.get("/api/v1/audit").status_code == 403
    bad = admin.get("/api/v1/audit?since=yesterday")
    assert bad.status_code == 422 and "since" in json.dumps(bad.get_json()["errors"])


def test_the_application_has_no_way_to_change_or_delete_an_event():
    public = {name for name in dir(audit) if not name.startswith("_")}
    assert not {n for n in public if any(w in n for w in ("update", "delete", "remove", "edit"))}


@pytest.fixture
def postgres_url():
    database = PostgresDatabase()
    database.create()
    upgrade(database.url)
    yield database.url
    database.drop()


def test_on_postgresql_a_trigger_refuses_update_and_delete(postgres_url):
    database = Database(postgres_url)
    try:
        with database.session() as session:
            actor = audit.Actor("office", None, "someone", None, "10.0.0.1")
            audit.record(session, actor, "signed_in", "user", "u1")
        for statement in (
            sa.update(AuditEvent).values(username="someone else"),
            sa.delete(AuditEvent),
            sa.text("TRUNCATE audit_events"),
        ):
            with pytest.raises(sa.exc.DBAPIError) as refused, database.session() as session:
                session.execute(statement)
            assert isinstance(refused.value.orig, psycopg.errors.RaiseException)
            assert "append-only" in str(refused.value.orig)
        with database.session() as session:
            kept = session.scalars(sa.select(AuditEvent)).all()
        assert [(e.username, e.address) for e in kept] == [("someone", "10.0.0.1")]
        assert kept[0].at <= utcnow()
    finally:
        database.dispose()
