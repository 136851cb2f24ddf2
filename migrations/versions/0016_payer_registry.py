"""payer registry: the city allocation's workers in BPJS registration files (billed to the city) and their KPJ

Revision ID: 0016_payer_registry
Revises: 0015_read_model_v2
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016_payer_registry"
down_revision: str | None = "0015_read_model_v2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cityregistration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allocation_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("kpj_number", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("coverage_start", sa.Date(), nullable=True),
        sa.Column("coverage_end", sa.Date(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["allocation_id"], ["allocation.id"]),
        sa.ForeignKeyConstraint(["worker_id"], ["worker.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("allocation_id", "worker_id", name="uq_cityregistration_allocation_worker"),
    )
    with op.batch_alter_table("cityregistration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cityregistration_allocation_id"), ["allocation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cityregistration_worker_id"), ["worker_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cityregistration_kpj_number"), ["kpj_number"], unique=False)


def downgrade() -> None:
    op.drop_table("cityregistration")
