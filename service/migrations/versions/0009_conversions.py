"""Conversions: each output of a job besides its .docx (a PDF) is made by a unit of work of
its own, on its own queue, with its own status, holder, lease and hand-off (as documents
have); a job asks for its formats and PDF profile.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("formats", sa.JSON()))
    op.add_column("documents", sa.Column("pdf_profile", sa.String(20)))
    op.create_table(
        "conversions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("pdf_profile", sa.String(20)),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("error", sa.JSON()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(32)),
        sa.Column("lease_renewed_at", sa.DateTime()),
        sa.Column("enqueued_at", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime()),
        sa.Column("finished_at", sa.DateTime()),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')",
            name="conversions_status_known",
        ),
        sa.UniqueConstraint("document_id", "format", name="conversions_one_per_format"),
    )
    op.create_index("ix_conversions_document_id", "conversions", ["document_id"])
    op.create_index("ix_conversions_status", "conversions", ["status"])
    op.create_index("ix_conversions_worker_id", "conversions", ["worker_id"])


def downgrade() -> None:
    op.drop_index("ix_conversions_worker_id", "conversions")
    op.drop_index("ix_conversions_status", "conversions")
    op.drop_index("ix_conversions_document_id", "conversions")
    op.drop_table("conversions")
    op.drop_column("documents", "pdf_profile")
    op.drop_column("documents", "formats")
