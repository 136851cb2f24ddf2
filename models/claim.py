"""A benefit BPJS Ketenagakerjaan paid to a worker covered through Payung (JKK work accident, JKM death)."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import utcnow


class Programme(StrEnum):
    JKK = "JKK"  # Jaminan Kecelakaan Kerja
    JKM = "JKM"  # Jaminan Kematian


class JkkKind(StrEnum):
    """What a JKK benefit paid for (PP 44/2015 as amended by PP 82/2019)."""

    TREATMENT = "perawatan"  # medical care and treatment
    WAGE = "stmb"  # santunan sementara tidak mampu bekerja
    DISABILITY = "cacat"  # permanent disability
    DEATH = "meninggal"  # death from a work accident


class Claim(SQLModel, table=True):
    __table_args__ = (
        # One claim per worker, programme and event: a file sent twice, or a row typed twice, is a duplicate.
        UniqueConstraint("worker_id", "programme", "event_date", "jkk_kind", name="uq_claim_event"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)  # the cover that was running
    pledge_id: int = Field(foreign_key="pledge.id", index=True)  # whose cover it was: the payer
    programme: str = Field(max_length=3, index=True)  # a Programme value
    jkk_kind: str = Field(default="", max_length=12)  # a JkkKind value for JKK, "" for JKM
    event_date: dt.date  # the accident, or the death
    paid_date: dt.date
    amount: int = Field(ge=1)  # Rupiah paid
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_by: str = Field(default="", max_length=60)  # username (the system user has no id)
    import_id: int | None = Field(default=None, foreign_key="importrun.id")  # the file it came in, if any
    created_at: dt.datetime = Field(default_factory=utcnow)
