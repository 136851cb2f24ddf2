"""The compiled fast path (services/matching/auction.py): auction prices + shortest paths + certificate.

Checked against OR-Tools on the same components and against networkx through the public `solve`; budgets
forced to zero show that an unfinished auction is still finished exactly by the shortest paths, and that a
run without a certificate falls back to OR-Tools with the same optimum.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import services.matching.core as core
from benchmarks.synthetic import SITES, family
from services.matching import auction, objective
from tests.unit.test_matching_core import check_invariants, frames, oracle


def component(seed: int, n_w: int, n_p: int, load: float, deg: int) -> core._Component:
    """A random component: each worker has 1..deg candidate pledges, capacities sum to about load * n_w."""
    r = np.random.default_rng(seed)
    k = r.integers(1, deg + 1, n_w)
    aw = np.repeat(np.arange(n_w), k)
    ap = np.concatenate([r.choice(n_p, int(x), replace=False) for x in np.minimum(k, n_p)])
    aw = aw[: len(ap)]
    ac = r.integers(0, 3000, len(ap))
    ac[r.random(len(ap)) < 0.1] = 500  # ties
    desil = r.choice([1, 2, 5, 9, 10, 10], n_w)
    cap = r.multinomial(max(1, int(load * n_w)), np.ones(n_p) / n_p)
    cap[r.random(n_p) < 0.1] = 0
    return core._Component(
        aw.astype(np.int32),
        ap.astype(np.int32),
        ac.astype(np.int32),
        desil.astype(np.int64),
        cap.astype(np.int64),
        np.arange(n_w),
    )


def score(c: core._Component, chosen: np.ndarray) -> tuple[int, int, int]:
    assert len(np.unique(c.aw[chosen])) == len(chosen), "a worker chosen twice"
    assert (np.bincount(c.ap[chosen], minlength=len(c.cap)) <= c.cap).all(), "a pledge over capacity"
    return len(chosen), int(c.desil[c.aw[chosen]].sum()), int(c.ac[chosen].astype(np.int64).sum())


def reference(c: core._Component) -> tuple[int, int, int]:
    flow, _ = core._flow(c, np.arange(len(c.aw)), core._big_m(c))
    return score(c, np.flatnonzero(flow > 0))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10**6),
    st.integers(1, 120),
    st.integers(1, 12),
    st.sampled_from([0.3, 0.8, 1.0, 1.2, 2.0]),
    st.integers(1, 6),
)
def test_fast_path_equals_or_tools(seed: int, n_w: int, n_p: int, load: float, deg: int) -> None:
    c = component(seed, n_w, n_p, load, deg)
    got = auction.solve_component(c.aw, c.ap, c.ac, c.desil, c.cap, core._big_m(c), core.COVER_PROFIT)
    if got is None:  # allowed (the caller falls back), but must be rare: counted in the next test
        return
    assert score(c, got) == reference(c)


def test_fast_path_certifies_the_usual_cases() -> None:
    certified = 0
    for seed in range(60):
        c = component(seed, 300, 12, [0.5, 0.9, 1.0, 1.5][seed % 4], 5)
        got = auction.solve_component(c.aw, c.ap, c.ac, c.desil, c.cap, core._big_m(c), core.COVER_PROFIT)
        if got is not None:
            certified += 1
            assert score(c, got) == reference(c)
    assert certified == 60


def test_unfinished_auction_is_finished_exactly_by_shortest_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auction, "BIDS_PER_WORKER", 0)  # the auction stops after its first 100,000 bids...
    for seed in range(10):
        c = component(seed, 400, 10, 1.0, 4)
        stats: dict[str, float] = {}
        got = auction.solve_component(c.aw, c.ap, c.ac, c.desil, c.cap, core._big_m(c), core.COVER_PROFIT, stats)
        assert got is not None
        assert score(c, got) == reference(c)
    monkeypatch.setattr(auction, "EPS_SCHEDULE", (1 << 20,))  # ...or gives very rough prices
    for seed in range(10):
        c = component(seed, 400, 10, 1.0, 4)
        stats = {}
        got = auction.solve_component(c.aw, c.ap, c.ac, c.desil, c.cap, core._big_m(c), core.COVER_PROFIT, stats)
        assert got is not None
        assert stats["shortest_paths"] > 1
        assert score(c, got) == reference(c)


def test_no_certificate_falls_back_to_or_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auction, "EPS_SCHEDULE", (1 << 20,))
    monkeypatch.setattr(auction, "SSP_WORK_PER_PAIR", 0)  # no shortest paths allowed: never certified
    monkeypatch.setattr(auction, "SSP_WORK_BASE", 0)
    c = component(7, 400, 10, 1.0, 4)
    assert auction.solve_component(c.aw, c.ap, c.ac, c.desil, c.cap, core._big_m(c), core.COVER_PROFIT) is None
    monkeypatch.setattr(core, "_AUCTION_MIN_ARCS", 0)
    stats = core.SolveStats()
    got = core._solve_flow_component(c, stats)
    assert stats.extra["auction_fallbacks"] == 1
    assert score(c, got) == reference(c)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.integers(0, 30), st.integers(0, 6))
def test_solve_through_the_fast_path_against_networkx(seed: int, n_w: int, n_p: int) -> None:
    # Every component with two or more pledges takes the fast path here (thresholds forced to zero).
    workers, pledges = frames(seed, n_w, n_p)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(core, "_AUCTION_MIN_ARCS", 0)
        mp.setattr(core, "_SPLIT_MIN_ARCS", 0)
        stats = core.SolveStats()
        result = core.solve_detailed(workers, pledges, stats=stats)
    check_invariants(workers, pledges, result)
    assert objective(result) == oracle(workers, pledges)
    assert stats.extra.get("auction_fallbacks", 0.0) == 0.0


def test_fast_path_is_deterministic_and_order_independent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "_AUCTION_MIN_ARCS", 0)
    monkeypatch.setattr(core, "_SPLIT_MIN_ARCS", 0)
    workers, pledges = frames(99, 60, 6)
    pledges["capacity"] = 12  # congested, with ties among equally good workers
    a = core.solve(workers, pledges)
    b = core.solve(workers.sample(frac=1, random_state=3), pledges.sample(frac=1, random_state=4))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, core.solve(workers, pledges))
    assert objective(a) == oracle(workers, pledges)


@pytest.mark.parametrize("seed", range(3))
def test_pairs_built_in_worker_processes_equal_one_process(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    workers, pledges = frames(500 + seed, 300, 12)
    w, p = core._normalise(workers, pledges)
    one = core.candidate_pairs(w, p)
    monkeypatch.setattr(core, "_PARALLEL_MIN_WORKERS", 1)
    for processes in (2, 3):
        many = core._candidates(w, p, None, processes)
        for field in ("w", "p", "cost_m", "by_radius"):
            np.testing.assert_array_equal(getattr(one, field), getattr(many, field))
    assert (~one.by_radius).any() and one.by_radius.any()  # both parts present
    pd.testing.assert_frame_equal(core.solve_detailed(workers, pledges, processes=2), core.solve(workers, pledges))


def test_certificate_accepts_the_optimum_and_rejects_anything_else() -> None:
    # Two workers want one place: desil 1 (worth 10M - 100) and desil 10 (worth M - 100), both 100 m away.
    m = 1_000
    aw, ap, ac = np.array([0, 1], np.int32), np.array([0, 0], np.int32), np.array([100, 100], np.int32)
    base = np.array([10 * m, m], np.int64)
    cap = np.array([1], np.int64)
    price = np.array([m - 100], np.int64)  # the desil-10 worker is indifferent at this price
    ok = auction.certify(aw, ap, ac, base, cap, np.array([0]), price, 0)
    assert ok
    assert not auction.certify(aw, ap, ac, base, cap, np.array([1]), price, 0)  # the less vulnerable one
    assert not auction.certify(aw, ap, ac, base, cap, np.array([0]), np.array([0], np.int64), 0)  # price too low
    assert not auction.certify(aw, ap, ac, base, cap, np.array([0, 1]), price, 0)  # over capacity
    assert not auction.certify(aw, ap, ac, base, np.array([2], np.int64), np.array([0]), price, 0)  # room, dear
    two = np.array([0, 0], np.int32)
    assert not auction.certify(
        two, np.array([0, 1], np.int32), ac, base[:1], np.array([1, 1]), np.array([0, 1]), np.array([0, 0], np.int64), 0
    )  # one worker twice


def test_workers_left_out_and_places_left_empty_at_once() -> None:
    # Area A: 50 workers for 10 places; area B: 100 places for 20 workers; one worker can go to either. The
    # optimum leaves 40 workers out *and* 79 places empty. Capping B at its 21 candidates makes the auction
    # symmetric again (31 places, 40 "uncovered" places): it ends by itself, and the answer is exact.
    r = np.random.default_rng(5)
    aw = np.concatenate([np.arange(50), np.arange(50, 70), [70, 70]]).astype(np.int32)
    ap = np.concatenate([np.zeros(50), np.ones(20), [0, 1]]).astype(np.int32)
    ac = r.integers(0, 3000, len(aw)).astype(np.int32)
    c = core._Component(aw, ap, ac, r.choice([1, 5, 10], 71).astype(np.int64), np.array([10, 100]), np.arange(71))
    stats: dict[str, float] = {}
    got = auction.solve_component(c.aw, c.ap, c.ac, c.desil, c.cap, core._big_m(c), core.COVER_PROFIT, stats)
    assert got is not None
    assert stats["auction_unfinished"] == 0
    assert score(c, got) == reference(c)
    assert score(c, got)[0] == 31


@pytest.mark.parametrize("seed", range(8))
def test_unpacked_bid_loop_gives_the_same_answer(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    # Components with 32,768+ pledges or pairs over 65.5 km use two streams instead of the packed one.
    c = component(seed, 300, 12, [0.5, 1.0, 1.5, 2.0][seed % 4], 5)
    args = (c.aw, c.ap, c.ac, c.desil, c.cap, core._big_m(c), core.COVER_PROFIT)
    packed = auction.solve_component(*args)
    monkeypatch.setattr(auction, "PACK_PAIRS", False)
    unpacked = auction.solve_component(*args)
    assert packed is not None and unpacked is not None
    np.testing.assert_array_equal(packed, unpacked)
    assert score(c, unpacked) == reference(c)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 10**6),
    st.sampled_from([0.1, 0.5, 0.9, 1.0, 1.5]),
    st.sampled_from(SITES),
    st.sampled_from([(1.0, 2.0), (2.0, 5.0), (3.0, 10.0)]),
    st.sampled_from([0.0, 0.3]),
    st.booleans(),
)
def test_every_sweep_family_against_networkx(
    seed: int, load: float, sites: str, radius: tuple[float, float], unknown: float, always_cut: bool
) -> None:
    # Small instances of every family of benchmarks/matching_sweep.py, with every component cut by the max cover
    # and every side of two or more pledges on the fast path (thresholds forced to zero).
    workers, pledges = family(
        n_workers=250,
        n_pledges=10,
        kota_only=True,
        load=load,
        sites=sites,
        radius=radius,
        unknown_desil=unknown,
        seed=seed,
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(core, "_SPLIT_MIN_ARCS", 0)
        mp.setattr(core, "_AUCTION_MIN_ARCS", 0)
        mp.setattr(core, "_AUCTION_MAX_ROOM", float("inf"))
        if always_cut:
            mp.setattr(auction, "greedy_cover", lambda *_: (False, False))
        result = core.solve_detailed(workers, pledges)
    check_invariants(workers, pledges, result)
    assert objective(result) == oracle(workers, pledges)
