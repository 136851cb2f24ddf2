"""The city dashboard's read model, stored (issue 26): one row per (audience, data version, day) holding everything
the dashboard draws at that version - figures, chart specs, maps, the baseline forecast - so a server that starts,
a replica that joins or a cache that was cleared reads the figures instead of computing them (2-3 s at 200.000
workers). Not a watched table: storing a snapshot does not move the data version it is keyed by."""

import datetime as dt

from sqlalchemy import BigInteger, Column, LargeBinary
from sqlmodel import Field, SQLModel

from models.common import utcnow


class ReadModelSnapshot(SQLModel, table=True):
    __tablename__ = "read_model_snapshot"

    audience: str = Field(max_length=20, primary_key=True)  # a role: what it may see decides what is stored
    version: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    day: dt.date = Field(primary_key=True)  # figures are counted as of a day
    payload: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # zlib-compressed pickle
    signature: str = Field(max_length=64)  # HMAC-SHA256 under the server's key: read back only if it matches
    created_at: dt.datetime = Field(default_factory=utcnow)
