"""Worker heartbeats: a `workers` table; on each job its holder, its lease and its last
hand-off to the broker (dead workers' jobs and lost messages recovered in seconds).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("hostname", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_workers_last_seen", "workers", ["last_seen"])
    # Both nullable: a job recorded before this revision has no holder and was never
    # handed over as far as the recovery knows, so it is sent once more (the claim keeps
    # it made once).
    op.add_column("documents", sa.Column("worker_id", sa.String(32)))
    op.add_column("documents", sa.Column("enqueued_at", sa.DateTime()))
    op.add_column("documents", sa.Column("lease_renewed_at", sa.DateTime()))
    op.create_index("ix_documents_worker_id", "documents", ["worker_id"])


def downgrade() -> None:
    op.drop_index("ix_documents_worker_id", "documents")
    op.drop_column("documents", "lease_renewed_at")
    op.drop_column("documents", "enqueued_at")
    op.drop_column("documents", "worker_id")
    op.drop_index("ix_workers_last_seen", "workers")
    op.drop_table("workers")
