"""Warnings stored with each document job (names that could not be read, forms guessed), so
that its status shows them after the submission's response.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: a job recorded before this revision has no stored warnings (none shown).
    op.add_column("documents", sa.Column("warnings", sa.JSON()))


def downgrade() -> None:
    op.drop_column("documents", "warnings")
