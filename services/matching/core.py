"""The pure matching core: eligible pairs, independent parts, exact lexicographic optimum.

Objective, in this order: (1) most workers covered, (2) smallest sum of desil (unknown = 10),
(3) smallest total distance (whole metres). See docs/matching.md for the proofs behind the shortcuts:

- *Split*: connected components of the candidate graph share no worker and no pledge, so the optimum is
  the union of the components' optima. A component with one pledge is solved exactly by sorting.
- *Prune with a certificate*: each component is first solved on a subgraph (for every pledge only its
  best few candidates). Node potentials (shortest-path distances in the residual graph) prove the
  subgraph optimum optimal for the whole graph when no left-out pair has a negative reduced cost;
  otherwise the violating pairs are added and the subgraph is solved again. The loop ends with a proof.
- *Lexicographic costs in one flow*: a min-cost circulation with worker arcs costing (desil - 11) * M and
  pair arcs costing metres, M larger than any possible difference of total distance.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from ortools.graph.python import min_cost_flow
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from services.geo import chord_for_km, haversine_km, unit_xyz

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

UNKNOWN_DESIL = 10
COVER_PROFIT = 11  # a covered worker is worth (11 - desil) * M: covering always beats any desil gain
# A proposed assignment counts as this many metres shorter when the worker may stay: a move must shave more
# than this off the total distance (or improve coverage/desil) to happen. Keeps re-optimisation churn small.
STICKY_M = 250
_PRUNE_FACTOR = 2  # first subgraph: each pledge keeps its best 2 * capacity + _PRUNE_EXTRA candidates
_PRUNE_EXTRA = 16
_PRUNE_MIN_ARCS = 50_000  # components smaller than this are solved on all their pairs at once
_PRICE_PER_WORKER = 2  # pairs added per worker and pricing round
_PRUNE_PER_WORKER = 3  # first subgraph: each worker's nearest pledges

WORKER_COLUMNS = ["worker_id", "lat", "lon", "desil", "occupation", "kelurahan_code"]
PLEDGE_COLUMNS = ["pledge_id", "lat", "lon", "capacity", "radius_km", "kelurahan_codes", "occupations"]
RESULT_COLUMNS = ["worker_id", "pledge_id", "distance_km", "desil", "via"]


@dataclass
class SolveStats:
    """Timings (seconds) and sizes of one solve, for benchmarks and the CLI."""

    candidates_s: float = 0.0
    solve_s: float = 0.0
    pairs: int = 0
    components: int = 0
    largest_component_pairs: int = 0
    flow_arcs: int = 0  # pair arcs actually given to the flow solver (after pruning)
    pricing_rounds: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Candidates:
    """Eligible (worker, pledge) pairs, grouped by pledge (pledge-major), with integer costs."""

    w: IntArray  # worker index (row in the sorted worker frame)
    p: IntArray  # pledge index (row in the sorted pledge frame)
    dist_km: FloatArray
    cost_m: IntArray  # whole metres, the distance level of the objective
    by_radius: BoolArray  # inside the radius (else: only through the kelurahan set)


# ---------------------------------------------------------------------------------------------------------------
# Input normalisation


def _normalise(workers: pd.DataFrame, pledges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    missing_w = [c for c in WORKER_COLUMNS if c not in workers.columns]
    missing_p = [c for c in PLEDGE_COLUMNS if c not in pledges.columns]
    if missing_w or missing_p:
        raise ValueError(f"missing columns: workers {missing_w}, pledges {missing_p}")
    # Sorting by id makes the result independent of row order (same input set -> same output, ties included).
    w = workers.sort_values("worker_id", kind="stable").reset_index(drop=True)
    p = pledges.sort_values("pledge_id", kind="stable").reset_index(drop=True)
    if w["worker_id"].duplicated().any() or p["pledge_id"].duplicated().any():
        raise ValueError("worker_id and pledge_id must be unique")
    return w, p


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, float) and np.isnan(value):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]  # type: ignore[attr-defined]


def effective_desil(desil: pd.Series) -> IntArray:
    """Desil as used by the objective: unknown counts as 10."""
    d = pd.to_numeric(desil, errors="coerce").fillna(UNKNOWN_DESIL).to_numpy(dtype=np.float64)
    return np.clip(np.rint(d), 1, 10).astype(np.int64)


# ---------------------------------------------------------------------------------------------------------------
# Candidate pairs


def candidate_pairs(w: pd.DataFrame, p: pd.DataFrame) -> Candidates:
    """Every eligible pair (no pruning): inside the radius or in the kelurahan set, and occupation matches."""
    n_w = len(w)
    wlat = pd.to_numeric(w["lat"], errors="coerce").to_numpy(dtype=np.float64)
    wlon = pd.to_numeric(w["lon"], errors="coerce").to_numpy(dtype=np.float64)
    located = np.flatnonzero(np.isfinite(wlat) & np.isfinite(wlon))
    tree = cKDTree(unit_xyz(wlat[located], wlon[located])) if len(located) else None

    # Kelurahan -> worker rows (sorted), for the kelurahan-set part of an area.
    kel_codes, kel_uniques = pd.factorize(w["kelurahan_code"].astype(object).where(w["kelurahan_code"].notna()))
    kel_order = np.argsort(kel_codes, kind="stable")
    kel_sorted = kel_codes[kel_order]
    kel_index = {str(code): i for i, code in enumerate(kel_uniques)}
    occ_codes, occ_uniques = pd.factorize(w["occupation"].astype(object).where(w["occupation"].notna()))
    occ_index = {str(o): i for i, o in enumerate(occ_uniques)}

    plat = pd.to_numeric(p["lat"], errors="coerce").to_numpy(dtype=np.float64)
    plon = pd.to_numeric(p["lon"], errors="coerce").to_numpy(dtype=np.float64)
    prad = pd.to_numeric(p["radius_km"], errors="coerce").to_numpy(dtype=np.float64)
    pcap = pd.to_numeric(p["capacity"], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    has_site = np.isfinite(plat) & np.isfinite(plon)
    use_radius = has_site & np.isfinite(prad) & (prad >= 0) & (pcap > 0)

    radius_hits: list[Any] = [[] for _ in range(len(p))]
    if tree is not None and use_radius.any():
        idx = np.flatnonzero(use_radius)
        # A little slack on the chord; the exact haversine test below decides.
        chords = chord_for_km(prad[idx]) * (1 + 1e-9) + 1e-12
        hits = tree.query_ball_point(unit_xyz(plat[idx], plon[idx]), r=chords, return_sorted=True)
        for jj, h in zip(idx.tolist(), hits, strict=True):
            radius_hits[jj] = h

    ws: list[IntArray] = []
    ps: list[IntArray] = []
    ds: list[FloatArray] = []
    rs: list[BoolArray] = []
    for j in range(len(p)):
        if pcap[j] <= 0:
            continue
        rw = located[np.asarray(radius_hits[j], dtype=np.int64)] if len(radius_hits[j]) else np.empty(0, np.int64)
        codes = [kel_index[c] for c in _as_list(p.at[j, "kelurahan_codes"]) if c in kel_index]
        if codes:
            parts = []
            for c in sorted(set(codes)):
                lo, hi = np.searchsorted(kel_sorted, [c, c + 1])
                parts.append(kel_order[lo:hi])
            kw = np.sort(np.concatenate(parts)).astype(np.int64)
        else:
            kw = np.empty(0, np.int64)
        if has_site[j]:
            rd = haversine_km(wlat[rw], wlon[rw], plat[j], plon[j])
            keep = rd <= prad[j] + 1e-9
            rw, rd = rw[keep], rd[keep]
            kd = haversine_km(wlat[kw], wlon[kw], plat[j], plon[j])
            if use_radius[j]:
                # Pairs already inside the radius come from the radius part; no duplicates.
                outside = ~(kd <= prad[j] + 1e-9)
                kw, kd = kw[outside], kd[outside]
        else:
            rw, rd = np.empty(0, np.int64), np.empty(0, np.float64)
            kd = np.full(len(kw), np.nan)
        aw = np.concatenate([rw, kw])
        ad = np.concatenate([rd, kd])
        ar = np.concatenate([np.ones(len(rw), bool), np.zeros(len(kw), bool)])
        occs = _as_list(p.at[j, "occupations"])
        if occs and len(aw):
            allowed = np.zeros(len(occ_uniques) + 1, dtype=bool)  # last slot: unknown occupation (-1)
            for o in occs:
                if o in occ_index:
                    allowed[occ_index[o]] = True
            ok = allowed[occ_codes[aw]]
            aw, ad, ar = aw[ok], ad[ok], ar[ok]
        if len(aw):
            ws.append(aw)
            ps.append(np.full(len(aw), j, dtype=np.int64))
            ds.append(ad)
            rs.append(ar)
    if not ws:
        e = np.empty(0, np.int64)
        return Candidates(e, e.copy(), np.empty(0, np.float64), e.copy(), np.empty(0, bool))
    dist = np.concatenate(ds)
    cost = np.where(np.isfinite(dist), np.rint(np.nan_to_num(dist) * 1000.0), 0).astype(np.int64)
    del n_w
    return Candidates(np.concatenate(ws), np.concatenate(ps), dist, cost, np.concatenate(rs))


# ---------------------------------------------------------------------------------------------------------------
# One component


@dataclass
class _Component:
    aw: IntArray  # local worker index per pair
    ap: IntArray  # local pledge index per pair
    ac: IntArray  # cost in metres per pair (stickiness already applied)
    desil: IntArray  # per local worker
    cap: IntArray  # per local pledge
    worker_rank: IntArray  # per local worker: global order (for deterministic tie-breaks)


def _solve_single_pledge(c: _Component) -> IntArray:
    """One pledge: the optimum is its `cap` best candidates by (desil, metres, worker order). Returns pair idx."""
    order = np.lexsort((c.worker_rank[c.aw], c.ac, c.desil[c.aw]))
    return np.sort(order[: int(c.cap[0])])


def _big_m(c: _Component) -> int:
    # Any two solutions differ in total metres by less than (workers that can be covered) * (largest cost) + 1.
    n = min(len(c.desil), int(c.cap.sum()))
    return int(n * int(c.ac.max(initial=0)) + 1)


def _flow(c: _Component, sel: IntArray, big_m: int) -> tuple[IntArray, IntArray]:
    """Min-cost circulation on the selected pairs. Returns (flow per selected pair, used worker locals)."""
    sw, sp, sc = c.aw[sel], c.ap[sel], c.ac[sel]
    used_w = np.unique(sw)
    n_w, n_p = len(used_w), len(c.cap)
    wnode = np.searchsorted(used_w, sw) + 2  # 0 = source, 1 = sink
    pnode = sp + 2 + n_w
    f = min_cost_flow.SimpleMinCostFlow()
    # Block order: source->worker, worker->pledge, pledge->sink, sink->source (return arc).
    tails = np.concatenate([np.zeros(n_w, np.int64), wnode, np.arange(n_p) + 2 + n_w, [1]])
    heads = np.concatenate([np.arange(n_w) + 2, pnode, np.ones(n_p, np.int64), [0]])
    caps = np.concatenate([np.ones(n_w, np.int64), np.ones(len(sel), np.int64), c.cap, [n_w]])
    costs = np.concatenate([(c.desil[used_w] - COVER_PROFIT) * big_m, sc, np.zeros(n_p, np.int64), [0]]).astype(
        np.int64
    )
    f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    status = f.solve()
    if status != f.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    first = n_w
    flows = f.flows(np.arange(first, first + len(sel)))
    return np.asarray(flows, dtype=np.int64), used_w


def _potentials(
    c: _Component, sel: IntArray, flow: IntArray, big_m: int
) -> tuple[FloatArray | IntArray, IntArray, IntArray, IntArray]:
    """Shortest-path potentials of the residual graph of the subgraph solution.

    Computed on the pledge level (source, sink and pledges) because a worker node has a single way in:
    its assigned pledge (back along its pair) or the source. Returns (d_pledge, d_worker, asg_p, asg_c).
    """
    n_w, n_p = len(c.desil), len(c.cap)
    s_node, t_node = n_p, n_p + 1
    sw, sp, sc = c.aw[sel], c.ap[sel], c.ac[sel]
    on = flow > 0
    asg_p = np.full(n_w, -1, np.int64)
    asg_c = np.zeros(n_w, np.int64)
    asg_p[sw[on]] = sp[on]
    asg_c[sw[on]] = sc[on]
    load = np.bincount(sp[on], minlength=n_p)
    profit = (c.desil - COVER_PROFIT) * big_m  # cost of source -> worker

    off = ~on
    ow, op, oc = sw[off], sp[off], sc[off]
    free = asg_p[ow] < 0
    src = [np.where(free, s_node, asg_p[ow])]
    dst = [op]
    wt = [np.where(free, profit[ow] + oc, oc - asg_c[ow])]
    aw_ = np.flatnonzero(asg_p >= 0)
    src.append(asg_p[aw_])
    dst.append(np.full(len(aw_), s_node))
    wt.append(-asg_c[aw_] - profit[aw_])
    notfull = np.flatnonzero(load < c.cap)
    src.append(notfull)
    dst.append(np.full(len(notfull), t_node))
    wt.append(np.zeros(len(notfull), np.int64))
    loaded = np.flatnonzero(load > 0)
    src.append(np.full(len(loaded), t_node))
    dst.append(loaded)
    wt.append(np.zeros(len(loaded), np.int64))
    src.append(np.array([t_node] + ([s_node] if len(aw_) else [])))
    dst.append(np.array([s_node] + ([t_node] if len(aw_) else [])))
    wt.append(np.zeros(1 + (1 if len(aw_) else 0), np.int64))
    s_all = np.concatenate(src).astype(np.int64)
    d_all = np.concatenate(dst).astype(np.int64)
    w_all = np.concatenate(wt).astype(np.int64)
    n_nodes = n_p + 2
    # Keep the cheapest arc per (src, dst), grouped by dst for reduceat.
    key = d_all * n_nodes + s_all
    order = np.lexsort((w_all, key))
    key, s_all, d_all, w_all = key[order], s_all[order], d_all[order], w_all[order]
    first = np.concatenate([[True], key[1:] != key[:-1]])
    s_all, d_all, w_all = s_all[first], d_all[first], w_all[first]
    starts = np.flatnonzero(np.concatenate([[True], d_all[1:] != d_all[:-1]]))
    heads = d_all[starts]
    d = np.zeros(n_nodes, np.int64)  # a virtual root reaches every node at cost 0
    for _ in range(n_nodes + 2):
        best = np.minimum.reduceat(d[s_all] + w_all, starts)
        new = d.copy()
        new[heads] = np.minimum(d[heads], best)
        if np.array_equal(new, d):
            break
        d = new
    else:  # pragma: no cover - would mean the solver returned a non-optimal flow
        raise RuntimeError("negative cycle in the residual graph: subgraph solution not optimal")
    d_w = np.where(asg_p >= 0, np.minimum(0, d[np.maximum(asg_p, 0)] - asg_c), np.minimum(0, d[s_node] + profit))
    return d, d_w.astype(np.int64), asg_p, asg_c


def _solve_flow_component(c: _Component, stats: SolveStats | None) -> IntArray:
    """Exact optimum of one component. Returns the indices of chosen pairs."""
    big_m = _big_m(c)
    n_arcs = len(c.aw)
    if n_arcs <= _PRUNE_MIN_ARCS:
        sel = np.arange(n_arcs)
    else:
        # Start from each pledge's best candidates in objective order: (desil, metres).
        key = c.desil[c.aw] * (1 << 40) + c.ac
        order = np.lexsort((key, c.ap))
        bounds = np.searchsorted(c.ap[order], np.arange(len(c.cap) + 1))
        keep = np.zeros(n_arcs, bool)
        for j in range(len(c.cap)):
            lo, hi = bounds[j], bounds[j + 1]
            k = _PRUNE_FACTOR * int(c.cap[j]) + _PRUNE_EXTRA
            keep[order[lo : min(hi, lo + k)]] = True
        # ... and each worker its nearest few pledges, so the first subgraph already covers every worker.
        wkey = c.aw * (1 << 32) + np.minimum(c.ac, (1 << 32) - 1)
        worder = np.argsort(wkey, kind="stable")
        sw = c.aw[worder]
        rank = np.arange(n_arcs) - np.searchsorted(sw, sw)
        keep[worder[rank < _PRUNE_PER_WORKER]] = True
        sel = np.flatnonzero(keep)
    rounds = 0
    while True:
        rounds += 1
        flow, _used = _flow(c, sel, big_m)
        if len(sel) == n_arcs:
            break
        d, d_w, _, _ = _potentials(c, sel, flow, big_m)
        rest = np.ones(n_arcs, bool)
        rest[sel] = False
        ri = np.flatnonzero(rest)
        rc = c.ac[ri] + d_w[c.aw[ri]] - d[c.ap[ri]]
        neg = rc < 0
        if not neg.any():
            break  # certificate: every left-out pair has a non-negative reduced cost
        # Partial pricing: per worker only its most violated pairs (adding them all bloats the subgraph).
        bad, bad_rc = ri[neg], rc[neg]
        order = np.lexsort((bad_rc, c.aw[bad]))
        bad_w = c.aw[bad][order]
        rank = np.arange(len(order)) - np.searchsorted(bad_w, bad_w)
        bad = bad[order[rank < _PRICE_PER_WORKER]]
        sel = np.sort(np.concatenate([sel, bad]))
    if stats is not None:
        stats.pricing_rounds = max(stats.pricing_rounds, rounds)
        stats.flow_arcs += len(sel)
    return sel[flow > 0]


def _solve_component(c: _Component) -> IntArray:
    if len(c.cap) == 1:
        return _solve_single_pledge(c)
    return _solve_flow_component(c, None)


# ---------------------------------------------------------------------------------------------------------------
# Public core


def solve(workers: pd.DataFrame, pledges: pd.DataFrame) -> pd.DataFrame:
    """Exact lexicographic optimum. Columns first worker_id, pledge_id, distance_km (then desil, via)."""
    return solve_detailed(workers, pledges)


def solve_detailed(
    workers: pd.DataFrame,
    pledges: pd.DataFrame,
    *,
    progress: Callable[[int, int], None] | None = None,
    stats: SolveStats | None = None,
    processes: int = 1,
) -> pd.DataFrame:
    """`solve` with a progress callback (components done, total), timings, and optional worker processes.

    An optional workers column `current_pledge_id` marks proposed assignments that may stay: their pair
    counts STICKY_M metres shorter, so a worker only moves when that pays off (small churn).
    """
    t0 = time.perf_counter()
    w, p = _normalise(workers, pledges)
    cand = candidate_pairs(w, p)
    desil = effective_desil(w["desil"])
    cap = pd.to_numeric(p["capacity"], errors="coerce").fillna(0).to_numpy(dtype=np.int64).clip(min=0)
    cost = cand.cost_m
    if "current_pledge_id" in w.columns and len(cand.w):
        cur = pd.to_numeric(w["current_pledge_id"], errors="coerce").to_numpy(dtype=np.float64)
        pid = p["pledge_id"].to_numpy(dtype=np.float64)
        stay = cur[cand.w] == pid[cand.p]
        cost = np.where(stay, np.maximum(cost - STICKY_M, 0), cost)
    t1 = time.perf_counter()
    if stats is not None:
        stats.candidates_s += t1 - t0
        stats.pairs += len(cand.w)

    chosen = _solve_all(cand, cost, desil, cap, len(w), len(p), progress, stats, processes)
    if stats is not None:
        stats.solve_s += time.perf_counter() - t1
    out = pd.DataFrame(
        {
            "worker_id": w["worker_id"].to_numpy()[cand.w[chosen]],
            "pledge_id": p["pledge_id"].to_numpy()[cand.p[chosen]],
            "distance_km": cand.dist_km[chosen],
            "desil": desil[cand.w[chosen]],
            "via": np.where(cand.by_radius[chosen], "radius", "kelurahan"),
        },
        columns=RESULT_COLUMNS,
    )
    return out.sort_values(["pledge_id", "worker_id"], kind="stable").reset_index(drop=True)


def _solve_all(
    cand: Candidates,
    cost: IntArray,
    desil: IntArray,
    cap: IntArray,
    n_w: int,
    n_p: int,
    progress: Callable[[int, int], None] | None,
    stats: SolveStats | None,
    processes: int,
) -> IntArray:
    if len(cand.w) == 0:
        if progress:
            progress(0, 0)
        return np.empty(0, np.int64)
    graph = coo_matrix((np.ones(len(cand.w), np.int8), (cand.w, cand.p + n_w)), shape=(n_w + n_p, n_w + n_p))
    n_comp, labels = connected_components(graph, directed=False)
    arc_label = labels[cand.w]
    if stats is not None:
        counts = np.bincount(arc_label)
        stats.components += int((counts > 0).sum())
        stats.largest_component_pairs = max(stats.largest_component_pairs, int(counts.max()))
    order = np.argsort(arc_label, kind="stable")
    bounds = np.searchsorted(arc_label[order], np.arange(n_comp + 1))
    comps: list[tuple[IntArray, _Component]] = []
    for k in range(n_comp):
        idx = order[bounds[k] : bounds[k + 1]]
        if len(idx) == 0:
            continue
        gw, lw = np.unique(cand.w[idx], return_inverse=True)
        gp, lp = np.unique(cand.p[idx], return_inverse=True)
        comps.append((idx, _Component(lw.astype(np.int64), lp.astype(np.int64), cost[idx], desil[gw], cap[gp], gw)))
    # Big components first, so parallel workers finish together.
    comps.sort(key=lambda item: -len(item[0]))
    picked: list[IntArray] = []
    total = len(comps)
    if processes > 1 and total > 1:
        with ProcessPoolExecutor(max_workers=processes) as pool:
            for n, ((idx, _c), sel) in enumerate(
                zip(comps, pool.map(_solve_component, [c for _i, c in comps]), strict=True), 1
            ):
                picked.append(idx[sel])
                if progress:
                    progress(n, total)
    else:
        for n, (idx, comp) in enumerate(comps, 1):
            sel = _solve_single_pledge(comp) if len(comp.cap) == 1 else _solve_flow_component(comp, stats)
            picked.append(idx[sel])
            if progress:
                progress(n, total)
    return np.sort(np.concatenate(picked)) if picked else np.empty(0, np.int64)


def objective(result: pd.DataFrame) -> tuple[int, int, int]:
    """(covered, sum of desil, total whole metres) of a result, as the solver scores it."""
    if len(result) == 0:
        return (0, 0, 0)
    metres = np.rint(np.nan_to_num(result["distance_km"].to_numpy(dtype=np.float64)) * 1000.0).astype(np.int64)
    return (len(result), int(result["desil"].sum()), int(metres.sum()))
