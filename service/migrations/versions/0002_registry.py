"""Municipality registry and the outgoing register.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "municipalities",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("tenant", sa.String(64), nullable=False, server_default=""),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("numbering_pattern", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_municipalities_tenant", "municipalities", ["tenant"])
    op.create_table(
        "register_counters",
        sa.Column(
            "municipality_id", sa.String(32), sa.ForeignKey("municipalities.id"), primary_key=True
        ),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last_seq", sa.Integer(), nullable=False),
    )
    op.create_table(
        "register_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "municipality_id", sa.String(32), sa.ForeignKey("municipalities.id"), nullable=False
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(100), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("document_id", sa.String(32), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("municipality_id", "year", "seq", name="register_entries_unique_seq"),
    )
    op.create_index("ix_register_entries_municipality_id", "register_entries", ["municipality_id"])
    op.create_index("ix_register_entries_document_id", "register_entries", ["document_id"])
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("municipality_id", sa.String(32)))
        batch.create_foreign_key(
            "fk_documents_municipality_id", "municipalities", ["municipality_id"], ["id"]
        )
        batch.create_index("ix_documents_municipality_id", ["municipality_id"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_municipality_id")
        batch.drop_constraint("fk_documents_municipality_id", type_="foreignkey")
        batch.drop_column("municipality_id")
    op.drop_table("register_entries")
    op.drop_table("register_counters")
    op.drop_index("ix_municipalities_tenant", "municipalities")
    op.drop_table("municipalities")
