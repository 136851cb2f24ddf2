"""Registry benchmark: a 200,000-row Dinsos workbook imported (read, validate, preview counts, commit) on
SQLite and on a throwaway PostgreSQL, the same file again (nothing changes), and registry searches at that size.

    python -m benchmarks.registry [--rows 200000] [--db sqlite postgresql]

The workbook is built once from tests/data/workers/corpus.py (valid rows: NIK text consistent with the birth
date and sex, real kelurahan names, 1 in 7 without coordinates) and cached in var/bench/.
"""

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from models import Role, User
from services import registry
from services.platform.authz import Actor
from services.platform.db import make_engine, migrate
from services.platform.regions import load_regions
from services.platform.settings import STATE_DIR
from tests.data.workers import corpus
from tests.pg import ThrowawayPostgres

SEARCHES = {
    "name contains 'rahayu'": registry.RegistryFilter(query="rahayu"),
    "NIK prefix 367101": registry.RegistryFilter(query="367101"),
    "full NIK": None,  # filled with a real NIK
    "kecamatan Karawaci + desil 1": registry.RegistryFilter(kecamatan_code="36.71.07", desil=1),
    "status unprotected": registry.RegistryFilter(status="unprotected"),
    "kelurahan + occupation": registry.RegistryFilter(kelurahan_code="36.71.13.1004", occupation="Nelayan"),
}


def workbook(rows: int) -> Path:
    path = STATE_DIR / "bench" / f"workers-{rows}.xlsx"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        path.write_bytes(corpus.xlsx(corpus.unique_good_rows(rows, seed=2024)))
        print(f"built {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
    return path


def _admin(session: Session) -> Actor:
    user = User(username="bench", display_name="Bench", role=Role.ADMIN, password_hash="x")
    session.add(user)
    session.commit()
    return Actor(user_id=user.id, username="bench", role=Role.ADMIN)


def run(url: str, content: bytes, name: str) -> dict[str, object]:
    migrate(url)
    engine = make_engine(url)
    out: dict[str, object] = {}
    with Session(engine, expire_on_commit=False) as s:
        load_regions(session=s)
        admin = _admin(s)
    with Session(engine, expire_on_commit=False) as s:
        t, cpu = time.perf_counter(), time.process_time()
        preview = registry.import_workers(session=s, actor=admin, content=content, filename=name)
        out["preview_s"] = round(time.perf_counter() - t, 2)
        out["preview_cpu_s"] = round(time.process_time() - cpu, 2)  # this process only (not the PG server)
        out["preview_parts_s"] = {k: round(v, 2) for k, v in preview.seconds.items()}
    with Session(engine, expire_on_commit=False) as s:
        t, cpu = time.perf_counter(), time.process_time()
        done = registry.import_workers(
            session=s, actor=admin, content=content, filename=name, apply=True, expected_token=preview.token
        )
        out["commit_s"] = round(time.perf_counter() - t, 2)
        out["commit_cpu_s"] = round(time.process_time() - cpu, 2)
        out["commit_parts_s"] = {k: round(v, 2) for k, v in done.seconds.items()}
        out["inserted"] = done.inserted
    out["preview_plus_commit_s"] = round(float(out["preview_s"]) + float(out["commit_s"]), 2)  # type: ignore[arg-type]
    with Session(engine, expire_on_commit=False) as s:
        t = time.perf_counter()
        again = registry.import_workers(session=s, actor=admin, content=content, filename=name, apply=True)
        out["same_file_again_s"] = round(time.perf_counter() - t, 2)
        out["same_file_again"] = {"inserted": again.inserted, "updated": again.updated, "unchanged": again.unchanged}
    nik = str(corpus.unique_good_rows(1, seed=2024)[0][1])
    searches = dict(SEARCHES, **{"full NIK": registry.RegistryFilter(query=nik)})
    timings: dict[str, float] = {}
    with Session(engine, expire_on_commit=False) as s:
        for label, flt in searches.items():
            assert flt is not None
            runs = []
            for _ in range(5):
                t = time.perf_counter()
                page = registry.search_workers(session=s, actor=admin, flt=flt, page=3)
                runs.append(time.perf_counter() - t)
            timings[f"{label} ({page.total} hits)"] = round(statistics.median(runs) * 1000, 1)
        t = time.perf_counter()
        registry.status_counts(session=s, actor=admin)
        timings["status counts (GROUP BY)"] = round((time.perf_counter() - t) * 1000, 1)
    out["search_ms_median"] = timings
    engine.dispose()
    return out


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.machine()
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "?")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    path = workbook(args.rows)
    content = path.read_bytes()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    print(f"# {_cpu_model()}, Python {platform.python_version()}")
    print(f"# file {path.name}: {len(content) / 1e6:.1f} MB, {args.rows} rows")
    for kind in args.db:
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                result = run(f"sqlite:///{tmp}/bench.db", content, path.name)
        else:
            pg = ThrowawayPostgres()
            try:
                result = run(pg.start(), content, path.name)
            finally:
                pg.stop()
        print(kind, json.dumps(result, indent=1, ensure_ascii=False))
        print(f"# load after {kind}: {os.getloadavg()}")


if __name__ == "__main__":
    main()
