"""The pure matching core: invariants (hypothesis), optimality against networkx, edge cases."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import services.matching.core as core
from services.matching import auction, objective, solve
from services.platform.geo import haversine_km

BASE = (-6.20, 106.63)
KELS = ["k1", "k2", "k3"]
OCCS = ["pedagang", "ojek", "buruh"]


def frames(seed: int, n_w: int, n_p: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = np.random.default_rng(seed)
    workers = pd.DataFrame(
        {
            "worker_id": r.permutation(n_w) + 100,
            "lat": BASE[0] + r.random(n_w) * 0.04,
            "lon": BASE[1] + r.random(n_w) * 0.04,
            "desil": r.choice([1, 2, 3, 5, 8, 10, np.nan], n_w),
            "occupation": r.choice(OCCS, n_w),
            "kelurahan_code": r.choice(KELS, n_w),
        }
    )
    pledges = pd.DataFrame(
        {
            "pledge_id": np.arange(n_p) + 1,
            "lat": BASE[0] + r.random(n_p) * 0.04,
            "lon": BASE[1] + r.random(n_p) * 0.04,
            "capacity": r.integers(0, 7, n_p),
            "radius_km": r.choice([0.0, 0.5, 1.0, 2.0, np.nan], n_p),
            "kelurahan_codes": [
                list(r.choice(KELS + ["k9"], int(r.integers(0, 3)), replace=False)) for _ in range(n_p)
            ],
            "occupations": [list(r.choice(OCCS, int(r.integers(0, 2)), replace=False)) for _ in range(n_p)],
        }
    )
    return workers, pledges


def eligible(workers: pd.DataFrame, pledges: pd.DataFrame) -> set[tuple[int, int]]:
    """The rules, written out directly (independent of the core's KD-tree)."""
    out = set()
    for w in workers.itertuples():
        for p in pledges.itertuples():
            if p.capacity <= 0:
                continue
            d = float(haversine_km(w.lat, w.lon, p.lat, p.lon))
            area = (not np.isnan(p.radius_km) and d <= p.radius_km) or w.kelurahan_code in p.kelurahan_codes
            if area and (not p.occupations or w.occupation in p.occupations):
                out.add((int(w.worker_id), int(p.pledge_id)))
    return out


def oracle(workers: pd.DataFrame, pledges: pd.DataFrame) -> tuple[int, int, int]:
    """networkx max-flow-min-cost with lexicographic weights, scored like `objective`."""
    pairs = eligible(workers, pledges)
    desil = dict(zip(workers.worker_id, workers.desil.fillna(10).astype(int), strict=True))
    pos = {int(w.worker_id): (w.lat, w.lon) for w in workers.itertuples()}
    site = {int(p.pledge_id): (p.lat, p.lon) for p in pledges.itertuples()}
    metres = {(w, p): int(np.rint(float(haversine_km(*pos[w], *site[p])) * 1000)) for w, p in pairs}
    big = 10**9
    g = nx.DiGraph()
    g.add_nodes_from(["s", "t"])
    for w in pos:
        g.add_edge("s", ("w", w), capacity=1, weight=int(desil[w]) * big)
    for (w, p), m in metres.items():
        g.add_edge(("w", w), ("p", p), capacity=1, weight=m)
    for p in pledges.itertuples():
        g.add_edge(("p", int(p.pledge_id)), "t", capacity=int(p.capacity), weight=0)
    flow = nx.max_flow_min_cost(g, "s", "t")
    got = [(w, p) for (w, p) in pairs if flow[("w", w)].get(("p", p), 0)]
    return len(got), sum(int(desil[w]) for w, _ in got), sum(metres[x] for x in got)


def check_invariants(workers: pd.DataFrame, pledges: pd.DataFrame, result: pd.DataFrame) -> None:
    assert list(result.columns[:3]) == ["worker_id", "pledge_id", "distance_km"]
    assert result["worker_id"].is_unique
    cap = dict(zip(pledges.pledge_id, pledges.capacity, strict=True))
    for pid, n in result["pledge_id"].value_counts().items():
        assert n <= cap[pid]
    ok = eligible(workers, pledges)
    assert all((int(w), int(p)) in ok for w, p in zip(result.worker_id, result.pledge_id, strict=True))
    pos = workers.set_index("worker_id")
    site = pledges.set_index("pledge_id")
    for row in result.itertuples():
        d = float(
            haversine_km(
                pos.at[row.worker_id, "lat"],
                pos.at[row.worker_id, "lon"],
                site.at[row.pledge_id, "lat"],
                site.at[row.pledge_id, "lon"],
            )
        )
        assert abs(d - row.distance_km) < 1e-9


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.integers(0, 25), st.integers(0, 5))
def test_invariants_and_optimality_against_networkx(seed: int, n_w: int, n_p: int) -> None:
    workers, pledges = frames(seed, n_w, n_p)
    result = solve(workers, pledges)
    check_invariants(workers, pledges, result)
    assert objective(result) == oracle(workers, pledges)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6))
