"""Vulnerable informal workers (pekerja rentan) from the social registry (DTKS/DTSEN)."""

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.common import utcnow


class Sex(StrEnum):
    MALE = "L"
    FEMALE = "P"


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    nik: str = Field(min_length=16, max_length=16, unique=True)  # text: Excel mangles numbers
    name: str = Field(max_length=120)
    sex: str = Field(max_length=1)  # a Sex value: "L" or "P"
    birth_date: dt.date
    kelurahan_code: str = Field(foreign_key="kelurahan.code", index=True, max_length=13)
    address: str = ""
    occupation: str = Field(max_length=60, index=True)
    desil: int | None = Field(default=None, ge=1, le=10)  # 1 = poorest; None = unknown
    phone: str = Field(default="", max_length=20)
    lat: float | None = None
    lon: float | None = None
    covered_elsewhere: bool = False  # already insured (own BPU, APBD, another programme)
    created_at: dt.datetime = Field(default_factory=utcnow)
