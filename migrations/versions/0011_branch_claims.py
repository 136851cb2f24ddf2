"""BPJS branch officers (user.branch) and the benefits BPJS paid (claim)

Revision ID: 0011_branch_claims
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011_branch_claims"
down_revision: str | None = "0009_first_visit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("programme", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("jkk_kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("paid_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["importrun.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["pledge.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["worker.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("worker_id", "programme", "event_date", "jkk_kind", name="uq_claim_event"),
    )
    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_pledge_id"), ["pledge_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_programme"), ["programme"], unique=False)
        batch_op.create_index(batch_op.f("ix_claim_worker_id"), ["worker_id"], unique=False)

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("branch", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("branch")

    with op.batch_alter_table("claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_worker_id"))
        batch_op.drop_index(batch_op.f("ix_claim_programme"))
        batch_op.drop_index(batch_op.f("ix_claim_pledge_id"))
        batch_op.drop_index(batch_op.f("ix_claim_assignment_id"))

    op.drop_table("claim")
