"""Accounts: organisations (the tenants), users, API tokens, the audit log and the daily
usage counters; the records of the default tenant ("") move into the organisation "local".

On PostgreSQL a trigger refuses UPDATE and DELETE on the audit log: it is append-only for
every client of the database, not only for this application.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Where the records made before accounts go; `docgen organisations move-records` moves them
# on into another organisation.
LOCAL = "local"
TENANT_TABLES = ("documents", "municipalities", "batches")

APPEND_ONLY = """
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('municipality', 'district')", name="organisations_kind_known"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "organisation_id", sa.String(64), sa.ForeignKey("organisations.id"), nullable=False
        ),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("municipalities", sa.JSON()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deactivated_at", sa.DateTime()),
    )
    op.create_index("ix_users_organisation_id", "users", ["organisation_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime()),
        sa.Column("revoked_at", sa.DateTime()),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(32)),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("token_id", sa.String(32)),
        sa.Column("address", sa.String(64)),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("object_type", sa.String(30), nullable=False),
        sa.Column("object_id", sa.String(64)),
        sa.Column("municipality_id", sa.String(32)),
        sa.Column("details", sa.JSON()),
    )
    op.create_index("ix_audit_events_organisation_at", "audit_events", ["organisation_id", "at"])
    op.create_index("ix_audit_events_municipality_id", "audit_events", ["municipality_id"])
    op.create_table(
        "daily_usage",
        sa.Column("organisation_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("what", sa.String(20), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
    _adopt_default_tenant()


def _adopt_default_tenant() -> None:
    """Move the records of the default tenant into the organisation "local" (made only when
    there are such records)."""
    bind = op.get_bind()
    found = any(
        bind.execute(sa.text(f"SELECT 1 FROM {table} WHERE tenant = '' LIMIT 1")).first()
        for table in TENANT_TABLES
    )
    if not found:
        return
    bind.execute(
        sa.text(
            "INSERT INTO organisations (id, name, kind, created_at) "
            "VALUES (:id, :name, 'district', CURRENT_TIMESTAMP)"
        ),
        {"id": LOCAL, "name": "Local office"},
    )
    for table in TENANT_TABLES:
        bind.execute(sa.text(f"UPDATE {table} SET tenant = :id WHERE tenant = ''"), {"id": LOCAL})


def downgrade() -> None:
    bind = op.get_bind()
    for table in TENANT_TABLES:
        bind.execute(sa.text(f"UPDATE {table} SET tenant = '' WHERE tenant = :id"), {"id": LOCAL})
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("daily_usage")
    op.drop_index("ix_audit_events_municipality_id", "audit_events")
    op.drop_index("ix_audit_events_organisation_at", "audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_api_tokens_user_id", "api_tokens")
    op.drop_table("api_tokens")
    op.drop_index("ix_users_organisation_id", "users")
    op.drop_table("users")
    op.drop_table("organisations")
