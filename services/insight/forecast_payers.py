"""The forecast counting every payer (issue 24; docs/payers.md §10), beside the pledges' own forecast
(`forecast.py`): the workers other payers already pay in each month to come (the payer ledger: the city's
allocations of this year and before, other programmes, mandiri) are added - the date *without* next year's APBD
allocation; then next year's allocation (the allocations recorded for next year, or a what-if number of workers)
from its first month, repeated every year as the Perwal programme is - the date *with* it."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func

from models import Allocation, CoverMonth
from services.insight.catalogue import FigureDef, register
from services.platform.dates import add_months, month_start
from services.platform.errors import ValidationError

HORIZON_MONTHS = 120  # as the forecast's
MAX_ALLOCATION_WORKERS = 10_000_000  # far above any city's programme, guards against typos
PAYER_METHOD = (
    "Dengan semua penanggung: ditambah pekerja yang bulan-bulan mendatangnya sudah ditanggung penanggung lain "
    "(APBD Kota tahun ini, program lain, mandiri), lalu alokasi APBD tahun depan (yang tercatat, atau angka "
    "skenario) mulai bulan pertamanya dan diulang setiap tahun."
)

for _key, _label, _definition, _unit, _rounding in [
    (
        "forecast_next_allocation_workers",
        "Alokasi APBD tahun depan",
        "Pekerja yang dibiayai alokasi APBD Kota tahun depan: jumlah alokasi yang tercatat untuk tahun depan "
        "(draf atau sudah dijalankan), atau angka skenario bila diisi.",
        "pekerja",
        "bilangan bulat",
    ),
    (
        "forecast_reached_without_allocation",
        "Target tercapai, semua penanggung tanpa alokasi tahun depan",
        "Bulan pertama perkiraan pekerja terlindungi CSR ditambah pekerja yang sudah ditanggung penanggung lain "
        "(APBD Kota tahun ini, program lain, mandiri) mencapai target; tanpa alokasi APBD tahun depan.",
        "tanggal",
        "akhir bulan",
    ),
    (
        "forecast_reached_with_allocation",
        "Target tercapai, dengan alokasi APBD tahun depan",
        "Seperti tanpa alokasi tahun depan, ditambah pekerja alokasi APBD Kota tahun depan mulai bulan pertamanya, "
        "diulang setiap tahun.",
        "tanggal",
        "akhir bulan",
    ),
]:
    register(FigureDef(_key, _label, _definition, _unit, _rounding, audience=("kota",)))


@dataclass(frozen=True)
class NextAllocation:
    """Next year's APBD allocation as the forecast counts it."""

    year: int
    workers: int
    start_month: dt.date
    recorded: bool  # True: the allocations recorded for that year; False: a what-if number


def with_payers(
    base: pd.DataFrame, *, other_by_month: dict[dt.date, int], allocation: NextAllocation | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(without, with next year's allocation): `base` (month_end, expected) plus the workers other payers already
    pay in each month, then plus the allocation's workers from its first month on (pure)."""
    months = [month_start(d) for d in base["month_end"]]
    others = [float(other_by_month.get(m, 0)) for m in months]
    without = base.assign(expected=base["expected"].to_numpy() + np.array(others))
    extra = [allocation.workers if allocation and m >= allocation.start_month else 0 for m in months]
    return without, without.assign(expected=without["expected"].to_numpy() + np.array(extra, dtype=float))


def other_payers(*, session: Session, today: dt.date) -> dict[dt.date, int]:
    """Workers per month to come whose month another payer than a pledge already pays (the ledger), leaving out
    the allocations of years after this one (they are next year's allocation, counted apart)."""
    first = month_start(today)
    later_years = sa_select(col(Allocation.id)).where(col(Allocation.year) > today.year)
    rows = session.execute(
        sa_select(col(CoverMonth.month), func.count())
        .where(
            col(CoverMonth.assignment_id).is_(None),
            col(CoverMonth.month) >= first,
            col(CoverMonth.month) < add_months(first, HORIZON_MONTHS),
            col(CoverMonth.allocation_id).is_(None) | col(CoverMonth.allocation_id).not_in(later_years),
        )
        .group_by(col(CoverMonth.month))
    ).all()
    return {m: int(n) for m, n in rows}


def next_allocation(*, session: Session, today: dt.date, what_if_workers: int | None) -> NextAllocation | None:
    """Next year's allocation: a what-if number of workers from January (when given), else the allocations
    recorded for next year (their workers summed, from their first start month); None when there is neither."""
    year = today.year + 1
    if what_if_workers is not None:
        if what_if_workers < 0:
            raise ValidationError("Alokasi APBD tahun depan tidak boleh negatif. Isi 0 atau angka positif.")
        if what_if_workers > MAX_ALLOCATION_WORKERS:
            raise ValidationError("Alokasi APBD tahun depan terlalu besar. Periksa jumlah nol pada isian Anda.")
        return NextAllocation(year, what_if_workers, dt.date(year, 1, 1), recorded=False) if what_if_workers else None
    workers, first = session.execute(
        sa_select(func.sum(Allocation.workers), func.min(Allocation.start_month)).where(col(Allocation.year) == year)
    ).one()
    if not workers:
        return None
    return NextAllocation(year, int(workers), month_start(first), recorded=True)


@dataclass(frozen=True)
class PayerOutlook:
    other_now: int  # workers other payers (not a pledge) pay this month
    allocation: NextAllocation | None
    without: pd.DataFrame  # month_end, expected: the pledges' forecast + other payers
    with_it: pd.DataFrame  # ... + next year's allocation


def payer_outlook(*, session: Session, today: dt.date, base: pd.DataFrame, what_if_workers: int | None) -> PayerOutlook:
    """The pledges' expected protected workers per month (`base`) counted with every payer; `what_if_workers`
    replaces the allocations recorded for next year."""
    others = other_payers(session=session, today=today)
    allocation = next_allocation(session=session, today=today, what_if_workers=what_if_workers)
    without, with_it = with_payers(base, other_by_month=others, allocation=allocation)
    return PayerOutlook(others.get(month_start(today), 0), allocation, without, with_it)


def allocation_figures(fc: Any) -> dict[str, object]:
    """Catalogue key -> value of a forecast's figures by payer (dashboard, quarterly page, PDF and Excel)."""
    return {
        "forecast_next_allocation_workers": fc.next_allocation.workers if fc.next_allocation else 0,
        "forecast_reached_without_allocation": fc.without_allocation.reached_on if fc.without_allocation else None,
        "forecast_reached_with_allocation": fc.with_allocation.reached_on if fc.with_allocation else None,
    }
