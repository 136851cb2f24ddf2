"""read model: a covering index for the dashboard's weekly "workers first sent to BPJS" (issues 21 and 26)

Revision ID: 0014_read_model
Revises: 0013_payers
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_read_model"
down_revision: str | None = "0013_payers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("assignment_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignment_history_first_sent", ["worker_id", "status", "since", "pledge_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assignment_history", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_history_first_sent")
