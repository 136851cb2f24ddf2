"""read model v2: the data version every process reads (issue 26)

One row (`data_version`, id 1) whose counter is raised in the same transaction as every commit that writes a row
the read side counts, so a CLI import or another replica invalidates every process's caches.

Revision ID: 0015_read_model_v2
Revises: 0014_read_model
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_read_model_v2"
down_revision: str | None = "0014_read_model"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO data_version (id, version) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("data_version")
