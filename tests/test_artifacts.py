"""The runner stores a job's .docx as its "docx" artifact: a done job always has its outputs,
whatever fails between storing the bytes and recording the job done."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from service.domain.status import Status
from service.models import Artifact
from service.storage import MemoryStorage
from service.tasks import records
from service.tasks.runner import Runner
from tests.conftest import job, queued
from tests.docx_reading import open_docx, paragraphs


def artifact_rows(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Artifact))


def test_the_docx_is_the_jobs_docx_artifact(db, order_input):
    storage = MemoryStorage()
    document_id = queued(db, order_input)
    assert Runner(db, storage, lease_seconds=60).run_job(document_id) == Status.DONE
    record = job(db, document_id)
    (docx,) = record.artifacts
    data = storage.open(docx.key).read()
    assert (docx.document_id, docx.format, docx.size) == (document_id, "docx", len(data))
    assert docx.sha256 == hashlib.sha256(data).hexdigest() == docx.key
    assert record.artifact("docx") is docx and record.artifact("pdf") is None
    assert "БУЙРУК КЫЛАМ:" in paragraphs(open_docx(data))


class BrokenStorage(MemoryStorage):
    def put(self, data: bytes) -> str:
        raise OSError("the store is unreachable")


def test_bytes_not_stored_leave_the_job_not_done(db, order_input):
    document_id = queued(db, order_input)
    with pytest.raises(OSError):
        Runner(db, BrokenStorage(), lease_seconds=60).run_job(document_id)
    # Given back to the queue for the task's retry.
    assert job(db, document_id).status == Status.QUEUED and artifact_rows(db) == 0


def test_a_crash_while_recording_leaves_the_job_not_done_then_it_runs_again(
    db, order_input, monkeypatch
):
    storage = MemoryStorage()
    document_id = queued(db, order_input)
    finish = records.finish

    def crash_after_the_update(session, *args, **kwargs):
        assert finish(session, *args, **kwargs)
        session.flush()  # the artifact and the status are written, not yet committed
        raise ConnectionError("the database went away")

    monkeypatch.setattr(records, "finish", crash_after_the_update)
    with pytest.raises(ConnectionError):
        Runner(db, storage, lease_seconds=0).run_job(document_id)
    # Given back to the queue, undone.
    assert job(db, document_id).status == Status.QUEUED and artifact_rows(db) == 0
    assert len(storage.items) == 1  # bytes no artifact names: harmless, and reused below

    monkeypatch.setattr(records, "finish", finish)
    assert Runner(db, storage, lease_seconds=0).run_job(document_id) == Status.DONE
    record = job(db, document_id)
    assert record.status == Status.DONE and [a.format for a in record.artifacts] == ["docx"]
    assert record.attempts == 2 and len(storage.items) == 1


def test_a_duplicate_run_adds_no_second_artifact(db, order_input):
    storage = MemoryStorage()
    document_id = queued(db, order_input)
    runner = Runner(db, storage, lease_seconds=60)
    assert runner.run_job(document_id) == Status.DONE
    assert runner.run_job(document_id) is None
    with db.session() as session:
        # A late finish of a run that lost its lease changes nothing either.
        late = Artifact(format="docx", key="x" * 64, size=1, sha256="x" * 64)
        assert records.finish(session, document_id, "late.docx", [late]) is False
    assert artifact_rows(db) == 1 and job(db, document_id).filename != "late.docx"
