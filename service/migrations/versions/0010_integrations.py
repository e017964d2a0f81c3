"""Integrations: callbacks (webhooks) of jobs and batches with their delivery attempts, each
organisation's webhook secret, and the idempotency keys of POSTs other than documents'.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as table:
        table.add_column(sa.Column("webhook_secret", sa.String(100)))
        table.add_column(sa.Column("webhook_secret_created_at", sa.DateTime()))
    op.create_table(
        "callbacks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id")),
        sa.Column("batch_id", sa.String(32), sa.ForeignKey("batches.id")),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("event", sa.String(30)),
        sa.Column("body", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime()),
        sa.Column("locked_until", sa.DateTime()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime()),
        sa.CheckConstraint(
            "status IN ('waiting', 'pending', 'delivered', 'failed')",
            name="callbacks_status_known",
        ),
    )
    op.create_index("ix_callbacks_tenant", "callbacks", ["tenant"])
    op.create_index("ix_callbacks_document_id", "callbacks", ["document_id"])
    op.create_index("ix_callbacks_batch_id", "callbacks", ["batch_id"])
    op.create_index("ix_callbacks_status_next", "callbacks", ["status", "next_attempt_at"])
    op.create_table(
        "idempotent_requests",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("endpoint", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idempotent_requests")
    op.drop_index("ix_callbacks_status_next", "callbacks")
    op.drop_index("ix_callbacks_batch_id", "callbacks")
    op.drop_index("ix_callbacks_document_id", "callbacks")
    op.drop_index("ix_callbacks_tenant", "callbacks")
    op.drop_table("callbacks")
    with op.batch_alter_table("organisations") as table:
        table.drop_column("webhook_secret_created_at")
        table.drop_column("webhook_secret")
