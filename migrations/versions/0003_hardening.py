"""security hardening (audit log append-only, login throttling)

Revision ID: 0003
Revises: 0002

The audit log is made append-only by triggers that raise on UPDATE, DELETE (row level) and TRUNCATE (statement
level, PostgreSQL). A trigger rather than only REVOKE because it holds whoever connects — also when, as in the
demo, the tests and small installs, the owner of the tables and the application are one role; REVOKE alone
would not bind a table's owner. In production the application connects as a separate role that does not own
the tables (docs/deploy.md), so it can neither drop nor disable the trigger; that role is granted INSERT and
SELECT on auditlog only. PUBLIC loses UPDATE, DELETE and TRUNCATE here as well.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_MESSAGE = "auditlog is append-only: rows cannot be changed or removed"

PG_UPGRADE = [
    f"""
    CREATE OR REPLACE FUNCTION payung_auditlog_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    """
    CREATE TRIGGER auditlog_no_update_delete BEFORE UPDATE OR DELETE ON auditlog
    FOR EACH ROW EXECUTE FUNCTION payung_auditlog_append_only()
    """,
    """
    CREATE TRIGGER auditlog_no_truncate BEFORE TRUNCATE ON auditlog
    FOR EACH STATEMENT EXECUTE FUNCTION payung_auditlog_append_only()
    """,
    "REVOKE UPDATE, DELETE, TRUNCATE ON auditlog FROM PUBLIC",
]
PG_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS auditlog_no_truncate ON auditlog",
    "DROP TRIGGER IF EXISTS auditlog_no_update_delete ON auditlog",
    "DROP FUNCTION IF EXISTS payung_auditlog_append_only()",
]
SQLITE_UPGRADE = [
    f"""
    CREATE TRIGGER auditlog_no_update BEFORE UPDATE ON auditlog
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER auditlog_no_delete BEFORE DELETE ON auditlog
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
    """,
]
SQLITE_DOWNGRADE = ["DROP TRIGGER IF EXISTS auditlog_no_update", "DROP TRIGGER IF EXISTS auditlog_no_delete"]


def upgrade() -> None:
    op.create_table(
        "loginthrottle",
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("client_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", "client_key"),
    )
    with op.batch_alter_table("loginthrottle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loginthrottle_updated_at"), ["updated_at"], unique=False)
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in PG_UPGRADE if postgres else SQLITE_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in PG_DOWNGRADE if postgres else SQLITE_DOWNGRADE:
        op.execute(statement)
    with op.batch_alter_table("loginthrottle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loginthrottle_updated_at"))
    op.drop_table("loginthrottle")
