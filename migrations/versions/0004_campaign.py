"""campaign desk (letters, recipients, accounts, responses, reminders)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outboxmessage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("by_username", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["recipient_id"], ["letterrecipient.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outboxmessage_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outboxmessage_recipient_id"), ["recipient_id"], unique=False)

    op.create_table(
        "recipientcontact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("by_user_id", sa.Integer(), nullable=True),
        sa.Column("by_username", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["by_user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["recipient_id"], ["letterrecipient.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recipientcontact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recipientcontact_recipient_id"), ["recipient_id"], unique=False)

    # Existing rows get the defaults (server_default), so the migration runs on a populated database.
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_days", sa.Integer(), nullable=False, server_default="14"))
        batch_op.add_column(sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site_approximate", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("letterrecipient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(sa.Column("declined_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("decline_reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("decline_note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default="")
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")

    with op.batch_alter_table("letterrecipient", schema=None) as batch_op:
        batch_op.drop_column("decline_note")
        batch_op.drop_column("decline_reason")
        batch_op.drop_column("declined_at")
        batch_op.drop_column("send_channel")

    with op.batch_alter_table("company", schema=None) as batch_op:
        batch_op.drop_column("site_approximate")

    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("escalation_days")

    with op.batch_alter_table("recipientcontact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recipientcontact_recipient_id"))
    op.drop_table("recipientcontact")

    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outboxmessage_recipient_id"))
        batch_op.drop_index(batch_op.f("ix_outboxmessage_created_at"))
    op.drop_table("outboxmessage")
