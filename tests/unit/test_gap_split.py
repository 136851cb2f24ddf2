"""The pure parts of issue 21: the gap split's maximum flow, the forecast's survival and projection."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from services.insight.catalogue import figure
from services.insight.forecast import expected, needed_per_month, reached, survive
from services.insight.gap_split import _groups, _groups_by_worker, _reach, _signature_groups, _taken, split
from services.insight.gaps import gap_table
from services.platform.errors import ValidationError

A, B = "36.71.01.1001", "36.71.01.1002"
SITE = (-6.17, 106.63)


def _workers(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kelurahan_code", "lat", "lon"])


def _pledges(rows: list[tuple[int, float | None, float, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["pledge_id", "radius_km", "lat", "lon", "places"])


def test_free_places_take_at_most_their_number() -> None:
    workers = _workers([(A, *SITE)] * 5 + [(A, -6.10, 106.63)])  # five at the site, one 7,8 km north
    out = split(workers, _pledges([(1, 1.0, *SITE, 2)]), {1: set()})
    assert out.loc[A].tolist() == [2, 3, 1]  # (a) 2 places, (b) 3 beyond them, (c) 1 unreached


def test_overlapping_pledges_are_not_counted_twice_and_the_flow_routes_around() -> None:
    # P1 (3 places) reaches the five at the site; P2 (2 places) reaches by kelurahan B only the two in B.
    workers = _workers([(A, *SITE)] * 5 + [(B, -6.30, 106.80)] * 2)
    pledges = _pledges([(1, 1.0, *SITE, 3), (2, None, 0.0, 0.0, 2)])
    out = split(workers, pledges, {1: set(), 2: {B}})
    assert out.loc[A].tolist() == [3, 2, 0] and out.loc[B].tolist() == [2, 0, 0]
    # A full pledge reaches but offers no place: (b), never (a).
    full = split(workers, _pledges([(1, 1.0, *SITE, 0)]), {1: set()})
    assert full.loc[A].tolist() == [0, 5, 0] and full.loc[B].tolist() == [0, 0, 2]


def test_the_boundary_is_inside_and_no_pledge_means_everyone_unreached() -> None:
    workers = _workers([(A, -6.17 + 0.0089932, 106.63)])  # ~1,000 km north of the site
    assert split(workers, _pledges([(1, 1.0, *SITE, 1)]), {1: set()}).loc[A].tolist() == [1, 0, 0]
    assert split(workers, _pledges([]), {}).loc[A].tolist() == [0, 0, 1]


def test_gap_table_costs_and_order() -> None:
    coverage = pd.DataFrame(
        {
            "kelurahan_code": [A, B, "x"],
            "kelurahan": ["A", "B", "X"],
            "kecamatan": ["K", "K", "K"],
            "open_places": [5, 0, 0],
            "beyond_places": [0, 3, 0],
            "gap": [1, 1, 0],
        }
    )
    table = gap_table(coverage, 16_800)
    assert table["kelurahan_code"].tolist() == [B, A]  # (b) + (c) first; nothing to close in X
    assert table["gap_cost"].tolist() == [201_600, 201_600] and table["open_places_cost"].tolist() == [0, 1_008_000]


def test_survival_renews_once_a_year_at_the_rate() -> None:
    end = dt.date(2025, 10, 31)
    assert survive(end, dt.date(2025, 10, 31), 0.5) == 1.0
    assert survive(end, dt.date(2025, 11, 30), 0.5) == 0.5
    assert survive(end, dt.date(2026, 10, 31), 0.5) == 0.5
    assert survive(end, dt.date(2026, 11, 30), 0.5) == 0.25


def test_projection_and_workers_needed_by_a_date() -> None:
    today = dt.date(2025, 3, 31)
    series = expected(today=today, covers=[(dt.date(2025, 4, 30), 10)], in_process=5, pace_per_month=0, rate=0.0)
    assert series["expected"].tolist()[:3] == [10, 15, 5]  # April: 10 + 5; May: the 10 ended, none renewed
    assert reached(series, 20, today, 5).reached_on is None
    # By 30 Jun 2025: months 2 and 3 bring new workers that count on 30 Jun -> (20 - 5) / 2 = 8 per month.
    assert needed_per_month(today=today, by_date=dt.date(2025, 6, 30), target=20, base=series, covers_rate=0.0) == 8
    assert needed_per_month(today=today, by_date=dt.date(2025, 6, 30), target=5, base=series, covers_rate=0.0) == 0
    with pytest.raises(ValidationError, match="terlalu dekat"):
        needed_per_month(today=today, by_date=dt.date(2025, 4, 30), target=20, base=series, covers_rate=0.0)


def test_the_new_figures_are_in_the_catalogue_in_indonesian() -> None:
    for key in ("gap_a_open_places", "gap_b_beyond_places_cost", "gap_c_unreached", "forecast_needed_per_month"):
        f = figure(key)
        assert f.label and f.definition.endswith(".")
    assert figure("gap_b_beyond_places_cost").format(3_847_132_800) == "Rp3.847.132.800"
    assert figure("cover_ending_30d_share").format(0.212).startswith("21,2")  # one decimal, a comma


def test_signature_groups_equal_the_per_worker_grouping_in_the_same_order() -> None:
    """The vectorised grouping gives the same groups, counts and order (first worker first) as grouping worker by
    worker: the maximum flow's split per kelurahan depends on that order."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        n_workers, n_pledges = int(rng.integers(1, 60)), int(rng.integers(1, 8))
        codes = rng.choice(np.array(["K1", "K2", "K3"], dtype=object), size=n_workers)
        pairs = {(int(rng.integers(n_workers)), int(rng.integers(n_pledges))) for _ in range(int(rng.integers(0, 150)))}
        who = np.array([w for w, _ in pairs], dtype=np.int64)
        which = np.array([p for _, p in pairs], dtype=np.int64)
        expected: dict[tuple[str, tuple[int, ...]], int] = {}
        for w in sorted(set(who.tolist())):
            key = (str(codes[w]), tuple(sorted(which[who == w].tolist())))
            expected[key] = expected.get(key, 0) + 1
        got = _signature_groups(codes, who, which)
        assert list(got.items()) == list(expected.items())


