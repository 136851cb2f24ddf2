"""Who pays a worker's cover, month by month (the payer ledger), and the city's yearly budget allocation."""

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.common import utcnow


class PayerKind(StrEnum):
    """The four kinds of payer a month of cover can have (exactly one per worker-month)."""

    CSR = "csr"  # a company's pledge (the row names the assignment)
    CITY_BUDGET = "apbd"  # the city's own budget, APBD Kota (the row names the allocation, or an import)
    OTHER_PROGRAMME = "program_lain"  # APBD provinsi, BAZNAS/zakat, dana desa, ... (named in `programme`)
    SELF_PAID = "mandiri"  # the worker pays as a BPU participant


class CoverMonth(SQLModel, table=True):
    """One month of one worker's cover, with its payer. UNIQUE(worker_id, month): the database itself refuses
    a second payer for a month already paid, whoever writes it, on SQLite and PostgreSQL alike."""

    __table_args__ = (
        UniqueConstraint("worker_id", "month", name="uq_covermonth_worker_month"),
        # Figures by payer read one month across all workers.
        Index("ix_covermonth_month_payer", "month", "payer"),
    )

    id: int | None = Field(default=None, primary_key=True)
    worker_id: int = Field(foreign_key="worker.id")
    month: dt.date  # the first day of the month
    payer: str = Field(max_length=12)  # a PayerKind value
    programme: str = Field(default="", max_length=60)  # for other programmes: which one
    assignment_id: int | None = Field(default=None, foreign_key="assignment.id", index=True)  # CSR
    allocation_id: int | None = Field(default=None, foreign_key="allocation.id", index=True)  # APBD allocation
    import_id: int | None = Field(default=None, foreign_key="importrun.id")  # imported cover
    created_at: dt.datetime = Field(default_factory=utcnow)


class AllocationStatus(StrEnum):
    DRAFT = "draft"  # recorded, previewable, not yet filled
    COMMITTED = "committed"  # filled: its workers' months are in the ledger


class Allocation(SQLModel, table=True):
    """The city's budget (APBD Kota) for covering workers in a year, and the rules it is filled by."""

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(ge=2000, le=2100, index=True)
    budget_line: str = Field(max_length=160)  # the DPA / budget line
    perwal_number: str = Field(max_length=80)  # "Perwal No. 113 Tahun 2023"
    amount_rupiah: int | None = Field(default=None, ge=0)  # given as Rupiah...
    workers: int = Field(ge=0)  # ...or as workers (derived from the Rupiah when given that way)
    start_month: dt.date
    end_month: dt.date  # the first day of the last month covered
    premium_per_worker_month: int = Field(ge=0)
    # Kecamatan code -> workers reserved there; the rest of `workers` is citywide.
    kecamatan_quotas: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=AllocationStatus.DRAFT.value, max_length=12)
    filled: int = 0  # workers covered when committed
    created_by: str = Field(default="", max_length=60)
    created_at: dt.datetime = Field(default_factory=utcnow)
    committed_at: dt.datetime | None = None


class CityRegistrationStatus(StrEnum):
    REGISTERED = "registered"  # in a BPJS registration file, billed to the city
    ACTIVE = "active"  # BPJS answered with a KPJ card number
    REFUSED = "refused"  # BPJS refused the registration (its reason kept); the months were given back


class CityRegistration(SQLModel, table=True):
    """A worker the city's allocation pays for, once put in a BPJS registration file: BPJS bills the city for
    these rows, apart from each company. Created by the export; closed by the KPJ import, as an assignment is."""

    __table_args__ = (UniqueConstraint("allocation_id", "worker_id", name="uq_cityregistration_allocation_worker"),)

    id: int | None = Field(default=None, primary_key=True)
    allocation_id: int = Field(foreign_key="allocation.id", index=True)
    worker_id: int = Field(foreign_key="worker.id", index=True)
    status: str = Field(default=CityRegistrationStatus.REGISTERED.value, max_length=12)
    kpj_number: str | None = Field(default=None, max_length=20, index=True)
    coverage_start: dt.date | None = None
    coverage_end: dt.date | None = None
    reason: str = Field(default="", max_length=300)
    registered_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
