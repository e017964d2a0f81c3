"""Deletion and retention: a deleted document loses its input and files and keeps its register
line, withdrawn; the retention setting purges old files, and inputs no later document needs;
both audited; times shown in Asia/Bishkek time."""

from __future__ import annotations

import copy
import io
import json
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from service import extensions, retention
from service.cli import main
from service.models import Artifact, AuditEvent, Blob, DocumentRecord
from service.storage import MissingBlob
from tests.conftest import (
    EXAMPLES,
    ORDERS,
    account,
    authorized,
    token_client,
    wait_until_finished,
)
from tests.test_registry import MUNICIPALITIES, create

PLANS = "/api/v1/documents/joint-plans"
REPORTS = "/api/v1/documents/annual-reports"
RU = {"Accept-Language": "ru"}


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _done(client, url: str, payload: dict) -> dict:
    response = client.post(url, json=payload)
    assert response.status_code == 202, response.get_json()
    status = wait_until_finished(client, response.get_json()["links"]["self"])
    assert status["status"] == "done", status
    return status


def _registered_order(client, order_input) -> tuple[dict, dict]:
    """A municipality of the registry and an order numbered by it."""
    issuer = order_input["issuer"]
    municipality = create(
        client,
        {
            "name": issuer["body"],
            "country": issuer["country"],
            "region": issuer["region"],
            "district": issuer["district"],
            "head": issuer["head"],
            "act": {"ky": "БУЙРУК", "ru": "РАСПОРЯЖЕНИЕ"},
            "numbering_pattern": "03-12/{seq}-Б",
        },
    )
    del order_input["issuer"], order_input["number"], order_input["act"]
    order_input["municipality_id"] = municipality["id"]
    return municipality, order_input


def test_a_deleted_document_keeps_its_register_line_withdrawn(app, order_input):
    client = app.test_client()
    municipality, order = _registered_order(client, order_input)
    first = _done(client, ORDERS, copy.deepcopy(order))
    second = _done(client, ORDERS, copy.deepcopy(order))
    key = first["artifacts"][0]["sha256"]
    url = first["links"]["self"]

    deleted = client.delete(url)
    assert deleted.status_code == 200, deleted.get_json()
    body = deleted.get_json()
    assert body["status"] == "done" and body["deleted_at"].endswith("+06:00")
    assert "file" not in body["links"]
    gone = client.get(f"{url}/file", headers=RU)
    assert gone.status_code == 410
    assert gone.get_json()["message"].startswith("Документ удалён ")
    # Again: nothing changes, the same answer.
    again = client.delete(url).get_json()
    assert again["deleted_at"] == body["deleted_at"]

    register = client.get(f"{MUNICIPALITIES}/{municipality['id']}/register?year=2015")
    lines = {line["document_id"]: line for line in register.get_json()}
    assert lines[first["id"]]["status"] == "withdrawn"
    assert lines[second["id"]]["status"] == "done"
    # The number stays taken: the next order takes the next one, not the withdrawn one's.
    third = _done(client, ORDERS, copy.deepcopy(order))
    numbers = [line["seq"] for line in client.get(register.request.url).get_json()]
    assert numbers == [1, 2, 3] and third["filename"] != first["filename"]

    with extensions.db(app).session() as session:
        record = session.get(DocumentRecord, first["id"])
        assert record.input is None and record.warnings is None
        assert session.scalars(select(Artifact).filter_by(document_id=first["id"])).all() == []
        events = session.scalars(
            select(AuditEvent).filter_by(action="deleted", object_id=first["id"])
        ).all()
        named = session.scalar(select(Artifact.key).filter_by(key=key))
    assert len(events) == 1 and events[0].details["kind"] == "working-group-order"
    if named is None:  # no other document of the database has the same bytes
        with pytest.raises(MissingBlob):
            extensions.storage(app).open(key)
    # The other documents keep theirs.
    assert client.get(second["links"]["file"]).status_code == 200


def test_deletion_is_for_the_documents_own_and_writers(app, order_input):
    client = app.test_client()
    order = _done(client, ORDERS, order_input)
    url = order["links"]["self"]
    elsewhere = token_client(app, account(app, "another-office"))
    assert elsewhere.delete(url).status_code == 404
    reader = token_client(app, account(app, read_only=True))
    assert reader.delete(url).status_code == 403
    coordinator = token_client(app, account(app, roles={"coordinator"}))
    assert coordinator.delete(url).status_code == 404  # orders are the secretary's
    assert client.get(order["links"]["file"]).status_code == 200


def test_a_document_being_made_cannot_be_deleted(tmp_path, order_input):
    from service import create_app
    from service.db import upgrade
    from service.tasks import records
    from tests.conftest import LOCAL

    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url})
    authorized(app)
    with extensions.db(app).session() as session:
        record, _ = records.submit(
            session, "working-group-order", order_input, "ky+ru", scope=LOCAL
        )
    response = app.test_client().delete(f"/api/v1/documents/{record.id}", headers=RU)
    assert response.status_code == 409
    assert "ещё составляется" in response.get_json()["message"]
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


