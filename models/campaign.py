"""The Wali Kota's circular letter (surat edaran) and the campaign settings it carries."""

import datetime as dt

from sqlmodel import Field, SQLModel

from models.common import utcnow


class Campaign(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    letter_number: str = Field(max_length=80, unique=True)  # "SE No. 14422/2024"
    letter_date: dt.date
    subject: str = Field(max_length=300)
    body: str = ""
    response_deadline: dt.date
    # Targets and rates are settings of a campaign, never constants in code.
    target_workers: int = Field(ge=0)
    suggested_min_workers: int = Field(default=100, ge=0)
    premium_jkk_jkm: int = Field(default=16_800, ge=0)  # Rupiah per worker per month
    premium_jht: int = Field(default=20_000, ge=0)  # optional add-on
    attachment_name: str | None = Field(default=None, max_length=200)
    attachment: bytes | None = None
    is_active: bool = True
    # A recipient without an answer this many days after the letter was sent is escalated.
    escalation_days: int = Field(default=14, ge=1, le=365)
    updated_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
