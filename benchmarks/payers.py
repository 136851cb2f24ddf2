"""The city's allocation beside the pledges (issue 24): does filling it keep matching within 2x?

    python -m benchmarks.payers [--scale regency] [--places 20000] [--quota 500]

Regency family of benchmarks/synthetic.py (200.000 workers, 2.000 pledges). Times, in one process, with the
compiled kernels warmed on a small instance first: the pledges' exact match (`solve`), then the allocation
filled from the workers the pledges left (`allocation.place_holders` + `solve`), citywide only, and with a
quota in each of the 20 largest kecamatan (kelurahan codes cut after the kecamatan part). The family's pledge
capacity is cut to `--share` (0,5) so that workers are left for the city. The ratio is (pledges + allocation) /
pledges.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pandas as pd

from benchmarks.matching import SCALES, peak_rss_mb
from benchmarks.synthetic import make
from services.matching.allocation import place_holders
from services.matching.core import solve

COLUMNS = ["worker_id", "lat", "lon", "desil", "occupation", "kelurahan_code"]


def _areas(workers: pd.DataFrame) -> dict[str, tuple[float, float, list[str]]]:
    kec = workers["kelurahan_code"].str.rsplit(".", n=1).str[0]
    out: dict[str, tuple[float, float, list[str]]] = {}
    for code, part in workers.groupby(kec):
        out[str(code)] = (float(part["lat"].mean()), float(part["lon"].mean()), sorted(part["kelurahan_code"].unique()))
    return out


def run(scale: str, places: int, quota: int, share: float) -> None:
    workers, pledges = make(**SCALES[scale])  # type: ignore[arg-type]
    # The family's pledges can hold about every worker; scale them so companies pay for `share` of the places.
    pledges = pledges.assign(capacity=np.maximum((pledges["capacity"] * share).round().astype(int), 1))
    w_small, p_small = make(n_workers=5_000, n_pledges=50, kota_only=True, seed=1)
    solve(w_small, p_small)  # compile / load the kernels outside the timings
    t0 = time.perf_counter()
    csr = solve(workers[COLUMNS], pledges)
    t_csr = time.perf_counter() - t0
    rest = workers[~workers["worker_id"].isin(csr["worker_id"])]
    areas = _areas(rest)
    centre = (float(rest["lat"].mean()), float(rest["lon"].mean()))
    biggest = rest["kelurahan_code"].str.rsplit(".", n=1).str[0].value_counts().index[:20]
    print(
        f"{scale}: {len(workers):,} workers, {len(pledges):,} pledges; pledges cover {len(csr):,}; "
        f"{len(rest):,} left; {len(areas)} kecamatan; python {platform.python_version()}"
    )
    print(f"pledges alone: {t_csr:.2f} s")
    for label, quotas in [("citywide", {}), (f"20 quotas x {quota}", {str(k): quota for k in biggest})]:
        t1 = time.perf_counter()
        holders, _ = place_holders(places=places, quotas=quotas, areas=areas, centre=centre)
        got = solve(rest[COLUMNS], holders)
        t_alloc = time.perf_counter() - t1
        desil = got["desil"].fillna(10)
        print(
            f"allocation {label}: {places:,} places, {len(got):,} filled, mean desil {float(np.mean(desil)):.2f}, "
            f"{t_alloc:.2f} s; (pledges + allocation) / pledges = {(t_csr + t_alloc) / t_csr:.2f}x"
        )
    print(f"peak RSS {peak_rss_mb():,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="regency", choices=list(SCALES))
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--quota", type=int, default=500)
    parser.add_argument("--share", type=float, default=0.5, help="pledge capacity kept from the family (0-1)")
    args = parser.parse_args()
    run(args.scale, args.places, args.quota, args.share)


if __name__ == "__main__":
    main()
