"""read model store: the city dashboard's figures at each data version, stored for every process (issue 26)

A server that starts, a replica that joins or a cleared cache reads the dashboard's read model from here instead
of computing it (seconds at regency scale). Not a watched table: storing does not move the data version.

Revision ID: 0017_read_model_store
Revises: 0016_payer_registry
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017_read_model_store"
down_revision: str | None = "0016_payer_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "read_model_snapshot",
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("audience", "version", "day"),
    )


def downgrade() -> None:
    op.drop_table("read_model_snapshot")
