"""first visit: a company may withdraw its decline of the letter (the city keeps both events)

Revision ID: 0009_first_visit
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009_first_visit"
down_revision: str | None = "0008_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("letterrecipient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decline_withdrawn_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("letterrecipient", schema=None) as batch_op:
        batch_op.drop_column("decline_withdrawn_at")
