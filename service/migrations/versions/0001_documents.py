"""Document jobs and content-addressed blobs (times are UTC, stored without zone).

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False, server_default=""),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("input_sha256", sa.String(64), nullable=False),
        sa.Column("idempotency_key", sa.String(255)),
        sa.Column("filename", sa.String(255)),
        sa.Column("output_key", sa.String(64)),
        sa.Column("output_size", sa.Integer()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.JSON()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime()),
        sa.Column("finished_at", sa.DateTime()),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name="documents_status_known",
        ),
        sa.CheckConstraint(
            "status <> 'done' OR output_key IS NOT NULL", name="documents_done_has_output"
        ),
        sa.UniqueConstraint("tenant", "idempotency_key", name="documents_idempotency"),
    )
    op.create_index("ix_documents_tenant", "documents", ["tenant"])
    op.create_index("ix_documents_status", "documents", ["status"])
    op.create_table(
        "blobs",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("blobs")
    op.drop_index("ix_documents_status", "documents")
    op.drop_index("ix_documents_tenant", "documents")
    op.drop_table("documents")
