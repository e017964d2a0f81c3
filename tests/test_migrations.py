"""The Alembic migrations build exactly the schema the models describe, on SQLite and
PostgreSQL, and 0004 moves each done job's output into its "docx" artifact (and back)."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from service.db import downgrade, upgrade
from service.models import Base
from tests.stack import PostgresDatabase


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'm.sqlite3'}"
    postgres = PostgresDatabase()
    postgres.create()
    request.addfinalizer(postgres.drop)
    return postgres.url


def schema_diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()


def test_migrations_match_models(url):
    upgrade(url)
    assert schema_diff(url) == []


# The tables as revision 0003 left them, as much of them as the test writes.
documents = sa.table(
    "documents",
    *[sa.column(name) for name in ("id", "kind", "language", "status", "input_sha256")],
    *[sa.column(name) for name in ("filename", "output_key", "output_size", "attempts")],
    sa.column("input", sa.JSON),
    *[sa.column(name, sa.DateTime) for name in ("created_at", "updated_at", "finished_at")],
)
blobs = sa.table(
    "blobs", sa.column("key"), sa.column("data", sa.LargeBinary), sa.column("size"),
    sa.column("created_at", sa.DateTime),
)  # fmt: skip
batches = sa.table(
    "batches", sa.column("id"), sa.column("kind"), sa.column("title"),
    sa.column("shared", sa.JSON), sa.column("item_count"), sa.column("created_at", sa.DateTime),
)  # fmt: skip
batch_items = sa.table(
    "batch_items", sa.column("batch_id"), sa.column("row"), sa.column("fields", sa.JSON),
    sa.column("document_id"),
)  # fmt: skip

CREATED = datetime(2026, 11, 30, 9, 0)
FINISHED = datetime(2026, 11, 30, 9, 1)


def job(document_id: str, status: str, key: str | None = None, size: int | None = None):
    return {
        "id": document_id, "kind": "working-group-order", "language": "ky+ru",
        "status": status, "input": {"number": document_id}, "input_sha256": document_id,
        "filename": f"{document_id}.docx" if key else None, "output_key": key,
        "output_size": size, "attempts": 1, "created_at": CREATED, "updated_at": FINISHED,
        "finished_at": FINISHED if status in ("done", "failed") else None,
    }  # fmt: skip


def test_outputs_move_into_artifacts_and_back(url):
    upgrade(url, "0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.insert(blobs),
            [{"key": k, "data": k.encode(), "size": 2, "created_at": CREATED} for k in "ab"],
        )
        connection.execute(
            sa.insert(documents),
            [
                job("done-1", "done", "a", 2),
                job("done-2", "done", "b", 2),
                job("done-3", "done", "a", 2),  # the same bytes as done-1
                job("queued", "queued"),
                job("failed", "failed"),
            ],
        )
        connection.execute(
            sa.insert(batches),
            [{"id": "b", "kind": "working-group-order", "title": "", "shared": {},
              "item_count": 3, "created_at": CREATED}],
        )  # fmt: skip
        connection.execute(
            sa.insert(batch_items),
            [{"batch_id": "b", "row": n, "fields": {}, "document_id": d}
             for n, d in enumerate(["done-1", "queued", None], start=1)],
        )  # fmt: skip
    engine.dispose()

    # Rows refer to documents, whose table SQLite rebuilds with foreign keys enforced.
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        artifacts = connection.execute(
            sa.text(
                "SELECT document_id, format, key, size, sha256 FROM artifacts ORDER BY document_id"
            )
        ).all()
        columns = {c["name"] for c in sa.inspect(connection).get_columns("documents")}
        checks = {c["name"] for c in sa.inspect(connection).get_check_constraints("documents")}
        items = connection.execute(
            sa.text("SELECT row, document_id FROM batch_items ORDER BY row")
        ).all()
        statuses = dict(connection.execute(sa.text("SELECT id, status FROM documents")).all())
    engine.dispose()
    assert [tuple(a) for a in artifacts] == [
        ("done-1", "docx", "a", 2, "a"),
        ("done-2", "docx", "b", 2, "b"),
        ("done-3", "docx", "a", 2, "a"),
    ]
    assert not {"output_key", "output_size"} & columns
    assert checks == {"documents_status_known"}
    assert [tuple(i) for i in items] == [(1, "done-1"), (2, "queued"), (3, None)]
    assert statuses == {
        "done-1": "done", "done-2": "done", "done-3": "done", "queued": "queued",
        "failed": "failed",
    }  # fmt: skip
    assert schema_diff(url) == []

    downgrade(url, "0003")
    engine = create_engine(url)
    with engine.connect() as connection:
        outputs = connection.execute(
            sa.text("SELECT id, output_key, output_size FROM documents ORDER BY id")
        ).all()
        tables = sa.inspect(connection).get_table_names()
        items = connection.execute(sa.text("SELECT count(*) FROM batch_items")).scalar()
    engine.dispose()
    assert [tuple(o) for o in outputs] == [
        ("done-1", "a", 2), ("done-2", "b", 2), ("done-3", "a", 2), ("failed", None, None),
        ("queued", None, None),
    ]  # fmt: skip
    assert "artifacts" not in tables and items == 3
    upgrade(url)
    assert schema_diff(url) == []


def test_a_done_job_without_output_cannot_come_back_from_a_downgrade(url):
    """The old constraint returns with the old columns: 0003's rows all satisfy it again."""
    upgrade(url)
    downgrade(url, "0003")
    engine = create_engine(url)
    try:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(sa.insert(documents), [job("done", "done")])
    finally:
        engine.dispose()
