"""Login throttling: failed tries counted per (username, client), so a stranger cannot lock the real user out."""

import datetime as dt

from sqlmodel import Field, SQLModel

from models.common import utcnow


class LoginThrottle(SQLModel, table=True):
    # One row per username *and* client key (a keyed hash of the client address, never the address itself).
    # Unknown usernames get rows too, so an unknown name behaves exactly like a known one.
    username: str = Field(max_length=60, primary_key=True)
    client_key: str = Field(max_length=64, primary_key=True)
    failures: int = 0  # tries reserved since the last success or unlock (a try is reserved before it is checked)
    blocked_until: dt.datetime | None = None  # no try is checked before this time
    updated_at: dt.datetime = Field(default_factory=utcnow, index=True)
