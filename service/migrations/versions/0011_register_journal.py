"""The register as offices keep it: lines without a document (numbers taken outside the
service), who signed and who executed each act; batches uploaded as
spreadsheets (their items' errors name the columns by their labels).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("register_entries") as batch:
        batch.alter_column("document_id", existing_type=sa.String(32), nullable=True)
        batch.add_column(sa.Column("signed_by", sa.Text()))
        batch.add_column(sa.Column("executed_by", sa.Text()))
    op.add_column(
        "batches",
        sa.Column("uploaded", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # Not a batch operation: SQLite would copy `batches`, which batch_items refer to.
    op.execute("ALTER TABLE batches DROP COLUMN uploaded")
    with op.batch_alter_table("register_entries") as batch:
        batch.drop_column("executed_by")
        batch.drop_column("signed_by")
        batch.alter_column("document_id", existing_type=sa.String(32), nullable=False)
