"""Persisted matching benchmark on a throwaway PostgreSQL (tests/pg.py), filled with the synthetic data.

    python -m benchmarks.persist [city|regency]

Fills a fresh database (regions of Kota + Kabupaten Tangerang, one campaign, one company per pledge, the
workers) with COPY, then times `run_full_match` (load, solve, persist), a second full run (nothing changed:
nobody moves), and `match_pledge` for a new 148-worker pledge after a quarter of the proposed assignments
were made `registered` (they must not move).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import resource
import time
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text
from sqlmodel import Session, col

from benchmarks.matching import SCALES
from benchmarks.synthetic import make
from models import Assignment, Company, Kecamatan, Kelurahan, Pledge, PledgeKelurahan, Worker
from services.matching.core import SolveStats
from services.matching.service import _run_full_match, match_pledge
from services.platform.authz import SYSTEM
from services.platform.db import make_engine, migrate
from services.platform.regions import load_regions
from services.platform.settings import REGIONS_DIR
from tests.pg import ThrowawayPostgres

WORKER_COLUMNS = [
    "id",
    "nik",
    "name",
    "sex",
    "birth_date",
    "kelurahan_code",
    "address",
    "occupation",
    "desil",
    "phone",
    "lat",
    "lon",
    "covered_elsewhere",
    "covered_by",
    "location_estimated",
    "created_at",
]  # the order of the rows written by COPY below


def _worker_row(
    wid: int,
    nik: str,
    name: str,
    sex: str,
    birth_date: str,
    kelurahan_code: str,
    occupation: str,
    desil: int | None,
    lat: float,
    lon: float,
    now: str,
) -> tuple[object, ...]:
    """One worker row in WORKER_COLUMNS order (no address or phone, not covered elsewhere, located)."""
    return (wid, nik, name, sex, birth_date, kelurahan_code, "", occupation, desil, "", lat, lon, "f", "", "f", now)


def _copy(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """COPY rows (tab-separated text; None -> NULL) into a table through the session's psycopg connection."""
    buf = io.StringIO()
    for r in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in r))
        buf.write("\n")
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:  # type: ignore[attr-defined]
        cp.write(buf.getvalue())