def _age(app, document_id: str, days: int) -> None:
    past = datetime.now(UTC) - timedelta(days=days)
    with extensions.db(app).session() as session:
        session.execute(
            update(DocumentRecord)
            .where(DocumentRecord.id == document_id)
            .values(finished_at=past, created_at=past)
        )


def test_retention_purges_files_and_the_inputs_no_later_document_needs(app, order_input):
    client = app.test_client()
    report_input = _example("uch-korgon-report")
    plan = _done(client, PLANS, report_input.pop("plan"))
    report_input["plan_id"] = plan["id"]
    report = _done(client, REPORTS, report_input)
    order = _done(client, ORDERS, order_input)
    fresh = _done(client, ORDERS, order_input | {"number": "146-В"})
    for document in (plan, order):
        _age(app, document["id"], days=40)
    db, storage = extensions.db(app), extensions.storage(app)

    preview = retention.purge_expired(db, storage, 30, dry_run=True)
    assert sorted(preview.outputs) == sorted([plan["id"], order["id"]])
    # The plan's input stays while the report on it keeps its own.
    assert preview.inputs == [order["id"]]
    with db.session() as session:
        assert session.get(DocumentRecord, order["id"]).outputs_purged_at is None

    done = retention.purge_expired(db, storage, 30)
    assert (sorted(done.outputs), done.inputs) == (sorted(preview.outputs), preview.inputs)
    # A blob goes once no artifact names it (equal documents, of other tests too, share one).
    with db.session() as session:
        for document in (plan, order):
            still_named = session.scalar(select(Artifact.key).filter_by(key=document["sha256"]))
            stored = session.scalar(select(Blob.key).filter_by(key=document["sha256"]))
            assert (stored is None) == (still_named is None)
    purged = client.get(f"/api/v1/documents/{order['id']}/file", headers=RU)
    assert purged.status_code == 410 and "хранения" in purged.get_json()["message"]
    status = client.get(f"/api/v1/documents/{order['id']}").get_json()
    assert status["outputs_purged_at"].endswith("+06:00") and status["input_purged_at"]
    assert client.get(fresh["links"]["file"]).status_code == 200
    assert client.get(report["links"]["file"]).status_code == 200
    # A report can still be drafted from the plan whose files were purged.
    assert client.get(f"/api/v1/documents/{plan['id']}/report-draft").status_code == 200

    # Once the report is old too, it and then its plan lose their inputs, in one run.
    _age(app, report["id"], days=40)
    later = retention.purge_expired(db, storage, 30)
    assert sorted(later.inputs) == sorted([plan["id"], report["id"]])
    assert later.outputs == [report["id"]]
    draft = client.get(f"/api/v1/documents/{plan['id']}/report-draft", headers=RU)
    assert draft.status_code == 410
    another = _example("uch-korgon-report")
    del another["plan"]
    refused = client.post(REPORTS, json=another | {"plan_id": plan["id"]})
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["plan_id"]
    with db.session() as session:
        events = session.scalars(select(AuditEvent).filter_by(action="purged")).all()
        assert {e.username for e in events} == {retention.RETENTION_ACTOR}
        assert sorted(e.object_id for e in events) == sorted(
            [plan["id"], order["id"], plan["id"], report["id"]]
        )
        still_named = session.scalar(select(Artifact.key).filter_by(key=report["sha256"]))
        stored = session.scalar(select(Blob.key).filter_by(key=report["sha256"]))
        assert (stored is None) == (still_named is None)
    assert retention.purge_expired(db, storage, 30) == retention.Purge([], [])


def test_a_report_cannot_be_made_from_a_deleted_plan(app):
    client = app.test_client()
    report_input = _example("uch-korgon-report")
    plan = _done(client, PLANS, report_input.pop("plan"))
    assert client.delete(plan["links"]["self"]).status_code == 200
    report_input["plan_id"] = plan["id"]
    refused = client.post(REPORTS, json=report_input, headers=RU)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["plan_id"] == [
        "Этот совместный план удалён или его входные данные стёрты: отчёт по нему составить нельзя."
    ]


def test_a_batch_with_a_deleted_document_still_gives_its_archive(app):
    client = app.test_client()
    batch = _example("sverdlovsky-batch")
    batch["items"] = batch["items"][:2]
    made = client.post("/api/v1/batches", json=batch)
    assert made.status_code == 202, made.get_json()
    url = made.get_json()["links"]["self"]
    for _ in range(1200):
        progress = client.get(url).get_json()
        if progress["finished"]:
            break
        time.sleep(0.05)
    first = progress["items"][0]["document_id"]
    assert client.delete(f"/api/v1/documents/{first}").status_code == 200
    archive = client.get(f"{url}/archive")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.data)) as package:
        names = package.namelist()
        manifest = package.read("manifest.csv").decode("utf-8-sig")
    assert len(names) == 3  # one document and the manifest (CSV and XLSX)
    assert "withdrawn" in manifest.splitlines()[1]


def test_retention_from_the_command_line(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    kept = runner.invoke(main, ["retention", "purge"])
    assert kept.exit_code == 0 and "everything is kept" in kept.output
    monkeypatch.setenv("RETENTION_DAYS", "30")
    dry = runner.invoke(main, ["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would purge: files of 0 documents, inputs of 0" in dry.output
