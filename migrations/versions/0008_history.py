"""state history of pledges and assignments (issue 21), backfilled from the timestamps rows carry

Revision ID: 0008_history
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_history"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pledge_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["pledge_id"], ["pledge.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pledge_history_open", "pledge_history", ["pledge_id", "until"], unique=False)
    op.create_table(
        "assignment_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("kelurahan_code", sqlmodel.sql.sqltypes.AutoString(length=13), nullable=False),
        sa.Column("coverage_start", sa.Date(), nullable=True),
        sa.Column("coverage_end", sa.Date(), nullable=True),
        sa.Column("carried", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assignment_history_open", "assignment_history", ["assignment_id", "until"], unique=False)
    op.create_index("ix_assignment_history_worker", "assignment_history", ["worker_id", "until"], unique=False)
    op.create_index(
        "ix_assignment_history_period",
        "assignment_history",
        [
            "until",
            "status",
            "since",
            "pledge_id",
            "kelurahan_code",
            "coverage_start",
            "coverage_end",
            "carried",
            "worker_id",
        ],
        unique=False,
    )
    # Rows written before this revision get the history their timestamps tell (services/platform/history.py).
    from services.platform.history import backfill

    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_assignment_history_period", table_name="assignment_history")
    op.drop_index("ix_assignment_history_worker", table_name="assignment_history")
    op.drop_index("ix_assignment_history_open", table_name="assignment_history")
    op.drop_table("assignment_history")
    op.drop_index("ix_pledge_history_open", table_name="pledge_history")
    op.drop_table("pledge_history")
