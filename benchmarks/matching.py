"""Matching benchmark on synthetic Tangerang-like data.

    python -m benchmarks.matching city regency [national] [--persist]

Per scale: time to build the inputs (load), candidate pairs, solve, and (with --persist, city scale) a full
persisted run on a throwaway PostgreSQL; peak RSS; workers covered by the exact result vs a nearest-first
greedy on the same pairs.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

import numpy as np
import pandas as pd

from benchmarks.synthetic import make
from services.matching import auction
from services.matching.core import SolveStats, _normalise, candidate_pairs, effective_desil, objective, solve_detailed

SCALES = {
    "city": {"n_workers": 20_000, "n_pledges": 200, "kota_only": True, "radius": (2.0, 3.5)},
    "regency": {"n_workers": 200_000, "n_pledges": 2_000, "kota_only": False},
    "national": {"n_workers": 2_000_000, "n_pledges": 20_000, "kota_only": False, "regions": 10},
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def greedy_nearest(workers: pd.DataFrame, pledges: pd.DataFrame) -> tuple[int, int, int]:
    """Nearest-first greedy over the same eligible pairs: shortest pair first, if both sides still have room."""
    w, p = _normalise(workers, pledges)
    c = candidate_pairs(w, p)
    desil = effective_desil(w["desil"])
    room = p["capacity"].to_numpy(dtype=np.int64).copy()
    taken = np.zeros(len(w), bool)
    n = ds = dm = 0
    for k in np.argsort(c.cost_m, kind="stable"):
        wi, pj = c.w[k], c.p[k]
        if not taken[wi] and room[pj] > 0:
            taken[wi] = True
            room[pj] -= 1
            n += 1
            ds += int(desil[wi])
            dm += int(c.cost_m[k])
    return n, ds, dm


def run(scale: str, processes: int) -> dict[str, object]:
    t0 = time.perf_counter()
    workers, pledges = make(**SCALES[scale])  # type: ignore[arg-type]
    load_s = time.perf_counter() - t0
    jit_s = auction.warm_up()  # loads the compiled kernels from numba's cache (compiles them on a fresh install)
    stats = SolveStats()
    t1 = time.perf_counter()
    result = solve_detailed(workers, pledges, stats=stats, processes=processes)
    wall_s = time.perf_counter() - t1
    rss_solve = peak_rss_mb()  # before the greedy comparison (which builds the pairs again)
    exact = objective(result)
    greedy = greedy_nearest(workers, pledges) if scale != "national" else None
    return {
        "scale": scale,
        "workers": len(workers),
        "pledges": len(pledges),
        "pairs": stats.pairs,
        "components": stats.components,
        "flow_arcs": stats.flow_arcs,
        "load_s": round(load_s, 2),
        "candidates_s": round(stats.candidates_s, 2),
        "solve_s": round(stats.solve_s, 2),
        "flow_s": round(stats.extra.get("flow_s", 0.0), 2),
        "split_s": round(stats.extra.get("split_s", 0.0), 2),
        "jit_load_s": round(jit_s, 2),
        **{k: round(stats.extra.get(k, 0.0), 2) for k in ("auction_s", "prepare_s", "bidding_s", "certificate_s")},
        "auction_bids": int(stats.extra.get("auction_bids", 0)),
        "fillers": int(stats.extra.get("fillers", 0)),
        "auction_fallbacks": int(stats.extra.get("auction_fallbacks", 0)),
        "exact_total_s": round(wall_s, 2),  # wall clock of solve_detailed (groups: candidates run in workers)
        "groups": int(stats.extra.get("groups", 1)),
        "covered_exact": exact[0],
        "desil_sum_exact": exact[1],
        "km_exact": round(exact[2] / 1000),
        "covered_greedy": None if greedy is None else greedy[0],
        "desil_sum_greedy": None if greedy is None else greedy[1],
        "peak_rss_mb_solve": round(rss_solve),
        "peak_rss_mb": round(peak_rss_mb()),
        "peak_rss_mb_worker_process": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scales", nargs="+", choices=list(SCALES))
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    for scale in args.scales:
        print(run(scale, args.processes), flush=True)


if __name__ == "__main__":
    main()
