"""Vulnerable informal workers (pekerja rentan) from the social registry (DTKS/DTSEN)."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.common import utcnow


class Sex(StrEnum):
    MALE = "L"
    FEMALE = "P"


class CoveredBy(StrEnum):
    """Who else pays a worker's cover (the worker is left out of matching until `covered_until`)."""

    CITY_BUDGET = "apbd"  # the city's own budget
    SELF_PAID = "mandiri"  # the worker pays as a BPU participant
    OTHER_PROGRAMME = "program_lain"  # another programme (ministry, province, another CSR scheme)


class Worker(SQLModel, table=True):
    __table_args__ = (
        # Registry screens at 200,000 workers: filters by desil and covered state, sorted by name.
        Index("ix_worker_name_id", "name", "id"),
        Index("ix_worker_desil", "desil"),
        Index("ix_worker_covered", "covered_elsewhere", "covered_until"),
    )

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
    covered_by: str = Field(default="", max_length=20)  # a CoveredBy value when covered_elsewhere
    covered_until: dt.date | None = None  # None = open-ended; after it the worker is back in the pool
    location_estimated: bool = False  # lat/lon is the kelurahan's inside point: the file gave no coordinates
    import_id: int | None = Field(default=None, foreign_key="importrun.id")  # the import that created the row
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime | None = None
