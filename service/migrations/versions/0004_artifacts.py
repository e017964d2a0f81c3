"""A job's outputs become artifacts, one per format (the .docx today, a PDF later).

Each done job's `documents.output_key/output_size` becomes its "docx" artifact (the key is
the sha256 of the bytes: storage is content-addressed), then the columns and the constraint
"done ⇒ output present" go; the runner now writes the artifacts and the status in one
transaction.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "artifacts",
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("format", sa.String(10), primary_key=True),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("size >= 0", name="artifacts_size_known"),
    )
    op.create_index("ix_artifacts_key", "artifacts", ["key"])
    op.execute(
        "INSERT INTO artifacts (document_id, format, key, size, sha256, created_at) "
        "SELECT id, 'docx', output_key, output_size, output_key, "
        "COALESCE(finished_at, updated_at) FROM documents WHERE output_key IS NOT NULL"
    )
    with _documents_rebuilt() as batch:
        batch.drop_constraint("documents_done_has_output", type_="check")
        batch.drop_column("output_key")
        batch.drop_column("output_size")


def downgrade() -> None:
    with _documents_rebuilt() as batch:
        batch.add_column(sa.Column("output_key", sa.String(64)))
        batch.add_column(sa.Column("output_size", sa.Integer()))
    op.execute(
        "UPDATE documents SET "
        "output_key = (SELECT key FROM artifacts a "
        "WHERE a.document_id = documents.id AND a.format = 'docx'), "
        "output_size = (SELECT size FROM artifacts a "
        "WHERE a.document_id = documents.id AND a.format = 'docx')"
    )
    with _documents_rebuilt() as batch:
        batch.create_check_constraint(
            "documents_done_has_output", "status <> 'done' OR output_key IS NOT NULL"
        )
    op.drop_index("ix_artifacts_key", "artifacts")
    op.drop_table("artifacts")


@contextmanager
def _documents_rebuilt():
    """`documents` altered in batch mode: PostgreSQL alters it in place; SQLite (which cannot
    drop a CHECK or a column named in one) copies it, drops it and renames the copy.

    With foreign keys enforced, SQLite counts every row that refers to the dropped table as
    a violation, and the copy renamed in its place does not undo the count: so the rows that
    refer to documents wait in temporary tables meanwhile, and come back once it is rebuilt.
    """
    bind = op.get_bind()
    referring = []
    if bind.dialect.name == "sqlite":
        inspector = sa.inspect(bind)
        referring = [
            table
            for table in inspector.get_table_names()
            if any(fk["referred_table"] == "documents" for fk in inspector.get_foreign_keys(table))
        ]
    for table in referring:
        op.execute(f"CREATE TEMP TABLE _moved_{table} AS SELECT * FROM {table}")
        op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table("documents") as batch:
        yield batch
    for table in referring:
        op.execute(f"INSERT INTO {table} SELECT * FROM _moved_{table}")
        op.execute(f"DROP TABLE _moved_{table}")
