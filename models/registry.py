"""One run of an import (workers, covered-elsewhere list, BPJS registration result): what came in and what it did."""

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.common import utcnow


class ImportKind(StrEnum):
    WORKERS = "workers"
    COVERED = "covered"
    BPJS_RESULT = "bpjs_result"
    CLAIMS = "claims"  # benefits BPJS paid (JKK, JKM)


class ImportRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)  # an ImportKind value
    at: dt.datetime = Field(default_factory=utcnow)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    username: str = Field(default="", max_length=60)
    filename: str = Field(default="", max_length=200)
    sha256: str = Field(max_length=64, index=True)
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    blank: int = 0
