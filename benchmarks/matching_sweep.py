"""Matching sweep: a plain OR-Tools min-cost flow over all candidate pairs against `solve`, same process and run.

    python -m benchmarks.matching_sweep [city] [regency] [--only N ...] [--repeat K] [--seed S]

Per cell (a family of `benchmarks.synthetic.family`): the plain flow (the candidate pairs, then one
SimpleMinCostFlow over all of them with the lexicographic costs of docs/matching.md section 2.2), then
`solve`; both must reach the same (covered, desil sum, metres). Prints one row per cell: both times, their
ratio (plain / solve: above 1 means solve is faster) and what solve did inside.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow

from benchmarks.synthetic import family
from services.matching import auction
from services.matching.core import (
    COVER_PROFIT,
    SolveStats,
    _normalise,
    candidate_pairs,
    effective_desil,
    solve_detailed,
)
from services.matching.core import objective as result_objective

SCALES = {
    "city": {"n_workers": 20_000, "n_pledges": 200, "kota_only": True},
    "regency": {"n_workers": 200_000, "n_pledges": 2_000, "kota_only": False},
}
R12, R25, R310 = (1.0, 2.0), (2.0, 5.0), (3.0, 10.0)
# (scale, capacity/workers, sites, radius km, unknown desil share). City: every load x sites, radii and unknown
# desil rotated so each level meets each other factor. Regency: every load, every site family, the issue's
# instance (villages, 0.9, 2-5 km); radii 1-2 and 2-5 km only (3-10 km gives ~40 M pairs there: the plain flow
# alone takes minutes and several GB, too long for one sweep).
CELLS: list[tuple[str, float, str, tuple[float, float], float]] = [
    *[
        ("city", load, sites, (R12, R25, R310)[(i + k) % 3], (0.0, 0.3)[(i + k) % 2])
        for i, load in enumerate((0.1, 0.5, 0.9, 1.0, 1.5))
        for k, sites in enumerate(("workers", "villages", "industrial"))
    ],
    ("regency", 0.1, "villages", R25, 0.3),
    ("regency", 0.5, "industrial", R25, 0.0),
    ("regency", 0.9, "villages", R25, 0.0),
    ("regency", 0.9, "workers", R25, 0.3),
    ("regency", 1.0, "industrial", R12, 0.3),
    ("regency", 1.0, "villages", R12, 0.0),
    ("regency", 1.5, "workers", R12, 0.0),
]


def plain_flow(workers: pd.DataFrame, pledges: pd.DataFrame) -> tuple[tuple[int, int, int], float, float]:
    """The baseline: all candidate pairs in one min-cost flow. Returns (objective, pairs s, flow s)."""
    t0 = time.perf_counter()
    w, p = _normalise(workers, pledges)
    c = candidate_pairs(w, p)
    t1 = time.perf_counter()
    desil = effective_desil(w["desil"])
    cap = pd.to_numeric(p["capacity"]).to_numpy(np.int64)
    n_w, n_p, n = len(w), len(p), len(c.w)
    big_m = min(n_w, n_p, int(cap.sum())) * int(c.cost_m.max(initial=0)) + 1
    f = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([np.zeros(n_w, np.int64), c.w.astype(np.int64) + 2, np.arange(n_p) + 2 + n_w, [1]])
    heads = np.concatenate([np.arange(n_w) + 2, c.p.astype(np.int64) + 2 + n_w, np.ones(n_p, np.int64), [0]])
    caps = np.concatenate([np.ones(n_w + n, np.int64), cap, [n_w]])
    costs = np.concatenate([(desil - COVER_PROFIT) * big_m, c.cost_m.astype(np.int64), np.zeros(n_p + 1, np.int64)])
    f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    if f.solve() != f.OPTIMAL:
        raise RuntimeError("plain flow failed")
    on = np.asarray(f.flows(np.arange(n_w, n_w + n)), np.int64) > 0
    obj = (int(on.sum()), int(desil[c.w[on]].sum()), int(c.cost_m[on].astype(np.int64).sum()))
    return obj, t1 - t0, time.perf_counter() - t1


def run_cell(
    scale: str, load: float, sites: str, radius: tuple[float, float], unknown: float, repeat: int = 1, seed: int = 15
) -> dict[str, object]:
    """Plain flow then `solve`, `repeat` times alternately; the fastest of each (the least disturbed by load)."""
    workers, pledges = family(**SCALES[scale], load=load, sites=sites, radius=radius, unknown_desil=unknown, seed=seed)  # type: ignore[arg-type]
    plain_s = solve_s = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        plain, pairs_s, flow_s = plain_flow(workers, pledges)
        plain_s = min(plain_s, time.perf_counter() - t0)
        gc.collect()
        run = SolveStats()
        t1 = time.perf_counter()
        result = solve_detailed(workers, pledges, stats=run)
        if time.perf_counter() - t1 < solve_s:
            solve_s, stats = time.perf_counter() - t1, run
    got = result_objective(result)
    if got != plain:
        raise AssertionError(f"different optimum: plain {plain}, solve {got}")
    return {
        "scale": scale,
        "load": load,
        "sites": sites,
        "radius": f"{radius[0]:g}-{radius[1]:g}",
        "unknown": unknown,
        "pairs": stats.pairs,
        "covered": got[0],
        "plain_s": round(plain_s, 2),
        "plain_pairs_s": round(pairs_s, 2),
        "plain_flow_s": round(flow_s, 2),
        "solve_s": round(solve_s, 2),
        "speedup": round(plain_s / solve_s, 2),
        "solve_pairs_s": round(stats.candidates_s, 2),
        "load1": round(os.getloadavg()[0], 1),
        **{k: round(float(v), 2) for k, v in stats.extra.items()},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scales", nargs="*", default=list(SCALES), choices=list(SCALES))
    ap.add_argument("--only", type=int, nargs="*", help="cell numbers (0-based) to run")
    ap.add_argument("--repeat", type=int, default=1, help="runs per cell; the fastest of each is reported")
    ap.add_argument("--seed", type=int, default=15, help="instances of another draw (the tables use 15)")
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores, load {load}")
    auction.warm_up()  # load the compiled kernels once: the sweep measures a warm process
    solve_detailed(*family(**SCALES["city"], load=0.05, sites="workers", radius=R12, unknown_desil=0.0))  # type: ignore[arg-type]
    print(
        "| # | scale | cap/workers | sites | radius km | unknown desil | pairs | covered | plain s | solve s | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n, cell in enumerate(CELLS):
        if cell[0] not in args.scales or (args.only and n not in args.only):
            continue
        r = run_cell(*cell, repeat=args.repeat, seed=args.seed)
        print(
            f"| {n} | {r['scale']} | {r['load']} | {r['sites']} | {r['radius']} | {r['unknown']:.0%} | {r['pairs']:,} |"
            f" {r['covered']:,} | {r['plain_s']} | {r['solve_s']} | {r['speedup']}× |",
            flush=True,
        )
        print("  <!--", {k: v for k, v in r.items() if k not in ("scale", "load", "sites", "radius", "unknown")}, "-->")
    print(f"# done {datetime.now(UTC):%H:%M} UTC, load {os.getloadavg()}")


if __name__ == "__main__":
    main()
