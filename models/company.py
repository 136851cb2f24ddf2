"""Companies that received the letter, and the delivery/response record per letter."""

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import utcnow


class Company(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    nib: str | None = Field(default=None, max_length=13, unique=True)  # Nomor Induk Berusaha
    npp: str | None = Field(default=None, max_length=20)  # BPJS employer number
    address: str = ""
    kelurahan_code: str | None = Field(default=None, foreign_key="kelurahan.code", max_length=13)
    site_lat: float | None = None
    site_lon: float | None = None
    # True when the site is the kelurahan's inside point (no coordinates in the recipients list).
    site_approximate: bool = False
    sector: str = Field(default="", max_length=80)
    employees: int | None = Field(default=None, ge=0)
    contact_name: str = Field(default="", max_length=120)
    contact_email: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=30)
    show_amount: bool = True  # may the public leaderboard show its Rupiah amount
    profile_updated_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)


class LetterRecipient(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("campaign_id", "company_id"),)

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    sent_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    first_login_at: dt.datetime | None = None
    responded_at: dt.datetime | None = None
    reminders_sent: int = 0
    last_reminder_at: dt.datetime | None = None
    send_channel: str | None = Field(default=None, max_length=10)  # post / email / whatsapp / hand
    declined_at: dt.datetime | None = None
    decline_reason: str | None = Field(default=None, max_length=40)  # a DeclineReason value
    decline_note: str = Field(default="", max_length=500)
    decline_withdrawn_at: dt.datetime | None = None  # the company took its decline back (it may pledge later)
