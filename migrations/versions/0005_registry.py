"""worker registry and BPJS loop (imports, covered elsewhere, registration, KPJ)

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WORKER_IMPORT_FK = "fk_worker_import_id_importrun"


def upgrade() -> None:
    op.create_table(
        "importrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("read", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("blank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("importrun", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_importrun_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_importrun_sha256"), ["sha256"], unique=False)

    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_assignment_kpj_number"), ["kpj_number"], unique=False)
        batch_op.create_index("ix_assignment_status_end", ["status", "coverage_end"], unique=False)

    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.create_index("ix_auditlog_entity", ["entity", "entity_id"], unique=False)

    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("covered_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("covered_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("location_estimated", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_worker_covered", ["covered_elsewhere", "covered_until"], unique=False)
        batch_op.create_index("ix_worker_desil", ["desil"], unique=False)
        batch_op.create_index("ix_worker_name_id", ["name", "id"], unique=False)
        batch_op.create_foreign_key(_WORKER_IMPORT_FK, "importrun", ["import_id"], ["id"])
    # The defaults only filled existing rows; the models set the values from now on (as autogenerate expects).
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.alter_column("covered_by", server_default=None)
        batch_op.alter_column("location_estimated", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_constraint(_WORKER_IMPORT_FK, type_="foreignkey")
        batch_op.drop_index("ix_worker_name_id")
        batch_op.drop_index("ix_worker_desil")
        batch_op.drop_index("ix_worker_covered")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("import_id")
        batch_op.drop_column("location_estimated")
        batch_op.drop_column("covered_until")
        batch_op.drop_column("covered_by")

    with op.batch_alter_table("auditlog", schema=None) as batch_op:
        batch_op.drop_index("ix_auditlog_entity")

    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_status_end")
        batch_op.drop_index(batch_op.f("ix_assignment_kpj_number"))
        batch_op.drop_column("registered_at")

    with op.batch_alter_table("importrun", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_importrun_sha256"))
        batch_op.drop_index(batch_op.f("ix_importrun_kind"))
    op.drop_table("importrun")
