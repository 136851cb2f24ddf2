"""Contact with a letter recipient after the letter: reminders and follow-up calls, and the e-mail outbox."""

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.common import utcnow


class Channel(StrEnum):
    POST = "post"
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    HAND = "hand"  # delivered by hand
    PHONE = "phone"  # follow-up call (not a way to send the letter)


class RecipientContact(SQLModel, table=True):
    """One reminder or follow-up call logged on a recipient (date, channel, outcome, note, by whom)."""

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="letterrecipient.id", index=True)
    contacted_on: dt.date
    channel: str = Field(max_length=10)  # a Channel value
    outcome: str = Field(default="", max_length=120)
    note: str = Field(default="", max_length=500)
    by_user_id: int | None = Field(default=None, foreign_key="user.id")
    by_username: str = Field(default="", max_length=60)
    created_at: dt.datetime = Field(default_factory=utcnow)


class OutboxMessage(SQLModel, table=True):
    """An e-mail reminder: sent through SMTP when configured, otherwise kept here (demo mode's outbox)."""

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int | None = Field(default=None, foreign_key="letterrecipient.id", index=True)
    to_address: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    body: str = ""
    status: str = Field(default="outbox", max_length=10)  # sent / outbox / failed
    error: str = Field(default="", max_length=300)
    by_username: str = Field(default="", max_length=60)
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)
