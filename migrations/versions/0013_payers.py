"""payers: the month-by-month payer ledger (one payer per worker-month) and the city's budget allocation

Revision ID: 0013_payers
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013_payers"
down_revision: str | None = "0011_branch_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("budget_line", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("perwal_number", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("amount_rupiah", sa.Integer(), nullable=True),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("start_month", sa.Date(), nullable=False),
        sa.Column("end_month", sa.Date(), nullable=False),
        sa.Column("premium_per_worker_month", sa.Integer(), nullable=False),
        sa.Column("kecamatan_quotas", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("filled", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("committed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_year"), ["year"], unique=False)

    op.create_table(
        "covermonth",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("payer", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("programme", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("allocation_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["allocation_id"], ["allocation.id"]),
        sa.ForeignKeyConstraint(["assignment_id"], ["assignment.id"]),
        sa.ForeignKeyConstraint(["import_id"], ["importrun.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["worker.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("worker_id", "month", name="uq_covermonth_worker_month"),
    )
    with op.batch_alter_table("covermonth", schema=None) as batch_op:
        batch_op.create_index("ix_covermonth_month_payer", ["month", "payer"], unique=False)
        batch_op.create_index(batch_op.f("ix_covermonth_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_covermonth_allocation_id"), ["allocation_id"], unique=False)

    # Months for the cover that exists already: holding assignments and workers marked covered elsewhere.
    from sqlmodel import Session

    from services.platform.ledger import backfill

    with Session(bind=op.get_bind()) as session:
        backfill(session=session)
        session.flush()


def downgrade() -> None:
    op.drop_table("covermonth")
    op.drop_table("allocation")
