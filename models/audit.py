"""Processing record (UU PDP): who did or saw what, written in the same transaction as the change."""

import datetime as dt

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from models.common import utcnow


class AuditLog(SQLModel, table=True):
    # A worker's history (UU PDP access right) reads the log by entity.
    __table_args__ = (Index("ix_auditlog_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    username: str = Field(default="", max_length=60)
    action: str = Field(max_length=60, index=True)  # e.g. "pledge.create", "worker.view", "access.denied"
    entity: str = Field(default="", max_length=40)
    entity_id: str = Field(default="", max_length=40)
    success: bool = True
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
