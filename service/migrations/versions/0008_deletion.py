"""Deletion and retention: when a document was deleted (its register line stays, withdrawn),
and when retention purged its outputs and its input.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = ("deleted_at", "outputs_purged_at", "input_purged_at")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("documents", sa.Column(name, sa.DateTime()))


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("documents", name)