def test_deterministic_and_independent_of_row_order(seed: int) -> None:
    workers, pledges = frames(seed, 30, 4)
    a = solve(workers, pledges)
    b = solve(workers.sample(frac=1, random_state=1), pledges.sample(frac=1, random_state=2))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, solve(workers, pledges))


@pytest.mark.parametrize("seed", range(12))
def test_split_by_max_cover_keeps_the_optimum(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    # Every component is cut in two by a maximum cover and each side solved by OR-Tools: still the optimum.
    workers, pledges = frames(1000 + seed, 40, 6)
    monkeypatch.setattr(core, "_SPLIT_MIN_ARCS", 0)
    monkeypatch.setattr(auction, "greedy_cover", lambda *_: (False, False, 0))  # always cut, even when not needed
    stats = core.SolveStats()
    result = core.solve_detailed(workers, pledges, stats=stats)
    check_invariants(workers, pledges, result)
    assert objective(result) == oracle(workers, pledges)


def _one(**kw: object) -> pd.DataFrame:
    base = {
        "pledge_id": 1,
        "lat": BASE[0],
        "lon": BASE[1],
        "capacity": 5,
        "radius_km": 1.0,
        "kelurahan_codes": [],
        "occupations": [],
    }
    return pd.DataFrame([{**base, **kw}])


def _workers(n: int, **kw: object) -> pd.DataFrame:
    base = {"lat": BASE[0], "lon": BASE[1], "desil": 3, "occupation": "pedagang", "kelurahan_code": "k1"}
    cols = ["worker_id", "lat", "lon", "desil", "occupation", "kelurahan_code"]
    return pd.DataFrame([{"worker_id": i + 1, **base, **kw} for i in range(n)], columns=cols)


def test_no_workers_and_no_pledges() -> None:
    assert solve(_workers(0), _one()).empty
    empty_p = _one().iloc[0:0]
    assert solve(_workers(3), empty_p).empty
    assert list(solve(_workers(0), empty_p).columns[:3]) == ["worker_id", "pledge_id", "distance_km"]


def test_zero_capacity() -> None:
    assert solve(_workers(3), _one(capacity=0)).empty


def test_identical_locations_break_ties_deterministically() -> None:
    res = solve(_workers(10), _one(capacity=4))
    assert res["worker_id"].tolist() == [1, 2, 3, 4]  # all equal: lowest id first
    assert (res["distance_km"] == 0).all()


def test_most_vulnerable_first_then_nearest() -> None:
    w = pd.DataFrame(
        {
            "worker_id": [1, 2, 3, 4],
            "lat": [BASE[0], BASE[0] + 0.001, BASE[0] + 0.005, BASE[0]],
            "lon": [BASE[1]] * 4,
            "desil": [5, 1, 1, np.nan],
            "occupation": ["x"] * 4,
            "kelurahan_code": ["k1"] * 4,
        }
    )
    res = solve(w, _one(capacity=2))
    assert res["worker_id"].tolist() == [2, 3]
    assert solve(w, _one(capacity=3))["worker_id"].tolist() == [1, 2, 3]  # unknown desil counts as 10


def test_cover_first_beats_desil() -> None:
    # A (desil 1) fits both pledges; B and C (desil 10) one each: covering all three needs A at P2? No -
    # capacities 1 and 1: the optimum covers two workers and, among those, the smallest desil sum.
    w = pd.DataFrame(
        {
            "worker_id": [1, 2],
            "lat": [BASE[0], BASE[0] + 0.02],
            "lon": [BASE[1]] * 2,
            "desil": [1, 10],
            "occupation": ["x", "x"],
            "kelurahan_code": ["k1", "k2"],
        }
    )
    p = pd.DataFrame(
        {
            "pledge_id": [1, 2],
            "lat": [BASE[0], BASE[0] + 0.02],
            "lon": [BASE[1]] * 2,
            "capacity": [1, 1],
            "radius_km": [5.0, 0.5],
            "kelurahan_codes": [[], []],
            "occupations": [[], []],
        }
    )
    res = solve(w, p)
    # Worker 1 could take pledge 2 too, but then worker 2 (only eligible for pledge 2) is left out.
    assert sorted(zip(res.worker_id, res.pledge_id, strict=True)) == [(1, 1), (2, 2)]


def test_overlapping_areas_respect_capacity() -> None:
    w = _workers(12)
    p = pd.concat([_one(pledge_id=1, capacity=5), _one(pledge_id=2, capacity=4)], ignore_index=True)
    res = solve(w, p)
    assert len(res) == 9 and res["worker_id"].is_unique
    assert res["pledge_id"].value_counts().to_dict() == {1: 5, 2: 4}


def test_kelurahan_set_reaches_beyond_radius() -> None:
    far = _workers(3, lat=BASE[0] + 0.3, kelurahan_code="far")
    near = _workers(2, kelurahan_code="near").assign(worker_id=[10, 11])
    res = solve(pd.concat([far, near], ignore_index=True), _one(radius_km=0.5, kelurahan_codes=["far"]))
    assert sorted(res["worker_id"]) == [1, 2, 3, 10, 11]
    assert set(res.loc[res.worker_id < 10, "via"]) == {"kelurahan"}
    assert (res.loc[res.worker_id < 10, "distance_km"] > 30).all()


def test_kelurahan_only_pledge_without_radius_and_occupation_filter() -> None:
    w = pd.concat([_workers(3, occupation="ojek"), _workers(2).assign(worker_id=[7, 8])], ignore_index=True)
    res = solve(w, _one(radius_km=np.nan, kelurahan_codes=["k1"], occupations=["ojek"]))
    assert sorted(res["worker_id"]) == [1, 2, 3]


def test_sticky_current_assignment_only_moves_when_it_pays() -> None:
    # One proposed worker at pledge 2, 1.0 km away; pledge 1 is nearer. A move must save more than STICKY_M.
    north = 1.0 / 111.2  # degrees of latitude per km (about)
    w = _workers(1).assign(current_pledge_id=[2])
    for p1_km, moves in [(0.9, False), (0.5, True)]:
        p = pd.concat(
            [
                _one(pledge_id=1, capacity=1, lat=BASE[0] + p1_km * north),
                _one(pledge_id=2, capacity=1, lat=BASE[0] + north),
            ],
            ignore_index=True,
        )
        got = int(core.solve_detailed(w, p)["pledge_id"].iloc[0])
        assert got == (1 if moves else 2)
        assert int(solve(w.drop(columns="current_pledge_id"), p)["pledge_id"].iloc[0]) == 1  # pure core: nearest


def _spread(seed: int, n_w: int, n_p: int, span: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Workers and pledges over `span` degrees with mixed radii (tiny, large, missing) for the grid search."""
    workers, pledges = frames(seed, n_w, n_p)
    r = np.random.default_rng(seed + 7)
    workers["lat"] = BASE[0] + r.random(n_w) * span
    workers["lon"] = BASE[1] + r.random(n_w) * span
    pledges["lat"] = BASE[0] + r.random(n_p) * span
    pledges["lon"] = BASE[1] + r.random(n_p) * span
    pledges["radius_km"] = r.choice([0.0, 0.3, 2.0, 15.0, 300.0, np.nan], n_p)
    pledges["capacity"] = r.integers(1, 6, n_p)
    return workers, pledges


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize("seed", range(8))
def test_grid_candidates_equal_the_rules(monkeypatch: pytest.MonkeyPatch, seed: int, compiled: bool) -> None:
    # Radii from 0 to 300 km over a 1-degree square: rows narrowed to the disc, boxes taken whole when large. The
    # grid hits expanded by numpy (small inputs) or by the compiled kernel (from 2 M hits): the same pairs.
    monkeypatch.setattr(core, "_COMPILED_MIN_HITS", 0 if compiled else 10**12)
    workers, pledges = _spread(seed, 120, 9, 1.0)
    w, p = core._normalise(workers, pledges)
    c = core.candidate_pairs(w, p)
    got = {(int(w.worker_id[i]), int(p.pledge_id[j])) for i, j in zip(c.w, c.p, strict=True)}
    assert len(got) == len(c.w)  # no duplicate pairs
    assert got == eligible(workers, pledges)
    # Metres are haversine metres, rounded.
    d = haversine_km(w.lat.to_numpy()[c.w], w.lon.to_numpy()[c.w], p.lat.to_numpy()[c.p], p.lon.to_numpy()[c.p])
    expect = np.where(np.isfinite(d), np.rint(np.nan_to_num(d) * 1000), 0)
    assert np.array_equal(c.cost_m, expect)


def test_grid_candidates_on_the_boundary() -> None:
    # Workers exactly at (and a hair around) the radius: the chord-derived distance is redone by haversine.
    centre = BASE
    north = np.array([0.999999999, 1.0, 1.00000000025, 1.000000001, 1.0000001]) * 2.0  # km
    lat = centre[0] + np.degrees(north / 6371.0088)
    w = _workers(len(lat)).assign(lat=lat)
    p = _one(radius_km=float(haversine_km(lat[1], centre[1], *centre)), capacity=10)
    radius = float(p.radius_km.iloc[0])
    inside = {i + 1 for i, a in enumerate(lat) if float(haversine_km(a, centre[1], *centre)) <= radius + 1e-9}
    assert inside == {1, 2, 3}  # 0.5e-9 km beyond the radius is inside the 1e-9 km tolerance; 2e-9 km is not
    assert set(solve(w, p).worker_id) == inside
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(core, "_COMPILED_MIN_HITS", 0)
        assert set(solve(w, p).worker_id) == inside


def test_max_cover_cut_is_a_minimum_cut() -> None:
    # Pledge 0 (1 place) is wanted by workers 0-2; pledge 1 (3 places) by workers 2-3: every maximum cover fills
    # pledge 0 from workers 0-1 (source side, one of them uncovered) and covers workers 2-3 at pledge 1.
    c = core._Component(
        np.array([0, 1, 2, 2, 3], np.int32),
        np.array([0, 0, 0, 1, 1], np.int32),
        np.array([5, 6, 7, 8, 9], np.int32),
        np.array([1, 2, 3, 4], np.int64),
        np.array([1, 3], np.int64),
        np.arange(4),
    )
    cut = core.split_by_max_cover(c)
    assert cut is not None
    s_w, s_p = cut
    assert s_w.tolist() == [True, True, False, False]
    assert s_p.tolist() == [True, False]


def test_components_in_worker_processes_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    # Two far-apart copies of an instance: two components, solved in two processes, same answer as in-process.
    workers, pledges = frames(77, 60, 6)
    far_w = workers.assign(worker_id=workers.worker_id + 10_000, lat=workers.lat + 3.0)
    far_p = pledges.assign(pledge_id=pledges.pledge_id + 100, lat=pledges.lat + 3.0)
    w = pd.concat([workers, far_w], ignore_index=True)
    p = pd.concat([pledges, far_p], ignore_index=True)
    monkeypatch.setattr(core, "_PARALLEL_MIN_PAIRS", 1)
    one = core.solve_detailed(w, p, processes=1)
    two = core.solve_detailed(w, p, processes=2)
    pd.testing.assert_frame_equal(one, two)
    assert objective(one) == tuple(a + b for a, b in zip(oracle(workers, pledges), oracle(far_w, far_p), strict=True))


def _regions(seed: int, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`n` copies of a random instance, 1 degree apart; copy 1 also lists a kelurahan of copy 0 (joins them)."""
    ws, ps = [], []
    for k in range(n):
        workers, pledges = frames(seed + k, 50, 5)
        kel = [f"{c}/{k}" for c in workers.kelurahan_code]
        codes = [[f"{c}/{k}" for c in lst] for lst in pledges.kelurahan_codes]
        if k == 1:
            codes[0] = [*codes[0], "k1/0"]
        ws.append(workers.assign(worker_id=workers.worker_id + 1000 * k, lat=workers.lat + k, kelurahan_code=kel))
        ps.append(pledges.assign(pledge_id=pledges.pledge_id + 100 * k, lat=pledges.lat + k, kelurahan_codes=codes))
    return pd.concat(ws, ignore_index=True), pd.concat(ps, ignore_index=True)


@pytest.mark.parametrize("seed", range(4))
def test_pledge_groups_contain_every_component(seed: int) -> None:
    workers, pledges = _regions(500 + seed, 4)
    w, p = core._normalise(workers, pledges)
    groups = core.pledge_groups(w, p)
    group_of = {int(j): g for g, members in enumerate(groups) for j in members}
    c = core.candidate_pairs(w, p)
    # Pledges sharing a worker are in one group.
    first_group: dict[int, int] = {}
    for wi, pj in zip(c.w.tolist(), c.p.tolist(), strict=True):
        assert first_group.setdefault(wi, group_of[pj]) == group_of[pj]
    # Copies 2 and 3 are on their own; copy 1 lists a kelurahan of copy 0, so those two may be joined.
    assert len(groups) >= 2


@pytest.mark.parametrize("seed", range(3))
def test_groups_in_worker_processes_equal_one_process(seed: int) -> None:
    workers, pledges = _regions(600 + seed, 4)
    one = core.solve_detailed(workers, pledges, processes=1)
    stats = core.SolveStats()
    two = core.solve_detailed(workers, pledges, processes=2, stats=stats)
    assert stats.extra.get("groups", 0) >= 2
    pd.testing.assert_frame_equal(one, two)
    check_invariants(workers, pledges, two)
    assert objective(two) == oracle(workers, pledges)


def test_many_small_groups_are_packed_into_few_tasks() -> None:
    workers, pledges = _regions(900, 12)  # 11-12 independent groups, 2 processes -> at most 8 tasks
    w, p = core._normalise(workers, pledges)
    groups = core.pledge_groups(w, p)
    bins = core._bins(groups, p, 8)
    assert len(groups) > 8 and len(bins) == 8
    assert sorted(np.concatenate(bins).tolist()) == sorted(np.concatenate(groups).tolist())
    pd.testing.assert_frame_equal(core.solve_detailed(workers, pledges, processes=2), solve(workers, pledges))


@pytest.mark.parametrize("seed", range(6))
def test_compiled_components_number_them_like_scipy(seed: int) -> None:
    # Big candidate graphs use a compiled union-find (core._components); it must give scipy's labels exactly.
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from services.matching import auction

    r = np.random.default_rng(seed)
    n_w, n_p, m = [(1, 1, 1), (40, 5, 20), (500, 30, 300), (3000, 200, 2500), (200, 50, 4000), (10, 400, 30)][seed]
    pw, pp = r.integers(0, n_w, m).astype(np.int32), r.integers(0, n_p, m).astype(np.int32)
    graph = coo_matrix((np.ones(m, np.int8), (pw, pp + n_w)), shape=(n_w + n_p,) * 2)
    n_ref, ref = connected_components(graph, directed=False)
    n_got, got = auction.components(pw, pp, n_w, n_p)
    assert n_got == n_ref
    np.testing.assert_array_equal(got, ref)


@pytest.mark.parametrize("seed", range(4))
def test_solve_with_compiled_components_equals_networkx(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    workers, pledges = frames(2000 + seed, 60, 8)
    monkeypatch.setattr(core, "_COMPILED_MIN_PAIRS", 0)  # every graph through the compiled union-find
    result = solve(workers, pledges)
    check_invariants(workers, pledges, result)
    assert objective(result) == oracle(workers, pledges)
