"""A company's pledge: N workers x M months in an area, priced at pledge time."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.common import utcnow


class PledgeStatus(StrEnum):
    SUBMITTED = "submitted"
    MATCHED = "matched"
    REGISTERED = "registered"
    ACTIVE = "active"
    EXPIRED = "expired"
    RENEWED = "renewed"
    CANCELLED = "cancelled"


# Status groups shared by every rule that counts or changes pledges (one definition, so the public page, the
# city dashboard, the company report and the pledge commands never disagree).
OPEN_PLEDGE_STATUSES = (PledgeStatus.SUBMITTED, PledgeStatus.MATCHED, PledgeStatus.REGISTERED, PledgeStatus.ACTIVE)
# Workers counted as pledged: a renewed pledge is left out (its workers carry over to the renewal)...
LIVE_PLEDGE_STATUSES = (*OPEN_PLEDGE_STATUSES, PledgeStatus.EXPIRED)
# ...but its Rupiah still counts as committed: that year was paid for.
PAID_PLEDGE_STATUSES = (*LIVE_PLEDGE_STATUSES, PledgeStatus.RENEWED)


class Pledge(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    workers: int = Field(ge=1)
    months: int = Field(ge=1, le=24)
    start_month: dt.date  # first day of the month cover starts
    include_jht: bool = False
    # Premium per worker per month frozen at pledge time (JKK + JKM [+ JHT]).
    premium_per_worker_month: int = Field(ge=0)
    radius_km: float | None = Field(default=None, ge=0)
    occupations: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=PledgeStatus.SUBMITTED.value, max_length=12, index=True)
    renewed_from_id: int | None = Field(default=None, foreign_key="pledge.id")
    # Per-form nonce: a repeated submit (double click, rerun) returns the pledge it already created.
    submission_key: str | None = Field(default=None, max_length=64, unique=True, index=True)
    cancelled_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class PledgeKelurahan(SQLModel, table=True):
    """The kelurahan set of a pledge's area (in addition to, or instead of, the radius)."""

    pledge_id: int = Field(foreign_key="pledge.id", primary_key=True)
    kelurahan_code: str = Field(foreign_key="kelurahan.code", primary_key=True, max_length=13)
