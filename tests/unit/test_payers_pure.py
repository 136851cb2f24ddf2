"""The payer ledger's month arithmetic and the city allocation's pure parts: validation, place-holders, and the
fill's optimality against networkx (the same oracle as the matching core's tests)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.matching import objective, solve
from services.matching.allocation import CITYWIDE, AllocationDraft, place_holders, validate_draft
from services.platform.errors import ValidationError
from services.platform.ledger import csr_months, months_between, other_months, programme_name
from tests.unit.test_matching_core import BASE, oracle

D = dt.date


def test_months_between_is_inclusive_and_crosses_years() -> None:
    assert months_between(D(2025, 11, 15), D(2026, 2, 3)) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    ]
    assert months_between(D(2025, 3, 1), D(2025, 2, 1)) == []


def test_pledge_months_never_start_in_the_past() -> None:
    assert csr_months(start_month=D(2025, 1, 1), months=3, today=D(2024, 12, 20)) == [
        D(2025, 1, 1),
        D(2025, 2, 1),
        D(2025, 3, 1),
    ]
    assert csr_months(start_month=D(2025, 1, 1), months=3, today=D(2025, 2, 20)) == [D(2025, 2, 1), D(2025, 3, 1)]
    assert csr_months(start_month=D(2025, 1, 1), months=3, today=D(2025, 6, 1)) == []


def test_open_ended_other_cover_is_written_for_twelve_months() -> None:
    assert len(other_months(first=D(2025, 5, 1), last=None)) == 12
    assert other_months(first=D(2025, 5, 9), last=D(2025, 5, 31)) == [D(2025, 5, 1)]


def test_named_programmes() -> None:
    assert programme_name(" BAZNAS ") == "BAZNAS (zakat)"
    assert programme_name("apbd  provinsi") == "APBD Provinsi"
    assert programme_name("program lain") == ""


def _draft(**kw: object) -> AllocationDraft:
    values: dict = dict(
        year=2025,
        budget_line="5.1.02.01",
        perwal_number="Perwal 113/2023",
        start_month=D(2025, 1, 1),
        end_month=D(2025, 12, 1),
        workers=100,
    )
    values.update(kw)
    return AllocationDraft(**values)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (dict(year=25), "Tahun anggaran"),
        (dict(budget_line="  "), "Mata anggaran"),
        (dict(perwal_number=""), "Nomor Perwal"),
        (dict(end_month=D(2024, 12, 1)), "sebelum bulan mulai"),
        (dict(end_month=D(2027, 6, 1)), "paling lama 24 bulan"),
        (dict(amount_rupiah=1_000_000), "salah satu saja"),
        (dict(workers=None), "salah satu saja"),
        (dict(workers=-5), "negatif"),
        (dict(workers=0), "minimal 1"),
        (dict(workers=None, amount_rupiah=100_000), "belum cukup"),
        (dict(kecamatan_quotas={"36.71.99": 5}), "tidak dikenal"),
        (dict(kecamatan_quotas={"36.71.01": -1}), "negatif"),
        (dict(kecamatan_quotas={"36.71.01": 60, "36.71.02": 41}), "melebihi"),
    ],
)
def test_bad_drafts_are_refused_in_indonesian(kw: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate_draft(_draft(**kw), premium=16_800, kecamatan=["36.71.01", "36.71.02"])


def test_rupiah_become_whole_workers_for_the_months() -> None:
    places, months = validate_draft(
        _draft(workers=None, amount_rupiah=16_800 * 12 * 250 + 16_799), premium=16_800, kecamatan=[]
    )
    assert (places, months) == (250, 12)


AREAS = {
    "kA": (BASE[0] + 0.01, BASE[1] + 0.01, ["k1"]),
    "kB": (BASE[0] + 0.03, BASE[1] + 0.03, ["k2", "k3"]),
}


def _workers(seed: int, n: int) -> pd.DataFrame:
    r = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "worker_id": r.permutation(n) + 100,
            "lat": BASE[0] + r.random(n) * 0.04,
            "lon": BASE[1] + r.random(n) * 0.04,
            "desil": r.choice([1, 2, 3, 5, 8, 10, np.nan], n),
            "occupation": "pedagang",
            "kelurahan_code": r.choice(["k1", "k2", "k3"], n),
        }
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.integers(0, 25), st.integers(0, 12), st.integers(0, 4), st.integers(0, 4))
def test_allocation_fill_is_the_exact_optimum(seed: int, n: int, places: int, qa: int, qb: int) -> None:
    quotas = {"kA": min(qa, places), "kB": min(qb, max(places - qa, 0))}
    pledges, names = place_holders(places=places, quotas=quotas, areas=AREAS, centre=(BASE[0] + 0.02, BASE[1] + 0.02))
    assert pledges["capacity"].sum() == places and CITYWIDE in names.values()
    workers = _workers(seed, n)
    result = solve(workers, pledges)
    assert objective(result) == oracle(workers, pledges)
    kel = dict(zip(workers.worker_id, workers.kelurahan_code, strict=True))
    for pid, code in names.items():  # a quota takes only its own kecamatan's workers
        got = result.loc[result["pledge_id"] == pid, "worker_id"]
        assert code == CITYWIDE or all(kel[w] in AREAS[code][2] for w in got)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 30), st.integers(0, 30))
def test_citywide_allocation_takes_the_lowest_desil_first(seed: int, n: int, places: int) -> None:
    pledges, _ = place_holders(places=places, quotas={}, areas=AREAS, centre=BASE)
    workers = _workers(seed, n)
    result = solve(workers, pledges)
    assert len(result) == min(n, places)
    desil = workers.set_index("worker_id")["desil"].fillna(10)
    taken = desil.loc[result["worker_id"]]
    left = desil.drop(result["worker_id"])
    assert taken.empty or left.empty or taken.max() <= left.min()
