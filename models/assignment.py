"""A worker assigned to a pledge, and the BPJS registration that follows."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from models.common import utcnow


class AssignmentStatus(StrEnum):
    ASSIGNED = "assigned"  # proposed by matching; may still be re-optimised
    REGISTERED = "registered"  # sent to BPJS; never moved again
    ACTIVE = "active"  # BPJS returned a KPJ card number and coverage dates
    EXPIRED = "expired"
    RENEWED = "renewed"  # superseded by the assignment of the renewing pledge
    RELEASED = "released"  # pledge cancelled or re-optimised away: worker back in the pool


# Statuses in which the worker counts as protected (or about to be): at most one per worker.
HOLDING_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.REGISTERED, AssignmentStatus.ACTIVE)
_HOLDING_SQL = "status IN ('assigned', 'registered', 'active')"


class Assignment(SQLModel, table=True):
    __table_args__ = (
        # One active assignment per worker, enforced by the database (partial unique index).
        Index(
            "uq_assignment_one_holding_per_worker",
            "worker_id",
            unique=True,
            sqlite_where=text(_HOLDING_SQL),
            postgresql_where=text(_HOLDING_SQL),
        ),
        # Expiry lists and the daily refresh read active cover by its end date.
        Index("ix_assignment_status_end", "status", "coverage_end"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    pledge_id: int = Field(foreign_key="pledge.id", index=True)
    distance_km: float | None = None
    desil_at_match: int | None = None
    reason: str = Field(default="", max_length=300)  # why this worker went to this pledge
    status: str = Field(default=AssignmentStatus.ASSIGNED.value, max_length=12, index=True)
    kpj_number: str | None = Field(default=None, max_length=20, index=True)
    registered_at: dt.datetime | None = None  # when it went into a BPJS registration file
    coverage_start: dt.date | None = None
    coverage_end: dt.date | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
