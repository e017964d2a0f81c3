"""Batches of documents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False, server_default=""),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("shared", sa.JSON(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime()),
    )
    op.create_index("ix_batches_tenant", "batches", ["tenant"])
    op.create_table(
        "batch_items",
        sa.Column("batch_id", sa.String(32), sa.ForeignKey("batches.id"), primary_key=True),
        sa.Column("row", sa.Integer(), primary_key=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("municipality_id", sa.String(32)),
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id")),
        sa.Column("errors", sa.JSON()),
    )


def downgrade() -> None:
    op.drop_table("batch_items")
    op.drop_index("ix_batches_tenant", "batches")
    op.drop_table("batches")
