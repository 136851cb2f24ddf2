"""The pure matching core: eligible pairs, independent parts, exact lexicographic optimum.

Objective, in this order: (1) most workers covered, (2) smallest sum of desil (unknown = 10),
(3) smallest total distance (whole metres). See docs/matching.md for the proofs behind the shortcuts:

- *Split*: connected components of the candidate graph share no worker and no pledge, so the optimum is
  the union of the components' optima. A component with one pledge is solved exactly by sorting.
- *Lexicographic costs in one flow*: a min-cost circulation with worker arcs costing (desil - 11) * M and
  pair arcs costing metres, M larger than any possible difference of total distance.
- *Workers renumbered by their nearest pledge* in a big component: the same problem, read from nearby memory.
- *Auction* (`auction.py`): a big component or side is solved by a compiled auction on values scaled so that
  its last phase is exact, checked by a duality-gap certificate; OR-Tools takes over if the check fails.
- *Cut by a maximum cover*: when a big component's optimum leaves many places empty *and* workers uncovered, a
  checked minimum cut of the cover problem splits it into a side where every place is filled and a side where
  every worker is covered; the optimum is the union of the sides' optima.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from ortools.graph.python import max_flow, min_cost_flow
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from services.platform.geo import EARTH_RADIUS_KM, bounding_box, chord_for_km, haversine_km, unit_xyz

IntArray = npt.NDArray[np.int64]
I32Array = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

UNKNOWN_DESIL = 10
COVER_PROFIT = 11  # a covered worker is worth (11 - desil) * M: covering always beats any desil gain
# A proposed assignment counts as this many metres shorter when the worker may stay: a move must shave more
# than this off the total distance (or improve coverage/desil) to happen. Keeps re-optimisation churn small.
STICKY_M = 250
_GROUP_SLACK_KM = 0.01  # pledge groups: discs "meet" up to this far apart (an over-approximation is safe)
_PARALLEL_MIN_PAIRS = 200_000  # with processes > 1, components at least this big go to worker processes
_PARALLEL_MIN_WORKERS = 50_000  # with processes > 1, one big group's pairs are built by worker processes
_SPLIT_MIN_ARCS = 50_000  # components at least this big: renumbered, and cut in two by a maximum cover if needed
_AUCTION_MIN_ARCS = 50_000  # components (and sides) at least this big: the auction (auction.py)
_COMPILED_MIN_PAIRS = 1_000_000  # candidate graphs at least this big: compiled connected components
_WHOLE_MIN_PAIRS_PER_WORKER = 30  # see _cut_and_solve
_BOTH_MAX_EMPTY = 0.05  # no cut when a greedy cover leaves at most this many places per worker empty (auction.py)

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
    flow_arcs: int = 0  # pair arcs given to OR-Tools
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Candidates:
    """Eligible (worker, pledge) pairs, with integer costs.

    Indices and metres are 32-bit (a national run holds ~10^8 pairs); distances in km are computed only for
    the chosen pairs (`pair_distance_km`), exactly by haversine.
    """

    w: I32Array  # worker index (row in the sorted worker frame)
    p: I32Array  # pledge index (row in the sorted pledge frame)
    cost_m: I32Array  # whole metres (haversine, rounded), the distance level of the objective; 0 if unknown
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


_CELLS_PER_RADIUS = 10  # grid cell = median radius / this: a pledge scans ~2 * this + 1 rows of cells
_COMPILED_MIN_HITS = 2_000_000  # grid hits from which the compiled kernel expands them (regency: pairs 2x faster)
_CHUNK_PAIRS = 1_000_000  # pledges are scanned in chunks of about this many grid hits (bounded memory)
_EXACT_BAND_KM = 1e-7  # chord-derived distances this close to a decision boundary are redone by haversine


def _expand_ranges(starts: IntArray, ends: IntArray) -> tuple[IntArray, IntArray]:
    """Concatenate the index ranges [starts[i], ends[i]). Returns (indices, range number of each index)."""
    lens = np.maximum(ends - starts, 0)
    total = int(lens.sum())
    owner = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
    offsets = np.cumsum(lens) - lens
    idx = np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, lens)
    return idx, owner


def _exact_km(
    approx_km: FloatArray, wlat: FloatArray, wlon: FloatArray, plat: FloatArray, plon: FloatArray, bounds: FloatArray
) -> FloatArray:
    """Chord-derived distances, redone by haversine where a decision (radius, half metre) is within reach.

    The chord of two unit vectors is accurate to ~1e-15, so its distance differs from haversine by ~1e-12 km;
    the band is 1e-7 km. Every keep/cost decision is therefore the one haversine itself would take.
    """
    near = np.abs(approx_km - bounds) <= _EXACT_BAND_KM
    mm = approx_km * 1000.0
    near |= np.abs(mm - np.floor(mm) - 0.5) <= _EXACT_BAND_KM * 1000.0
    if near.any():
        k = np.flatnonzero(near)
        approx_km = approx_km.copy()
        approx_km[k] = haversine_km(wlat[k], wlon[k], plat[k], plon[k])
    return approx_km


def candidate_pairs(w: pd.DataFrame, p: pd.DataFrame, only: IntArray | None = None) -> Candidates:
    """Every eligible pair (no pruning): inside the radius or in the kelurahan set, and occupation matches.

    `only`: restrict to these pledge rows. The pairs of a pledge and their order do not depend on which other
    pledges are included (the grid is set by all workers and all pledges), so a group's pairs are exactly the
    whole problem's pairs of those pledges, in the same relative order.

    Radius part: workers are bucketed in a lat/lon grid (sorted by cell), a pledge's bounding box is a few
    contiguous runs of that order, and the runs are expanded and tested with numpy (no Python per pair).
    """
    wlat = pd.to_numeric(w["lat"], errors="coerce").to_numpy(dtype=np.float64)
    wlon = pd.to_numeric(w["lon"], errors="coerce").to_numpy(dtype=np.float64)
    located = np.flatnonzero(np.isfinite(wlat) & np.isfinite(wlon))

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
    all_radius = np.flatnonzero(use_radius)
    # Cell: a tenth of the median radius, but a pledge never scans more than ~2,000 rows (huge radii).
    cell_km = (
        max(float(np.median(prad[all_radius])) / _CELLS_PER_RADIUS, float(prad[all_radius].max()) / 1000, 0.005)
        if len(all_radius)
        else 1.0
    )
    if only is not None:
        chosen = np.zeros(len(p), bool)
        chosen[np.asarray(only, np.int64)] = True
        pcap = np.where(chosen, pcap, 0)
        use_radius &= chosen

    # Occupation filter: allowed[pledge, occupation code]; the last column is "unknown occupation" (code -1).
    allowed = np.ones((len(p), len(occ_uniques) + 1), dtype=bool)
    for j, occs in enumerate(p["occupations"].tolist()):
        names = _as_list(occs)
        if names:
            allowed[j] = False
            for o in names:
                if o in occ_index:
                    allowed[j, occ_index[o]] = True

    parts_w: list[I32Array] = []
    parts_p: list[I32Array] = []
    parts_c: list[I32Array] = []
    parts_r: list[BoolArray] = []
    radius_idx = np.flatnonzero(use_radius)
    if len(located) and len(radius_idx):
        _radius_pairs(wlat, wlon, located, plat, plon, prad, radius_idx, cell_km, parts_w, parts_p, parts_c)
        parts_r.extend(np.ones(len(x), bool) for x in parts_w)
    # Kelurahan-set part: workers of those kelurahan that are not already inside the radius.
    kw_list: list[IntArray] = []
    kp_list: list[IntArray] = []
    for j, codes_raw in enumerate(p["kelurahan_codes"].tolist()):
        if pcap[j] <= 0:
            continue
        codes = sorted({kel_index[c] for c in _as_list(codes_raw) if c in kel_index})
        if not codes:
            continue
        lo = np.searchsorted(kel_sorted, codes, side="left")
        hi = np.searchsorted(kel_sorted, codes, side="right")
        idx, _owner = _expand_ranges(lo.astype(np.int64), hi.astype(np.int64))
        kw_list.append(np.sort(kel_order[idx]).astype(np.int64))
        kp_list.append(np.full(len(idx), j, np.int64))
    if kw_list:
        kw, kp = np.concatenate(kw_list), np.concatenate(kp_list)
        kd = haversine_km(wlat[kw], wlon[kw], plat[kp], plon[kp])  # NaN without a site or worker location
        outside = ~(kd <= prad[kp] + 1e-9) | ~use_radius[kp]
        kw, kp, kd = kw[outside], kp[outside], kd[outside]
        parts_w.append(kw.astype(np.int32))
        parts_p.append(kp.astype(np.int32))
        parts_c.append(np.where(np.isfinite(kd), np.rint(np.nan_to_num(kd) * 1000.0), 0).astype(np.int32))
        parts_r.append(np.zeros(len(kw), bool))
    if not parts_w:
        e = np.empty(0, np.int32)
        return Candidates(e, e.copy(), e.copy(), np.empty(0, bool))
    aw = np.concatenate(parts_w).astype(np.int32, copy=False)
    ap = np.concatenate(parts_p).astype(np.int32, copy=False)
    ac = np.concatenate(parts_c).astype(np.int32, copy=False)
    ar = np.concatenate(parts_r)
    # Pledges that ask for occupations: only their pairs are checked.
    restricted = ~np.all(allowed, axis=1, keepdims=False).reshape(-1)
    if restricted.any():
        check = np.flatnonzero(restricted[ap])
        bad = check[~np.asarray(allowed[ap[check], occ_codes[aw[check]]], dtype=bool)]
        if len(bad):
            ok = np.ones(len(aw), bool)
            ok[bad] = False
            aw, ap, ac, ar = aw[ok], ap[ok], ac[ok], ar[ok]
    # The order is deterministic (a function of the sorted inputs); the solver does not depend on it otherwise.
    return Candidates(aw, ap, ac, ar)


def pair_distance_km(w: pd.DataFrame, p: pd.DataFrame, wi: npt.ArrayLike, pj: npt.ArrayLike) -> FloatArray:
    """Haversine km of given pairs (NaN where the worker or the pledge has no location)."""
    wi, pj = np.asarray(wi, np.int64), np.asarray(pj, np.int64)
    wlat = pd.to_numeric(w["lat"], errors="coerce").to_numpy(dtype=np.float64)
    wlon = pd.to_numeric(w["lon"], errors="coerce").to_numpy(dtype=np.float64)
    plat = pd.to_numeric(p["lat"], errors="coerce").to_numpy(dtype=np.float64)
    plon = pd.to_numeric(p["lon"], errors="coerce").to_numpy(dtype=np.float64)
    return haversine_km(wlat[wi], wlon[wi], plat[pj], plon[pj])


def _radius_pairs(
    wlat: FloatArray,
    wlon: FloatArray,
    located: IntArray,
    plat: FloatArray,
    plon: FloatArray,
    prad: FloatArray,
    radius_idx: IntArray,
    cell_km: float,
    out_w: list[I32Array],
    out_p: list[I32Array],
    out_c: list[I32Array],
) -> None:
    """Pairs with haversine distance <= radius (+1e-9 km), appended to the out lists (metres as costs)."""
    xyz = unit_xyz(wlat[located], wlon[located])
    pxyz = unit_xyz(plat, plon)
    cell = cell_km / 111.19  # degrees
    lat0 = float(wlat[located].min())
    lon0 = float(wlon[located].min())
    gi = np.floor((wlat[located] - lat0) / cell).astype(np.int64)
    gj = np.floor((wlon[located] - lon0) / cell).astype(np.int64)
    nrows, ncols = int(gi.max()) + 1, int(gj.max()) + 1
    key = gi * ncols + gj
    worder = np.argsort(key, kind="stable")
    skey = key[worder]
    # Bounding boxes (a safe superset of the disc); boxes that wrap the antimeridian take every column.
    boxes = [bounding_box(float(plat[j]), float(plon[j]), float(prad[j])) for j in radius_idx.tolist()]
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    wraps = (b[:, 2] < -180.0) | (b[:, 3] > 180.0)
    i_lo = np.clip(np.floor((b[:, 0] - lat0) / cell), 0, nrows).astype(np.int64)
    i_hi = np.clip(np.floor((b[:, 1] - lat0) / cell), -1, nrows - 1).astype(np.int64)
    j_lo = np.where(wraps, 0, np.clip(np.floor((b[:, 2] - lon0) / cell), 0, ncols)).astype(np.int64)
    j_hi = np.where(wraps, ncols - 1, np.clip(np.floor((b[:, 3] - lon0) / cell), -1, ncols - 1)).astype(np.int64)
    n_rows = np.maximum(i_hi - i_lo + 1, 0) * (j_hi >= j_lo)
    # One run per (pledge, grid row).
    row_k, run_p = _expand_ranges(np.zeros(len(n_rows), np.int64), n_rows)  # (row offset, pledge slot)
    rows = i_lo[run_p] + row_k
    # Narrow each row to the disc's width there: the half-width at the latitude of the row nearest the centre
    # (ellipse of the box), times 1.01 plus one whole cell of margin (a cell is 1/_CELLS_PER_RADIUS of the
    # radius, far above the curvature error of small discs). Large, polar or wrapping boxes keep the full box.
    half_h = (b[:, 1] - b[:, 0]) / 2.0
    half_w = (b[:, 3] - b[:, 2]) / 2.0
    narrow = (~wraps & (half_h <= 1.0) & (np.abs(plat[radius_idx]) <= 70.0))[run_p]
    c_lat = plat[radius_idx][run_p]
    y = np.clip(c_lat, lat0 + rows * cell, lat0 + (rows + 1) * cell)
    frac = np.minimum(np.abs(y - c_lat) / half_h[run_p], 1.0)
    hw = half_w[run_p] * np.sqrt(1.0 - frac * frac) * 1.01 + cell
    c_lon = plon[radius_idx][run_p]
    jl = np.where(narrow, np.maximum(np.floor((c_lon - hw - lon0) / cell), j_lo[run_p]), j_lo[run_p])
    jh = np.where(narrow, np.minimum(np.floor((c_lon + hw - lon0) / cell), j_hi[run_p]), j_hi[run_p])
    starts = np.searchsorted(skey, rows * ncols + jl.astype(np.int64), side="left")
    ends = np.searchsorted(skey, rows * ncols + jh.astype(np.int64), side="right")
    ends = np.where(jh >= jl, ends, starts)
    lens = np.maximum(ends - starts, 0)
    # Chunks of runs with about _CHUNK_PAIRS hits each.
    csum = np.cumsum(lens)
    total = int(csum[-1]) if len(csum) else 0
    cuts = np.searchsorted(csum, np.arange(_CHUNK_PAIRS, total, _CHUNK_PAIRS), side="right")
    bounds_ = np.unique(np.concatenate([[0], cuts, [len(lens)]]).astype(np.int64))
    chord = chord_for_km(prad) * (1 + 1e-9) + 1e-12
    for a, z in zip(bounds_[:-1].tolist(), bounds_[1:].tolist(), strict=True):
        if z <= a:
            continue
        if total >= _COMPILED_MIN_HITS:  # compiled: no temporary arrays of every grid hit
            from services.matching import auction

            wl, pj, c = auction.radius_hits(starts[a:z], ends[a:z], radius_idx[run_p[a:z]], worder, xyz, pxyz, chord)
        else:  # small inputs: numpy (no kernel to load)
            idx, owner = _expand_ranges(starts[a:z], ends[a:z])
            wl = worder[idx]  # position in `located`
            pj = radius_idx[run_p[a:z][owner]]
            d = xyz[wl] - pxyz[pj]
            c = np.sqrt(np.einsum("ij,ij->i", d, d))
            pre = c <= chord[pj]
            wl, pj, c = wl[pre], pj[pre], c[pre]
        km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(c / 2.0, 1.0))
        wg = located[wl]
        km = _exact_km(km, wlat[wg], wlon[wg], plat[pj], plon[pj], prad[pj] + 1e-9)
        keep = km <= prad[pj] + 1e-9
        out_w.append(wg[keep].astype(np.int32))  # 32-bit from the start: half the bytes to concatenate
        out_p.append(pj[keep].astype(np.int32))
        out_c.append(np.rint(km[keep] * 1000.0).astype(np.int32))


# ---------------------------------------------------------------------------------------------------------------
# One component


@dataclass
class _Component:
    aw: I32Array  # local worker index per pair
    ap: I32Array  # local pledge index per pair
    ac: I32Array  # cost in metres per pair (stickiness already applied)
    desil: IntArray  # per local worker
    cap: IntArray  # per local pledge
    worker_rank: IntArray  # per local worker: global order (for deterministic tie-breaks)


def _solve_single_pledge(c: _Component) -> IntArray:
    """One pledge: the optimum is its `cap` best candidates by (desil, metres, worker order). Returns pair idx."""
    order = np.lexsort((c.worker_rank[c.aw], c.ac, c.desil[c.aw]))
    return np.sort(order[: int(c.cap[0])])


def _big_m(c: _Component) -> int:
    """Weight of one desil unit. A simple residual cycle enters each pledge node at most once, so it has at
    most min(#pledges, #workers) pair arcs each way and changes total metres by less than that times the
    longest pair: a cycle that changes cover or desil therefore has the sign of its cover/desil change
    (docs/matching.md section 2.2). A small M keeps OR-Tools' cost range (and its scaling phases) small."""
    n = min(len(c.cap), len(c.desil), int(c.cap.sum()))
    return int(n * int(c.ac.max(initial=0)) + 1)


def _flow(c: _Component, sel: IntArray, big_m: int) -> tuple[IntArray, IntArray]:
    """Min-cost circulation on the selected pairs. Returns (flow per selected pair, used worker locals)."""
    whole = len(sel) == len(c.aw)  # every worker of a component has a pair: all workers take part
    sw, sp = c.aw[sel].astype(np.int64), c.ap[sel].astype(np.int64)
    used_w = np.arange(len(c.desil)) if whole else np.unique(sw)
    n_w, n_p = len(used_w), len(c.cap)
    wnode = (sw if whole else np.searchsorted(used_w, sw)) + 2  # 0 = source, 1 = sink
    del sw
    pnode = sp + 2 + n_w
    f = min_cost_flow.SimpleMinCostFlow()
    # Block order: source->worker, worker->pledge, pledge->sink, sink->source (return arc).
    tails = np.concatenate([np.zeros(n_w, np.int64), wnode, np.arange(n_p) + 2 + n_w, [1]])
    heads = np.concatenate([np.arange(n_w) + 2, pnode, np.ones(n_p, np.int64), [0]])
    del wnode, pnode, sp
    caps = np.concatenate([np.ones(n_w, np.int64), np.ones(len(sel), np.int64), c.cap, [n_w]])
    costs = np.concatenate(
        [(c.desil[used_w] - COVER_PROFIT) * big_m, c.ac[sel].astype(np.int64), np.zeros(n_p, np.int64), [0]]
    )
    f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    del tails, heads, caps, costs
    status = f.solve()
    if status != f.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = f.flows(np.arange(n_w, n_w + len(sel)))
    return np.asarray(flows, dtype=np.int64), used_w


def split_by_max_cover(c: _Component) -> tuple[BoolArray, BoolArray] | None:
    """The source side (workers, pledges) of a minimum cut of the cover problem (OR-Tools max flow), checked by
    `checked_cut`; None when the check fails (the caller keeps the component whole)."""
    n_w, n_p, n = len(c.desil), len(c.cap), len(c.aw)
    f = max_flow.SimpleMaxFlow()
    f.add_arcs_with_capacity(
        np.concatenate([np.zeros(n_w, np.int64), c.aw.astype(np.int64) + 2, np.arange(n_p) + 2 + n_w]),
        np.concatenate([np.arange(n_w) + 2, c.ap.astype(np.int64) + 2 + n_w, np.ones(n_p, np.int64)]),
        np.concatenate([np.ones(n_w + n, np.int64), c.cap]),
    )
    if f.solve(0, 1) != f.OPTIMAL:
        return None
    on = np.asarray(f.flows(np.arange(n_w, n_w + n)), np.int64) > 0
    if (np.bincount(c.aw[on], minlength=n_w) > 1).any():
        return None
    side = np.zeros(n_w + n_p + 2, bool)
    side[np.asarray(f.get_source_side_min_cut(), np.int64)] = True
    asg = np.full(n_w, -1, np.int64)
    asg[c.aw[on]] = c.ap[on]
    return checked_cut(c, asg, side[2 + n_w :])


def checked_cut(c: _Component, asg: IntArray, s_p: BoolArray) -> tuple[BoolArray, BoolArray] | None:
    """(source-side workers, `s_p`) when a cover (pledge per worker, -1 uncovered) and source-side pledges prove
    a maximum cover and a minimum cut, else None. Checked in numpy: each covered worker at one of its candidate
    pledges, no pledge over capacity, source-side pledges full, source-side workers (the uncovered ones and the
    members of source-side pledges) with every candidate pledge on the source side. Then the cover equals the
    cut's capacity, so the cover is maximum and the cut minimum.

    Every maximum cover fills each source-side pledge with source-side workers only and covers every other
    worker; the lexicographic optimum is a maximum cover, so it is the union of the optima of the two sides
    (docs/matching.md section 2.4)."""
    load = _cover_load(c, asg)
    covered = asg >= 0
    s_w = ~covered | (covered & s_p[np.maximum(asg, 0)])
    ok = load is not None and (load[s_p] == c.cap[s_p]).all() and s_p[c.ap[s_w[c.aw]]].all()
    return (s_w, s_p) if ok else None


def _cover_load(c: _Component, asg: IntArray) -> IntArray | None:
    """Workers per pledge of a cover (pledge per worker, -1 uncovered) when it is one: each covered worker at one
    of its candidate pledges, no pledge over capacity; else None."""
    covered = asg >= 0
    at_candidate = np.bincount(c.aw[c.ap == asg[c.aw]], minlength=len(c.desil)) > 0
    load = np.bincount(asg[covered], minlength=len(c.cap))
    return load if np.array_equal(at_candidate, covered) and (load <= c.cap).all() else None


def _relabel(nodes: I32Array, n: int) -> tuple[IntArray, I32Array]:
    """(the distinct nodes in increasing order, each entry's position among them): `np.unique(nodes,
    return_inverse=True)` by counting instead of sorting (a side of a cut has millions of pairs)."""
    present = np.zeros(n, bool)
    present[nodes] = True
    used = np.flatnonzero(present)
    new = np.cumsum(present, dtype=np.int64) - 1
    return used, new[nodes].astype(np.int32)


def _subcomponent(c: _Component, idx: IntArray) -> _Component:
    """The pairs `idx` of a component as a component of their own (local worker and pledge indices)."""
    if len(idx) == len(c.aw):
        return c  # idx is increasing, so all pairs in their order: the component itself
    used_w, lw = _relabel(c.aw[idx], len(c.desil))
    used_p, lp = _relabel(c.ap[idx], len(c.cap))
    return _Component(lw, lp, c.ac[idx], c.desil[used_w], c.cap[used_p], c.worker_rank[used_w])


def _auction(c: _Component, stats: SolveStats | None, every: str, greedy: int | None = None) -> IntArray | None:
    """`auction.solve_component` on a part, with its counters and timings in the stats."""
    from services.matching import auction  # numba loads only when a big component needs it

    t0 = time.perf_counter()
    extra = None if stats is None else stats.extra
    fast = auction.solve_component(c.aw, c.ap, c.ac, c.desil, c.cap, _big_m(c), COVER_PROFIT, every, extra, greedy)
    if extra is not None:
        extra["auction_s"] = extra.get("auction_s", 0.0) + time.perf_counter() - t0
        extra["auction_fallbacks"] = extra.get("auction_fallbacks", 0.0) + float(fast is None)
    return fast


def _solve_part(
    c: _Component, stats: SolveStats | None, every: str | None = None, outranked_gone: bool = False
) -> IntArray:
    """Exact optimum of a part: by sorting (one pledge), the auction (big), or OR-Tools on all its pairs.

    `every`: what every maximum cover of this part does, when known: "place" (fills every place: the source side
    of a cut) or "worker" (covers every worker: the sink side). The auction needs one of them (auction.py)."""
    if len(c.cap) == 1:
        return _solve_single_pledge(c)
    if every == "place" and len(c.aw) >= _AUCTION_MIN_ARCS and not outranked_gone:
        t0 = time.perf_counter()
        keep = _not_outranked(c, int(np.minimum(c.cap, np.bincount(c.ap, minlength=len(c.cap))).sum()))
        if stats is not None:
            stats.extra["outranked_s"] = stats.extra.get("outranked_s", 0.0) + time.perf_counter() - t0
        if keep is not None:
            idx = np.flatnonzero(keep[c.aw])
            return idx[_solve_part(_subcomponent(c, idx), stats, "place", outranked_gone=True)]
    if len(c.aw) >= _AUCTION_MIN_ARCS and every is not None:
        fast = _auction(c, stats, every)
        if fast is not None:
            return fast
    t0 = time.perf_counter()
    flow, _used = _flow(c, np.arange(len(c.aw)), _big_m(c))
    chosen = np.flatnonzero(flow > 0)
    if stats is not None:
        stats.flow_arcs += len(c.aw)
        stats.extra["flow_s"] = stats.extra.get("flow_s", 0.0) + time.perf_counter() - t0
    return chosen


def _not_outranked(c: _Component, room: int) -> BoolArray | None:
    """Where every maximum cover fills every place (`room` of them): the workers an optimum may cover, when the
    better desil levels alone fill every place and leave out at least half of the workers; else None. One try,
    with the most levels that leave out half (a higher level is less likely to fill every place, and proving that
    it does not takes the augmenting paths long).

    The sets of workers that can be covered together are the independent sets of a matroid (a transversal one),
    and the lexicographic optimum is a heaviest basis by cover value (11 - desil). If the workers of value t and
    above can fill every place, every worse worker is spanned by strictly heavier ones and is in no heaviest
    basis: it stays uncovered in the optimum, and its pairs can go (sweep cell 15: 80 % of the pairs)."""
    from services.matching import auction

    value = COVER_PROFIT - c.desil
    for t in np.unique(value)[1:]:
        active = value >= t
        n = int(active.sum())
        if n > len(value) // 2:
            continue
        if n < room:
            return None
        cover = auction.max_cover(c.aw, c.ap, c.ac, c.cap, active)
        filled = cover is not None and _cover_load(c, cover[0]) is not None and int((cover[0] >= 0).sum()) == room
        return active if filled else None
    return None


def _solve_flow_component(c: _Component, stats: SolveStats | None) -> IntArray:
    """Exact optimum of one component with two or more pledges. Returns the indices of chosen pairs.

    A big component has its workers renumbered (`_by_place`). When a greedy cover shows that every maximum cover
    fills every place or covers every worker, or leaves at most `_BOTH_MAX_EMPTY` places per worker empty, the
    auction solves it whole. Otherwise it is cut in two by a maximum cover (`split_by_max_cover`, checked): the
    pledges that every maximum cover fills, with the workers that compete for them (some stay uncovered), and
    the rest, where every worker is covered (some places stay empty). The optimum is the union of the two
    sides' optima, and each side is solved on its own (docs/matching.md section 2.4).
    """
    if len(c.aw) < _SPLIT_MIN_ARCS:
        return _solve_part(c, stats)

    t0 = time.perf_counter()
    c, back = _by_place(c)
    if stats is not None:
        stats.extra["renumber_s"] = stats.extra.get("renumber_s", 0.0) + time.perf_counter() - t0
    return np.sort(back[_cut_and_solve(c, stats)])


def _by_place(c: _Component) -> tuple[_Component, IntArray]:
    """The component with its workers renumbered by their nearest pledge and its pairs sorted by worker.
    Returns (that component, original index of each of its pairs).

    Workers that compete for the same places then sit together in memory: the auction's evictions, the max flow
    and OR-Tools' flow read pairs from nearby addresses instead of all over a 40 MB array (regency: bidding
    10-25 % faster, OR-Tools 1.4-1.9 times faster). The numbering is a function of the component only, so the
    answer stays deterministic."""
    from services.matching import auction

    n_w = len(c.desil)
    near = auction.nearest_pledge(c.aw, c.ap, c.ac, n_w)
    perm = np.lexsort((np.arange(n_w), near))  # new worker -> old
    new = np.empty(n_w, np.int64)
    new[perm] = np.arange(n_w)
    aw, ap, ac, order = auction.renumbered(c.aw, c.ap, c.ac, new, n_w)
    return _Component(aw, ap, ac, c.desil[perm], c.cap, c.worker_rank[perm]), order


def _cut_and_solve(c: _Component, stats: SolveStats | None) -> IntArray:
    """A big component: the max-cover cut when it is needed, then each side (see `_solve_flow_component`)."""
    from services.matching import auction

    full, covered, greedy = auction.greedy_cover(c.aw, c.ap, c.cap)
    if full or covered:  # every maximum cover fills every place, or covers every worker: no cut
        return _solve_part(c, stats, "place" if full else "worker")
    room = int(np.minimum(c.cap, np.bincount(c.ap, minlength=len(c.cap))).sum())
    # The auction may take it whole (workers left out and places left empty): at once when a greedy cover leaves
    # few places empty; after the augmenting paths gave up, when it is dense (on a sparse one it bids longer than
    # the OR-Tools cut and both sides take: sweep cell 20 against cell 17).
    big = len(c.aw) >= _AUCTION_MIN_ARCS
    whole = big and len(c.aw) >= _WHOLE_MIN_PAIRS_PER_WORKER * len(c.desil)
    if big and room - greedy <= _BOTH_MAX_EMPTY * len(c.desil):
        fast = _auction(c, stats, "both", greedy)
        if fast is not None:
            return fast
        whole = False
    t0 = time.perf_counter()
    cover = auction.max_cover(c.aw, c.ap, c.ac, c.cap)  # augmenting paths, when they are quick
    cut = None if cover is None else checked_cut(c, *cover)
    if stats is not None:
        stats.extra["split_s"] = stats.extra.get("split_s", 0.0) + time.perf_counter() - t0
    if cut is None and whole:  # paths too long: the auction on the whole instead
        fast = _auction(c, stats, "both", greedy)
        if fast is not None:
            return fast
    if cut is None:
        t0 = time.perf_counter()
        cut = split_by_max_cover(c)
        if stats is not None:
            stats.extra["split_s"] = stats.extra.get("split_s", 0.0) + time.perf_counter() - t0
    if cut is None:
        return _solve_part(c, stats)
    s_w, s_p = cut
    source_side = s_w[c.aw]  # every candidate pledge of a source-side worker is on the source side
    picked = []
    for idx, every in ((np.flatnonzero(source_side), "place"), (np.flatnonzero(~source_side & ~s_p[c.ap]), "worker")):
        if len(idx):
            picked.append(idx[_solve_part(_subcomponent(c, idx), stats, every)])
    return np.sort(np.concatenate(picked)) if picked else np.empty(0, np.int64)


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

    With processes > 1 and pledges in several independent groups (`pledge_groups`, e.g. regions), each
    group is a task for a worker process: its candidate pairs and its components are computed there. A
    group's pairs and their order are those of the whole problem (`candidate_pairs`), so the answer is
    the same as in one process.
    """
    global _GROUP_INPUT
    w, p = _normalise(workers, pledges)
    groups = _bins(pledge_groups(w, p), p, 4 * processes) if processes > 1 and len(p) > 1 else []
    if len(groups) <= 1:
        wi, pj, via = _solve_pledges(w, p, None, progress, stats, processes)
    else:
        t0 = time.perf_counter()
        parts: list[tuple[IntArray, IntArray, BoolArray]] = []
        _GROUP_INPUT = (w, p)
        try:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as pool:
                for n, (gw, gp, gv, st) in enumerate(pool.map(_solve_group, groups), 1):
                    parts.append((gw, gp, gv))
                    if stats is not None:
                        stats.candidates_s += st.candidates_s
                        stats.pairs += st.pairs
                        stats.components += st.components
                        stats.largest_component_pairs = max(stats.largest_component_pairs, st.largest_component_pairs)
                        _merge_stats(stats, st)
                        stats.extra["group_solve_s"] = stats.extra.get("group_solve_s", 0.0) + st.solve_s
                    if progress:
                        progress(n, len(groups))
        finally:
            _GROUP_INPUT = None
        if stats is not None:
            stats.extra["groups"] = float(len(groups))
            stats.solve_s += time.perf_counter() - t0
        wi = np.concatenate([x[0] for x in parts])
        pj = np.concatenate([x[1] for x in parts])
        via = np.concatenate([x[2] for x in parts])
    desil = effective_desil(w["desil"])
    out = pd.DataFrame(
        {
            "worker_id": w["worker_id"].to_numpy()[wi],
            "pledge_id": p["pledge_id"].to_numpy()[pj],
            "distance_km": pair_distance_km(w, p, wi, pj),
            "desil": desil[wi],
            "via": np.where(via, "radius", "kelurahan"),
        },
        columns=RESULT_COLUMNS,
    )
    return out.sort_values(["pledge_id", "worker_id"], kind="stable").reset_index(drop=True)


def pledge_groups(w: pd.DataFrame, p: pd.DataFrame) -> list[IntArray]:
    """Pledges (with capacity) in groups that can never share a worker, biggest first.

    Sound over-approximation of the components: pledges i, j are joined when their discs intersect
    (site distance <= r_i + r_j), when both list the same kelurahan, or when one lists a kelurahan whose
    located workers' bounding circle meets the other's disc. A worker eligible for two pledges is in both
    discs, or in a kelurahan both list, or in one disc and in a listed kelurahan (so inside its bounding
    circle): every component of the candidate graph lies in one group.
    """
    pcap = pd.to_numeric(p["capacity"], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    plat = pd.to_numeric(p["lat"], errors="coerce").to_numpy(dtype=np.float64)
    plon = pd.to_numeric(p["lon"], errors="coerce").to_numpy(dtype=np.float64)
    prad = pd.to_numeric(p["radius_km"], errors="coerce").to_numpy(dtype=np.float64)
    disc = np.isfinite(plat) & np.isfinite(plon) & np.isfinite(prad) & (prad >= 0) & (pcap > 0)
    n_p = len(p)
    kel_lists = [sorted(set(_as_list(v))) if pcap[j] > 0 else [] for j, v in enumerate(p["kelurahan_codes"].tolist())]
    codes = sorted({c for lst in kel_lists for c in lst})
    code_node = {c: n_p + i for i, c in enumerate(codes)}
    src: list[int] = []
    dst: list[int] = []
    for j, lst in enumerate(kel_lists):
        for c in lst:
            src.append(j)
            dst.append(code_node[c])
    a_src: list[IntArray] = [np.asarray(src, np.int64)]
    a_dst: list[IntArray] = [np.asarray(dst, np.int64)]
    di = np.flatnonzero(disc)
    slack = _GROUP_SLACK_KM
    if len(di):
        tree = cKDTree(unit_xyz(plat[di], plon[di]))
        r_max = float(prad[di].max())
        hits = tree.query_ball_point(unit_xyz(plat[di], plon[di]), r=chord_for_km(prad[di] + r_max + slack))
        lens = np.fromiter((len(h) for h in hits), np.int64, len(hits))
        if lens.sum():
            i_loc = np.repeat(np.arange(len(di)), lens)
            j_loc = np.concatenate([np.asarray(h, np.int64) for h in hits if len(h)])
            d = haversine_km(plat[di[i_loc]], plon[di[i_loc]], plat[di[j_loc]], plon[di[j_loc]])
            ok = d <= prad[di[i_loc]] + prad[di[j_loc]] + slack
            a_src.append(di[i_loc[ok]])
            a_dst.append(di[j_loc[ok]])
        if codes:
            kc = w["kelurahan_code"].astype(object).where(w["kelurahan_code"].notna()).astype(str)
            wlat = pd.to_numeric(w["lat"], errors="coerce").to_numpy(dtype=np.float64)
            wlon = pd.to_numeric(w["lon"], errors="coerce").to_numpy(dtype=np.float64)
            sel = kc.isin(codes).to_numpy() & np.isfinite(wlat) & np.isfinite(wlon)
            if sel.any():
                frame = pd.DataFrame({"k": kc.to_numpy()[sel], "lat": wlat[sel], "lon": wlon[sel]})
                centre = frame.groupby("k", sort=True)[["lat", "lon"]].mean()
                cl = centre["lat"].reindex(frame["k"]).to_numpy()
                co = centre["lon"].reindex(frame["k"]).to_numpy()
                frame["d"] = haversine_km(frame["lat"].to_numpy(), frame["lon"].to_numpy(), cl, co)
                reach = frame.groupby("k", sort=True)["d"].max()
                for code, (clat, clon), rk in zip(
                    centre.index, centre[["lat", "lon"]].to_numpy(), reach.to_numpy(), strict=True
                ):
                    near = tree.query_ball_point(unit_xyz(clat, clon)[0], r=float(chord_for_km(rk + r_max + slack)))
                    if not near:
                        continue
                    cand = di[np.asarray(near, np.int64)]
                    dd = haversine_km(plat[cand], plon[cand], clat, clon)
                    cand = cand[dd <= prad[cand] + rk + slack]
                    a_src.append(cand)
                    a_dst.append(np.full(len(cand), code_node[str(code)], np.int64))
    n_nodes = n_p + len(codes)
    s_all, d_all = np.concatenate(a_src), np.concatenate(a_dst)
    graph = coo_matrix((np.ones(len(s_all), np.int8), (s_all, d_all)), shape=(n_nodes, n_nodes))
    _n, labels = connected_components(graph, directed=False)
    active = np.flatnonzero(pcap > 0)
    lab = labels[active]
    order = np.argsort(lab, kind="stable")
    groups = np.split(active[order], np.flatnonzero(np.diff(lab[order])) + 1) if len(active) else []
    weight = [int(pcap[g].sum()) for g in groups]
    return [groups[i] for i in sorted(range(len(groups)), key=lambda i: (-weight[i], int(groups[i][0])))]


def _bins(groups: list[IntArray], p: pd.DataFrame, k: int) -> list[IntArray]:
    """Independent groups packed into at most k tasks of similar total capacity (largest first), so many
    small groups do not each pay a task's set-up (a union of independent groups is independent)."""
    if len(groups) <= k:
        return groups
    cap = pd.to_numeric(p["capacity"], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    load = [0] * k
    members: list[list[IntArray]] = [[] for _ in range(k)]
    for g in groups:  # already biggest first
        b = min(range(k), key=lambda i: (load[i], i))
        members[b].append(g)
        load[b] += int(cap[g].sum())
    return [np.sort(np.concatenate(m)) for m in members if m]


# Set before the worker processes fork, so a group task only ships pledge rows (not millions of workers).
_GROUP_INPUT: tuple[pd.DataFrame, pd.DataFrame] | None = None


def _solve_group(only: IntArray) -> tuple[IntArray, IntArray, BoolArray, SolveStats]:
    assert _GROUP_INPUT is not None
    st = SolveStats()
    wi, pj, via = _solve_pledges(*_GROUP_INPUT, only, None, st, 1)
    return wi, pj, via, st


def _solve_pledges(
    w: pd.DataFrame,
    p: pd.DataFrame,
    only: IntArray | None,
    progress: Callable[[int, int], None] | None,
    stats: SolveStats | None,
    processes: int,
) -> tuple[IntArray, IntArray, BoolArray]:
    """Candidates and optimum for some pledges (all when `only` is None). Returns chosen (worker, pledge, via)."""
    t0 = time.perf_counter()
    cand = _candidates(w, p, only, processes)
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
    return cand.w[chosen].astype(np.int64), cand.p[chosen].astype(np.int64), cand.by_radius[chosen]


def _candidates_part(only: IntArray) -> Candidates:
    assert _GROUP_INPUT is not None
    return candidate_pairs(*_GROUP_INPUT, only)


def _candidates(w: pd.DataFrame, p: pd.DataFrame, only: IntArray | None, processes: int) -> Candidates:
    """`candidate_pairs`, built by `processes` forked workers for big inputs: each takes a contiguous range of
    pledges. Both parts (radius, then kelurahan set) are pledge-major, so putting the radius pairs of all
    ranges first gives exactly the one-process order (tested): the answer does not depend on `processes`."""
    global _GROUP_INPUT
    if processes <= 1 or len(w) < _PARALLEL_MIN_WORKERS or len(p) < 2 * processes:
        return candidate_pairs(w, p, only)
    rows = np.arange(len(p)) if only is None else np.sort(np.asarray(only, np.int64))
    _GROUP_INPUT = (w, p)
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as pool:
            parts = list(pool.map(_candidates_part, np.array_split(rows, processes)))
    finally:
        _GROUP_INPUT = None
    # Within each part the radius pairs come first (candidate_pairs concatenates them before the kelurahan part).
    cut = [int(c.by_radius.sum()) for c in parts]

    def merged(field: str) -> npt.NDArray[Any]:
        arrays = [getattr(c, field) for c in parts]
        return np.concatenate(
            [a[:k] for a, k in zip(arrays, cut, strict=True)] + [a[k:] for a, k in zip(arrays, cut, strict=True)]
        )

    return Candidates(merged("w"), merged("p"), merged("cost_m"), merged("by_radius"))


def _solve_component(c: _Component) -> tuple[IntArray, SolveStats]:
    st = SolveStats()
    sel = _solve_single_pledge(c) if len(c.cap) == 1 else _solve_flow_component(c, st)
    return sel, st


def _merge_stats(into: SolveStats | None, part: SolveStats) -> None:
    if into is None:
        return
    into.flow_arcs += part.flow_arcs
    for k, v in part.extra.items():
        into.extra[k] = into.extra.get(k, 0.0) + v


def _local_index(labels: npt.NDArray[Any]) -> IntArray:
    """Position of each node among the nodes with the same label, in index order (global -> local)."""
    order = np.argsort(labels, kind="stable")
    sl = labels[order]
    first = np.searchsorted(sl, sl)
    loc = np.empty(len(labels), np.int64)
    loc[order] = np.arange(len(labels)) - first
    return loc


def _components(pw: I32Array, pp: I32Array, n_w: int, n_p: int) -> tuple[int, I32Array]:
    """Connected components of the candidate graph (workers 0..n_w-1, then pledges), numbered like scipy's
    `connected_components` (in order of each component's first node). Big graphs use a compiled union-find
    (regency: 0.05 s instead of 0.25 s); small ones scipy, so small runs do not load numba."""
    if len(pw) < _COMPILED_MIN_PAIRS:
        graph = coo_matrix((np.ones(len(pw), np.int8), (pw, pp + np.int32(n_w))), shape=(n_w + n_p,) * 2)
        n_comp, labels = connected_components(graph, directed=False)
        return int(n_comp), labels.astype(np.int32)
    from services.matching import auction

    n_comp, labels = auction.components(pw, pp, n_w, n_p)
    return int(n_comp), labels


def _solve_all(
    cand: Candidates,
    cost: npt.NDArray[Any],
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
    n_comp, labels = _components(cand.w, cand.p, n_w, n_p)
    arc_label = labels[cand.w]
    counts = np.bincount(arc_label, minlength=n_comp)
    if stats is not None:
        stats.components += int((counts > 0).sum())
        stats.largest_component_pairs = max(stats.largest_component_pairs, int(counts.max()))
    loc_w = _local_index(labels[:n_w])
    loc_p = _local_index(labels[n_w:])
    order = np.arange(len(cand.w)) if n_comp == 1 else np.argsort(arc_label, kind="stable")
    del arc_label
    bounds = np.concatenate([[0], np.cumsum(counts)])
    w_nodes = np.argsort(labels[:n_w], kind="stable")
    w_bounds = np.concatenate([[0], np.cumsum(np.bincount(labels[:n_w], minlength=n_comp))])
    p_nodes = np.argsort(labels[n_w:], kind="stable")
    p_bounds = np.concatenate([[0], np.cumsum(np.bincount(labels[n_w:], minlength=n_comp))])

    def component(k: int) -> tuple[IntArray, _Component]:
        idx = order[bounds[k] : bounds[k + 1]]
        gw = w_nodes[w_bounds[k] : w_bounds[k + 1]]
        gp = p_nodes[p_bounds[k] : p_bounds[k + 1]]
        if len(gw) == n_w and len(gp) == n_p:  # one component holds everything: local = global, no gathers
            return idx, _Component(cand.w, cand.p, cost.astype(np.int32, copy=False), desil, cap, gw)
        cw, cp = cand.w[idx], cand.p[idx]
        return idx, _Component(
            loc_w[cw].astype(np.int32), loc_p[cp].astype(np.int32), cost[idx].astype(np.int32), desil[gw], cap[gp], gw
        )

    # Big components first (so parallel workers finish together); components without pairs are skipped.
    ks = [k for k in np.argsort(-counts, kind="stable").tolist() if counts[k] > 0]
    total = len(ks)
    picked: list[IntArray] = []
    big = [k for k in ks if counts[k] >= _PARALLEL_MIN_PAIRS]
    done = 0
    if processes > 1 and len(big) > 1:
        # Components are independent: the big ones go to worker processes, the small ones stay here.
        with ProcessPoolExecutor(max_workers=processes) as pool:
            futures = []
            for k in big:
                idx, comp = component(k)
                futures.append((idx, pool.submit(_solve_component, comp)))
            for k in ks[len(big) :]:
                idx, comp = component(k)
                sel, st = _solve_component(comp)
                _merge_stats(stats, st)
                picked.append(idx[sel])
                done += 1
                if progress:
                    progress(done, total)
            for idx, fut in futures:
                sel, st = fut.result()
                _merge_stats(stats, st)
                picked.append(idx[sel])
                done += 1
                if progress:
                    progress(done, total)
    else:
        for k in ks:
            idx, comp = component(k)
            sel, st = _solve_component(comp)
            _merge_stats(stats, st)
            picked.append(idx[sel])
            done += 1
            if progress:
                progress(done, total)
    return np.sort(np.concatenate(picked)) if picked else np.empty(0, np.int64)


def objective(result: pd.DataFrame) -> tuple[int, int, int]:
    """(covered, sum of desil, total whole metres) of a result, as the solver scores it."""
    if len(result) == 0:
        return (0, 0, 0)
    metres = np.rint(np.nan_to_num(result["distance_km"].to_numpy(dtype=np.float64)) * 1000.0).astype(np.int64)
    return (len(result), int(result["desil"].sum()), int(metres.sum()))
