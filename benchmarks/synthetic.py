"""Synthetic Tangerang-like workers and pledges for benchmarks (reproducible from a seed).

Workers are scattered around the kelurahan/desa points of Kota and Kabupaten Tangerang, each within the
disc of its village's area; pledges sit at random worker-like sites with 2-5 km radii, some add a few
kelurahan to their area and some ask for occupations. For the national stretch the whole region is
copied to `regions` far-apart places (as independent as separate provinces).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from services.platform.settings import REGIONS_DIR

OCCUPATIONS = ["pedagang", "ojek", "buruh bangunan", "petugas kebersihan", "juru parkir", "nelayan", "ketua RT/RW"]


@functools.cache  # read once per process (the frame is never modified: callers copy with assign or a mask)
def villages(*, kota_only: bool) -> pd.DataFrame:
    kota = pd.read_csv(REGIONS_DIR / "tangerang_kelurahan.csv", dtype={"kelurahan_code": str})
    kota = kota.rename(columns={"rep_point_lat": "vlat", "rep_point_lon": "vlon", "area_km2_polygon": "area"})
    out = kota[["kelurahan_code", "vlat", "vlon", "area"]]
    if not kota_only:
        kab = pd.read_csv(REGIONS_DIR / "kab_tangerang_desa_kelurahan.csv", dtype={"desa_code": str})
        kab = kab.rename(
            columns={"desa_code": "kelurahan_code", "lat": "vlat", "lon": "vlon", "area_km2_polygon": "area"}
        )
        out = pd.concat([out, kab[["kelurahan_code", "vlat", "vlon", "area"]]], ignore_index=True)
    return out.reset_index(drop=True)


def _scatter(rng: np.random.Generator, v: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    prob = v["area"].to_numpy() / v["area"].sum()
    k = rng.choice(len(v), size=n, p=prob)
    r = np.sqrt(v["area"].to_numpy()[k] / np.pi) * np.sqrt(rng.random(n))
    th = rng.random(n) * 2 * np.pi
    lat = v["vlat"].to_numpy()[k] + (r * np.sin(th)) / 111.2
    lon = v["vlon"].to_numpy()[k] + (r * np.cos(th)) / (111.2 * np.cos(np.radians(-6.2)))
    return lat, lon, k


def make(
    *,
    n_workers: int,
    n_pledges: int,
    kota_only: bool,
    seed: int = 14422,
    regions: int = 1,
    radius: tuple[float, float] = (2.0, 5.0),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    v = villages(kota_only=kota_only)
    wl, pl = [], []
    per_w, per_p = n_workers // regions, n_pledges // regions
    for reg in range(regions):
        lat, lon, k = _scatter(rng, v, per_w)
        desil = rng.choice(
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -1],
            size=per_w,
            p=[0.14, 0.14, 0.13, 0.12, 0.11, 0.09, 0.07, 0.05, 0.04, 0.03, 0.08],
        )
        occ = rng.choice(OCCUPATIONS, size=per_w, p=[0.35, 0.2, 0.15, 0.1, 0.08, 0.04, 0.08])
        codes = v["kelurahan_code"].to_numpy()[k]
        wl.append(
            pd.DataFrame(
                {
                    "worker_id": np.arange(per_w) + reg * per_w + 1,
                    "lat": lat + 1.5 * reg,
                    "lon": lon + 1.5 * (reg % 3),
                    "desil": pd.array(np.where(desil < 0, pd.NA, desil), dtype="Int64"),
                    "occupation": occ,
                    "kelurahan_code": [f"{c}/{reg}" for c in codes] if regions > 1 else codes,
                }
            )
        )
        plat, plon, pk = _scatter(rng, v, per_p)
        kel_sets = []
        occs = []
        for j in range(per_p):
            if rng.random() < 0.2:
                near = np.argsort((v["vlat"] - plat[j]) ** 2 + (v["vlon"] - plon[j]) ** 2).to_numpy()[:6]
                pick = rng.choice(near, size=int(rng.integers(1, 4)), replace=False)
                cs = [str(v["kelurahan_code"].iloc[i]) for i in pick]
                kel_sets.append([f"{c}/{reg}" for c in cs] if regions > 1 else cs)
            else:
                kel_sets.append([])
            occs.append(
                list(rng.choice(OCCUPATIONS[:4], size=int(rng.integers(1, 3)), replace=False))
                if rng.random() < 0.15
                else []
            )
        pl.append(
            pd.DataFrame(
                {
                    "pledge_id": np.arange(per_p) + reg * per_p + 1,
                    "lat": plat + 1.5 * reg,
                    "lon": plon + 1.5 * (reg % 3),
                    "capacity": rng.integers(50, 151, size=per_p),
                    "radius_km": np.round(rng.uniform(radius[0], radius[1], size=per_p), 1),
                    "kelurahan_codes": kel_sets,
                    "occupations": occs,
                }
            )
        )
    return pd.concat(wl, ignore_index=True), pd.concat(pl, ignore_index=True)


# Industrial kecamatan (where companies cluster): Kota's west and, at regency scale, Kabupaten's Cikupa/Balaraja.
INDUSTRIAL = {True: ("Jatiuwung", "Cibodas", "Batuceper"), False: ("Jatiuwung", "Cikupa", "Balaraja")}
SITES = ("workers", "villages", "industrial")


def family(
    *,
    n_workers: int,
    n_pledges: int,
    kota_only: bool,
    load: float,
    sites: str,
    radius: tuple[float, float],
    unknown_desil: float,
    seed: int = 15,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One family of the matching sweep (benchmarks/matching_sweep.py).

    load: total capacity / workers (capacities 10-300 drawn, then scaled to that total); sites: pledge sites
    drawn where workers live (area-weighted, like the workers), uniformly over villages, or uniformly over the
    villages of three industrial kecamatan; radius: uniform range in km; unknown_desil: share of workers
    without a desil. A fifth of the pledges add 1-3 nearby kelurahan, a seventh ask for 1-2 occupations.
    """
    rng = np.random.default_rng(seed)
    v = villages(kota_only=kota_only)
    lat, lon, k = _scatter(rng, v, n_workers)
    known = rng.choice(np.arange(1, 11), size=n_workers, p=[0.14, 0.14, 0.13, 0.12, 0.11, 0.1, 0.08, 0.07, 0.06, 0.05])
    desil = np.where(rng.random(n_workers) < unknown_desil, -1, known)
    workers = pd.DataFrame(
        {
            "worker_id": np.arange(n_workers) + 1,
            "lat": lat,
            "lon": lon,
            "desil": pd.array(np.where(desil < 0, pd.NA, desil), dtype="Int64"),
            "occupation": rng.choice(OCCUPATIONS, size=n_workers, p=[0.35, 0.2, 0.15, 0.1, 0.08, 0.04, 0.08]),
            "kelurahan_code": v["kelurahan_code"].to_numpy()[k],
        }
    )
    if sites == "workers":
        pv = v
    elif sites == "villages":
        pv = v.assign(area=1.0)  # every village equally likely, whatever its size (and its workers)
    elif sites == "industrial":
        kec = _kecamatan_of(v, kota_only)
        pv = v[kec.isin(INDUSTRIAL[kota_only]).to_numpy()].assign(area=1.0).reset_index(drop=True)
    else:
        raise ValueError(sites)
    plat, plon, _pk = _scatter(rng, pv, n_pledges)
    raw = rng.integers(10, 301, size=n_pledges).astype(np.float64)
    cap = np.maximum(1, np.rint(raw * load * n_workers / raw.sum())).astype(np.int64)
    vlat, vlon = v["vlat"].to_numpy(), v["vlon"].to_numpy()
    kel_sets: list[list[str]] = []
    occs: list[list[str]] = []
    for j in range(n_pledges):
        if rng.random() < 0.2:
            near = np.argsort((vlat - plat[j]) ** 2 + (vlon - plon[j]) ** 2)[:6]
            pick = rng.choice(near, size=int(rng.integers(1, 4)), replace=False)
            kel_sets.append([str(v["kelurahan_code"].iloc[i]) for i in pick])
        else:
            kel_sets.append([])
        occs.append(
            list(rng.choice(OCCUPATIONS[:4], size=int(rng.integers(1, 3)), replace=False))
            if rng.random() < 0.15
            else []
        )
    pledges = pd.DataFrame(
        {
            "pledge_id": np.arange(n_pledges) + 1,
            "lat": plat,
            "lon": plon,
            "capacity": cap,
            "radius_km": np.round(rng.uniform(radius[0], radius[1], size=n_pledges), 1),
            "kelurahan_codes": kel_sets,
            "occupations": occs,
        }
    )
    return workers, pledges


def _kecamatan_of(v: pd.DataFrame, kota_only: bool) -> pd.Series:
    """Kecamatan name of each village row of `villages`."""
    kota = pd.read_csv(REGIONS_DIR / "tangerang_kelurahan.csv", dtype={"kelurahan_code": str})
    names = dict(zip(kota["kelurahan_code"], kota["kecamatan_name"], strict=True))
    if not kota_only:
        kab = pd.read_csv(REGIONS_DIR / "kab_tangerang_desa_kelurahan.csv", dtype={"desa_code": str})
        names.update(zip(kab["desa_code"], kab["kecamatan_name"], strict=True))
    return v["kelurahan_code"].map(names)
