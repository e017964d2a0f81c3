"""Backup and restore with the documented commands (`docgen db backup FILE`, `docgen db restore
FILE`), on SQLite and on PostgreSQL: a fresh database gets the documents and their files, the
outgoing register, the accounts and the audit log back as they were."""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from service import create_app, extensions
from service.cli import main
from service.db import Database, upgrade
from service.models import AuditEvent
from tests.conftest import ORDERS, account, token_client, wait_until_finished
from tests.stack import PostgresDatabase
from tests.test_registry import MUNICIPALITIES
from tests.test_retention import _registered_order


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    """The URLs of a database to back up and of a fresh one to restore into."""
    if request.param == "sqlite":
        yield (
            f"sqlite:///{tmp_path / 'docgen.sqlite3'}",
            f"sqlite:///{tmp_path / 'restored' / 'docgen.sqlite3'}",
        )
        return
    made = [PostgresDatabase(), PostgresDatabase()]
    for database in made:
        database.create()
    try:
        yield made[0].url, made[1].url
    finally:
        for database in made:
            database.drop()


def _state(url: str, token: str, document_id: str, municipality_id: str) -> dict:
    """What a user and an auditor see of the database at `url`."""
    app = create_app({"DATABASE_URL": url})
    try:
        client = token_client(app, token)
        job = client.get(f"/api/v1/documents/{document_id}").get_json()
        file = client.get(f"/api/v1/documents/{document_id}/file").data
        register = client.get(f"{MUNICIPALITIES}/{municipality_id}/register?year=2015").get_json()
        with extensions.db(app).session() as session:
            events = [
                (e.id, e.at, e.username, e.action, e.object_id)
                for e in session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
            ]
    finally:
        extensions.dispatcher(app).shutdown()
        extensions.db(app).dispose()
    return {"job": job, "file": file, "register": register, "events": events}


def test_a_backup_restores_into_a_fresh_database(databases, tmp_path, monkeypatch, order_input):
    source, target = databases
    upgrade(source)
    app = create_app({"DATABASE_URL": source})
    token = account(app)
    client = token_client(app, token)
    municipality, order = _registered_order(client, order_input)
    made = [client.post(ORDERS, json=copy.deepcopy(order)).get_json() for _ in range(2)]
    for job in made:
        assert wait_until_finished(client, job["links"]["self"])["status"] == "done"
    assert client.delete(made[1]["links"]["self"]).status_code == 200  # withdrawn
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()
    before = _state(source, token, made[0]["id"], municipality["id"])
    assert before["file"].startswith(b"PK") and len(before["events"]) >= 5
    assert [line["status"] for line in before["register"]] == ["done", "withdrawn"]

    runner = CliRunner()
    backup = tmp_path / "backups" / "docgen.backup"
    monkeypatch.setenv("DATABASE_URL", source)
    made_backup = runner.invoke(main, ["db", "backup", str(backup)])
    assert made_backup.exit_code == 0, made_backup.output
    monkeypatch.setenv("DATABASE_URL", target)
    restored = runner.invoke(main, ["db", "restore", str(backup)])
    assert restored.exit_code == 0, restored.output

    after = _state(target, token, made[0]["id"], municipality["id"])
    # The job's status, its file, the register and the audit log, all as they were (the
    # reads of `_state` on the source added events after the backup: compare up to it).
    assert after["job"] == before["job"] and after["file"] == before["file"]
    assert after["register"] == before["register"]
    assert after["events"][: len(before["events"])] == before["events"]

    # A second restore into a database that now has tables is refused.
    again = runner.invoke(main, ["db", "restore", str(backup)])
    assert again.exit_code != 0 and "restore into a new, empty database" in again.output
    if target.startswith("postgresql"):
        # The restored audit log is still append-only.
        database = Database(target)
        try:
            with pytest.raises(sa.exc.DBAPIError), database.session() as session:
                session.execute(sa.delete(AuditEvent))
        finally:
            database.dispose()