def fill(session: Session, workers: pd.DataFrame, pledges: pd.DataFrame) -> None:
    load_regions(session=session)
    kec = pd.read_csv(REGIONS_DIR / "kab_tangerang_kecamatan.csv", dtype={"kecamatan_code": str})
    desa = pd.read_csv(
        REGIONS_DIR / "kab_tangerang_desa_kelurahan.csv", dtype={"desa_code": str, "kecamatan_code": str}
    )
    _copy(
        session,
        Kecamatan.__tablename__,  # type: ignore[arg-type]
        ["code", "name", "kabkota_code", "lat", "lon", "area_km2"],
        ((r.kecamatan_code, r.kecamatan_name, "36.03", r.lat, r.lon, r.area_km2) for r in kec.itertuples()),
    )
    _copy(
        session,
        Kelurahan.__tablename__,  # type: ignore[arg-type]
        ["code", "name", "kecamatan_code", "lat", "lon", "rep_lat", "rep_lon", "area_km2"],
        (
            (r.desa_code, r.desa_name, r.kecamatan_code, r.lat, r.lon, r.lat, r.lon, r.area_km2_polygon)
            for r in desa.itertuples()
        ),
    )
    session.execute(
        text(
            "INSERT INTO campaign (letter_number, letter_date, subject, body, response_deadline, target_workers, "
            "suggested_min_workers, premium_jkk_jkm, premium_jht, is_active, created_at) VALUES "
            "('SE/BENCH/2024', '2024-10-14', 'Bench', '', '2024-12-31', 200000, 100, 16800, 20000, true, now())"
        )
    )
    campaign_id = session.execute(text("SELECT max(id) FROM campaign")).scalar_one()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    kel_of_site = workers["kelurahan_code"].iloc[0]
    _copy(
        session,
        Company.__tablename__,  # type: ignore[arg-type]
        [
            "id",
            "name",
            "address",
            "kelurahan_code",
            "site_lat",
            "site_lon",
            "sector",
            "contact_name",
            "contact_email",
            "contact_phone",
            "show_amount",
            "created_at",
        ],
        (
            (int(pid), f"PT Bench {pid}", "", kel_of_site, float(la), float(lo), "", "", "", "", "t", now)
            for pid, la, lo in zip(pledges.pledge_id, pledges.lat, pledges.lon, strict=True)
        ),
    )
    _copy(
        session,
        Pledge.__tablename__,  # type: ignore[arg-type]
        [
            "id",
            "company_id",
            "campaign_id",
            "workers",
            "months",
            "start_month",
            "include_jht",
            "premium_per_worker_month",
            "radius_km",
            "occupations",
            "status",
            "created_at",
            "updated_at",
        ],
        (
            (
                int(r.pledge_id),
                int(r.pledge_id),
                campaign_id,
                int(r.capacity),
                12,
                "2025-01-01",
                "f",
                16800,
                float(r.radius_km),
                pd.io.json.ujson_dumps(list(r.occupations)),
                "submitted",
                now,
                now,
            )
            for r in pledges.itertuples()
        ),
    )
    _copy(
        session,
        PledgeKelurahan.__tablename__,  # type: ignore[arg-type]
        ["pledge_id", "kelurahan_code"],
        ((int(r.pledge_id), c) for r in pledges.itertuples() for c in sorted(set(r.kelurahan_codes))),
    )
    _copy(
        session,
        Worker.__tablename__,  # type: ignore[arg-type]
        WORKER_COLUMNS,
        (
            _worker_row(
                int(r.worker_id),
                f"{3600000000000000 + int(r.worker_id)}",
                "Bench",
                "L",
                "1980-01-01",
                r.kelurahan_code,
                r.occupation,
                None if pd.isna(r.desil) else int(r.desil),
                float(r.lat),
                float(r.lon),
                now,
            )
            for r in workers.itertuples()
        ),
    )
    for table in ("company", "pledge", "worker"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))  # noqa: S608
    session.commit()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scale", nargs="?", default="city", choices=["city", "regency"])
    ap.add_argument("--once", action="store_true", help="skip the second (nothing changed) full run")
    ap.add_argument("--processes", type=int, default=1, help="as the batch command's --processes (portal: 1)")
    args = ap.parse_args()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    workers, pledges = make(**SCALES[args.scale])  # type: ignore[arg-type]
    pg = ThrowawayPostgres()
    if not pg.available:
        raise SystemExit("PostgreSQL binaries not found")
    url = pg.start()
    try:
        migrate(url)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            t0 = time.perf_counter()
            fill(session, workers, pledges)
            print({"fill_s": round(time.perf_counter() - t0, 1)}, flush=True)
        out: dict[str, object] = {"scale": args.scale, "processes": args.processes}
        for run in ("first",) if args.once else ("first", "second"):
            with Session(engine, expire_on_commit=False) as session:
                stats = SolveStats()
                res = _run_full_match(session, SYSTEM, None, stats, processes=args.processes)
                out[run] = {
                    "total_s": res.seconds,
                    "load_s": round(stats.extra.get("load_s", 0.0), 2),
                    "candidates_s": round(stats.candidates_s, 2),
                    "solve_s": round(stats.solve_s, 2),
                    "persist_s": round(stats.extra.get("persist_s", 0.0), 2),
                    "assigned": res.assigned,
                    "moved": res.moved,
                    "kept": res.kept,
                }
            print(out, flush=True)
        with Session(engine, expire_on_commit=False) as session:
            # A quarter of the proposals become registered; they must never move.
            session.execute(
                text("UPDATE assignment SET status = 'registered' WHERE status = 'assigned' AND id % 4 = 0")
            )
            session.commit()
            before = session.execute(
                select(col(Assignment.worker_id), col(Assignment.pledge_id), col(Assignment.status)).where(
                    col(Assignment.status).in_(["assigned", "registered"])
                )
            ).all()
            site = pledges.iloc[len(pledges) // 2]
            # New arrivals: 400 free workers within ~3 km of the new company's site (the pool is otherwise full).
            rng = np.random.default_rng(7)
            first_id = int(workers["worker_id"].max()) + 1
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
            _copy(
                session,
                Worker.__tablename__,  # type: ignore[arg-type]
                WORKER_COLUMNS,
                (
                    _worker_row(
                        first_id + i,
                        f"{3700000000000000 + i}",
                        "Baru",
                        "P",
                        "1990-01-01",
                        str(workers["kelurahan_code"].iloc[0]),
                        "pedagang",
                        int(rng.integers(1, 11)),
                        float(site.lat + rng.uniform(-0.027, 0.027)),
                        float(site.lon + rng.uniform(-0.027, 0.027)),
                        now,
                    )
                    for i in range(400)
                ),
            )
            session.commit()
            company = Company(
                name="PT Baru",
                kelurahan_code=str(workers["kelurahan_code"].iloc[0]),
                site_lat=float(site.lat),
                site_lon=float(site.lon),
            )
            session.add(company)
            session.flush()
            campaign_id = session.execute(text("SELECT max(id) FROM campaign")).scalar_one()
            pledge = Pledge(
                company_id=company.id,
                campaign_id=campaign_id,
                workers=148,
                months=12,
                start_month=dt.date(2025, 1, 1),
                premium_per_worker_month=16800,
                radius_km=5.0,
            )
            session.add(pledge)
            session.commit()
            t0 = time.perf_counter()
            mr = match_pledge(session=session, pledge_id=int(pledge.id), actor=SYSTEM)  # type: ignore[arg-type]
            dt_s = time.perf_counter() - t0
            after = session.execute(
                select(col(Assignment.worker_id), col(Assignment.pledge_id), col(Assignment.status)).where(
                    col(Assignment.status).in_(["assigned", "registered"]), col(Assignment.pledge_id) != pledge.id
                )
            ).all()
            holding = session.execute(
                select(func.count())
                .select_from(Assignment)
                .where(col(Assignment.status).in_(["assigned", "registered"]))
            ).scalar_one()
            out["match_pledge"] = {
                "seconds": round(dt_s, 3),
                "assigned_now": mr.assigned_now,
                "nobody_moved": sorted(before) == sorted(after),
                "holding_after": holding,
            }
        print(out, flush=True)
        print({"peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})
        engine.dispose()
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