def test_hashed_grouping_equals_the_worker_by_worker_grouping_even_when_hashes_collide() -> None:
    """The hashed grouping proposes groups and checks them; with useless hashes (all zero: every signature of the
    same kelurahan and length collides) or tiny ones it must fall back and still give the simple grouping."""
    rng = np.random.default_rng(26)
    for trial in range(60):
        n_workers, n_pledges = int(rng.integers(1, 80)), int(rng.integers(1, 9))
        code_ids = rng.integers(0, 3, size=n_workers).astype(np.int64)
        pairs = {(int(rng.integers(n_workers)), int(rng.integers(n_pledges))) for _ in range(int(rng.integers(0, 200)))}
        who = np.array([w for w, _ in pairs], dtype=np.int64)
        which = np.array([p for _, p in pairs], dtype=np.int64)
        indptr, pledges = _reach(n_workers, who, which)
        simple = _groups_by_worker(code_ids, indptr, pledges)
        salts = [
            None,
            np.zeros((2, n_pledges), dtype=np.uint64),
            rng.integers(0, 2, size=(2, n_pledges)).astype(np.uint64),
        ]
        for salt in salts:
            got = _groups(code_ids, indptr, pledges, salt=salt)
            for field in ("code", "count", "start", "stop"):
                assert getattr(got, field).tolist() == getattr(simple, field).tolist(), (trial, field)
        places = rng.integers(0, 5, size=n_pledges).astype(np.int64)
        assert _taken(_groups(code_ids, indptr, pledges), places, 3).tolist() == _taken(simple, places, 3).tolist()


def test_split_on_random_data_counts_every_worker_once() -> None:
    rng = np.random.default_rng(21)
    workers = _workers(
        [(str(rng.choice([A, B])), -6.17 + rng.normal(0, 0.02), 106.63 + rng.normal(0, 0.02)) for _ in range(300)]
    )
    pledges = _pledges(
        [
            (
                i + 1,
                float(rng.uniform(0.5, 3)),
                -6.17 + rng.normal(0, 0.02),
                106.63 + rng.normal(0, 0.02),
                int(rng.integers(0, 40)),
            )
            for i in range(8)
        ]
    )
    out = split(workers, pledges, {1: {B}, **{i: set() for i in range(2, 9)}})
    assert int(out.to_numpy().sum()) == 300
    assert (out["open_places"] <= pledges["places"].sum()).all()
