"""City dashboard benchmark: 200,000 workers, 2,000 companies, 2,000 pledges on SQLite and on a throwaway PostgreSQL.

    python -m benchmarks.dashboard [sqlite|postgresql|both] [--workers N] [--loads 20]

Seeds one campaign at that scale (workers scattered over Kota Tangerang's kelurahan by benchmarks/synthetic.py;
1,500 companies answered with a pledge, 500 of those renewed it - 2,000 pledges; pledges in every state; about
200,000 assignments with cover dates; the rest of the registry unprotected), then measures:

- each insight service, uncached (median of 5 runs);
- the full page `pages/city/overview.py` rendered by AppTest as the viewer: the first load (cold cache), then
  20 loads (the cache at the UI edge, st.cache_data per role and data version, answers them), p50 / p95 / max;
- the same page with the process's cache cleared before each of 3 loads (a restarted server, a second replica: the
  read model is read back from the database) - `uncached_*`;
- the same page with the cache cleared and the stored read model deleted before each of 3 loads (what whoever
  computes a version waits for: the warm-up, the refresher, or a viewer of a fresh install) - `computed_*`;
- the first viewer after a write made through another engine, with the server's refresher on (issue 26): a viewer
  1,2 s after the write, one once the refresher has the new version ready (with the refresh's duration), and one
  right after a write followed by a restart (the stored figures shown while the new ones are computed).

Results are printed and written to benchmarks/results/dashboard-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import secrets
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from sqlalchemy import insert
from sqlmodel import Session, select

from benchmarks.synthetic import make, villages
from models import Assignment, Campaign, Company, LetterRecipient, Pledge, PledgeKelurahan, Role, User, Worker
from services import insight
from services.insight import snapshots
from services.insight.refresher import Refresher
from services.platform import history
from services.platform.authz import Actor
from services.platform.db import make_engine, migrate
from services.platform.regions import load_regions

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TODAY = dt.date.today()
LETTER = dt.date(2024, 10, 14)
SECTORS = ["Alas kaki", "Tekstil & garmen", "Makanan & minuman", "Logistik", "Ritel", "Perbankan", "Elektronik"]
STORIES = ["active"] * 10 + ["registered"] * 3 + ["matched"] * 4 + ["expired"] * 2 + ["submitted"]


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _insert(session: Session, model: Any, rows: list[dict[str, Any]], chunk: int = 20_000) -> None:
    for i in range(0, len(rows), chunk):
        session.execute(insert(model), rows[i : i + chunk])


def seed(
    session: Session, *, n_workers: int, n_companies: int = 2_000, n_pledges: int = 2_000, rng_seed: int = 13
) -> dict:
    """Fill an empty, migrated database at the given scale. Returns the counts."""
    rng = np.random.default_rng(rng_seed)
    load_regions(session=session)
    workers, pledges = make(n_workers=n_workers, n_pledges=n_companies, kota_only=True, seed=rng_seed)
    v = villages(kota_only=True)
    kel_of = cKDTree(v[["vlat", "vlon"]].to_numpy())
    campaign = Campaign(
        letter_number="SE No. 14422/2024",
        letter_date=LETTER,
        subject="Benchmark",
        response_deadline=dt.date(2024, 12, 31),
        target_workers=200_000,
    )
    session.add(campaign)
    session.flush()
    now = dt.datetime.now(dt.UTC)
    _insert(
        session,
        Worker,
        [
            {
                "id": int(r.worker_id),
                "nik": f"{3671010101900000 + int(r.worker_id):016d}",
                "name": f"Pekerja {int(r.worker_id)}",
                "sex": "LP"[int(r.worker_id) % 2],
                "birth_date": dt.date(1980 + int(r.worker_id) % 25, 1, 15),
                "kelurahan_code": r.kelurahan_code,
                "address": "",
                "occupation": r.occupation,
                "desil": None if pd.isna(r.desil) else int(r.desil),
                "phone": "",
                "lat": None if i % 7 == 0 else float(r.lat),  # some without coordinates, as in the registry
                "lon": None if i % 7 == 0 else float(r.lon),
                "covered_elsewhere": i % 16 == 0,
                "created_at": now,
            }
            for i, r in enumerate(workers.itertuples(index=False))
        ],
    )
    _, site_kel = kel_of.query(pledges[["lat", "lon"]].to_numpy())
    companies = [
        {
            "id": j + 1,
            "name": f"PT Bench {j + 1:04d}",
            "kelurahan_code": v["kelurahan_code"].iloc[int(site_kel[j])],
            "site_lat": float(pledges["lat"].iloc[j]),
            "site_lon": float(pledges["lon"].iloc[j]),
            "sector": SECTORS[j % len(SECTORS)],
            "address": "",
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
            "show_amount": j % 9 != 0,
            "created_at": now,
        }
        for j in range(n_companies)
    ]
    _insert(session, Company, companies)
    answered = int(n_companies * 0.75)
    renewals = n_pledges - answered
    sent = _at(LETTER + dt.timedelta(days=1))
    span = max((TODAY - LETTER).days - 30, 1)
    answer_day = [LETTER + dt.timedelta(days=int(d)) for d in rng.integers(3, span, size=n_companies)]
    _insert(
        session,
        LetterRecipient,
        [
            {
                "campaign_id": campaign.id,
                "company_id": j + 1,
                "sent_at": sent,
                "first_login_at": _at(answer_day[j]) if j < answered or j % 3 else None,
                "responded_at": _at(answer_day[j]) if j < answered else None,
                "reminders_sent": 0,
            }
            for j in range(n_companies)
        ],
    )
    # Pledges 1..answered: one per answering company; the last `renewals` renew the first ones.
    free = rng.permutation(workers["worker_id"].to_numpy())
    cursor = 0
    pledge_rows, assignment_rows, kel_rows = [], [], []
    held: dict[int, np.ndarray] = {}
    for j in range(answered):
        story = STORIES[j % len(STORIES)]
        renewed = j < renewals
        size = int(pledges["capacity"].iloc[j])
        created = answer_day[j]
        start = min(created + dt.timedelta(days=40), TODAY).replace(day=1)
        months = 12
        if story == "expired":
            months = 3
        status = "renewed" if renewed else story
        pledge_rows.append(
            {
                "id": j + 1,
                "company_id": j + 1,
                "campaign_id": campaign.id,
                "workers": size,
                "months": months,
                "start_month": start,
                "include_jht": False,
                "premium_per_worker_month": 16_800,
                "radius_km": float(pledges["radius_km"].iloc[j]),
                "occupations": [],
                "status": status,
                "created_at": _at(created),
                "updated_at": _at(created),
            }
        )
        if j % 5 == 0:
            kel_rows.append({"pledge_id": j + 1, "kelurahan_code": companies[j]["kelurahan_code"]})
        if story == "submitted" and not renewed:
            continue
        ids = free[cursor : cursor + size]
        cursor += size
        held[j] = ids
        end = start + dt.timedelta(days=30 * months)
        a_status = {"active": "active", "registered": "registered", "matched": "assigned", "expired": "expired"}.get(
            story, "active"
        )
        if renewed:
            a_status = "renewed"
        carded = a_status in ("active", "expired", "renewed")
        for w in ids:
            assignment_rows.append(
                {
                    "worker_id": int(w),
                    "pledge_id": j + 1,
                    "status": a_status,
                    "reason": "",
                    "kpj_number": "1" if carded else None,
                    "coverage_start": start if carded else None,
                    "coverage_end": end if carded else None,
                    "created_at": _at(created, 10),
                    "updated_at": _at(created, 11),
                }
            )
    for k in range(renewals):  # pledge answered+k+1 renews pledge k+1 with the same workers
        parent = pledge_rows[k]
        start = min(parent["start_month"] + dt.timedelta(days=365), TODAY).replace(day=1)
        pledge_rows.append(
            {**parent, "id": answered + k + 1, "status": "active", "start_month": start, "renewed_from_id": k + 1}
        )
        for w in held.get(k, []):
            assignment_rows.append(
                {
                    "worker_id": int(w),
                    "pledge_id": answered + k + 1,
                    "status": "active",
                    "reason": "",
                    "kpj_number": "1",
                    "coverage_start": start,
                    "coverage_end": start + dt.timedelta(days=365),
                    "created_at": _at(start - dt.timedelta(days=20)),
                    "updated_at": _at(start - dt.timedelta(days=20)),
                }
            )
    _insert(session, Pledge, [{"renewed_from_id": None, **p} for p in pledge_rows])
    _insert(session, PledgeKelurahan, kel_rows)
    _insert(session, Assignment, assignment_rows)
    session.add(User(username="walikota", display_name="Kantor Wali Kota", role=Role.VIEWER, password_hash="x"))
    session.flush()
    history.backfill(session.connection())  # the state history these dated rows tell (as migration 0008 does)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        for table in (
            "worker",
            "company",
            "pledge",
            "assignment",
            "letterrecipient",
            "pledge_history",
            "assignment_history",
        ):
            session.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608 - constant names
            )
        session.execute(text("ANALYZE"))
        session.commit()
    return {
        "workers": n_workers,
        "companies": n_companies,
        "pledges": len(pledge_rows),
        "assignments": len(assignment_rows),
    }


def _time(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure_services(url: str, actor: Actor) -> dict[str, float]:
    engine = make_engine(url)
    out: dict[str, float] = {}
    with Session(engine) as s:
        calls: dict[str, Callable[[], object]] = {
            "headline": lambda: insight.headline(session=s, actor=actor),
            "funnel": lambda: insight.funnel(session=s, actor=actor),
            "weekly_progress": lambda: insight.weekly_progress(session=s, actor=actor),
            "coverage_by_kelurahan (incl. gap)": lambda: insight.coverage_by_kelurahan(session=s, actor=actor),
            "gaps (incl. coverage)": lambda: insight.gaps(session=s, actor=actor),
            "forecast": lambda: insight.forecast(session=s, actor=actor, extra_companies=10),
            "expiring_cover": lambda: insight.expiring_cover(session=s, actor=actor),
        }
        for name, fn in calls.items():
            out[name] = _time(fn)
            s.rollback()
        year, quarter = insight.available_quarters(LETTER, TODAY)[0]
        for kind in ("pdf", "xlsx"):
            out[f"quarterly_file {kind}"] = _time(
                lambda kind=kind: insight.quarterly_file(session=s, actor=actor, year=year, quarter=quarter, kind=kind),
                repeat=3,
            )
    engine.dispose()
    return out


def measure_page(url: str, actor: Actor, loads: int) -> dict[str, Any]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui import state

    os.environ.update({"DATABASE_URL": url, "PAYUNG_DEMO": "false", "PAYUNG_COOKIE_KEY": secrets.token_hex(32)})
    st.cache_resource.clear()
    st.cache_data.clear()

    # One AppTest for all loads, as one browser session reloading the page: creating an AppTest scans every
    # installed package for components (~0.5 s), which is the harness, not the page.
    at = AppTest.from_file(str(ROOT / "pages" / "city" / "overview.py"), default_timeout=120)
    at.session_state[state.ACTOR_KEY] = actor
    at.session_state[state.VERSION_KEY] = 0

    cpu: list[float] = []

    def render(clear: bool, compute: bool = False) -> float:
        """Wall seconds of one full run; the process's CPU seconds go to `cpu` (the machine is shared: wall time
        includes waiting for a core, CPU time is what the page itself costs). `clear`: the process's cache cleared
        (a restarted server, another replica: the read model is read from the database); `compute`: the stored
        read model deleted too (what whoever computes a version waits for)."""
        if clear:
            st.cache_data.clear()
        if compute:
            snapshots.forget(state.engine())
        r0, t = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        at.run()
        elapsed, r1 = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF)
        cpu.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        assert not at.exception, at.exception
        assert len(at.get("vega_lite_chart")) >= 4
        return elapsed

    render(False)  # opens the engine (cache_resource) once, as a running server has
    st.cache_data.clear()
    first = render(False)
    cpu.clear()
    warm = [render(False) for _ in range(loads)]
    warm_cpu = list(cpu)
    cold = [render(True) for _ in range(3)]
    computed = [render(True, compute=True) for _ in range(3)]
    after_write = _after_writes(url, render)
    q = statistics.quantiles(warm, n=20, method="inclusive")
    q_cpu = statistics.quantiles(warm_cpu, n=20, method="inclusive")
    return {
        "first_load_s": first,
        "cached_loads": loads,
        "cached_p50_s": statistics.median(warm),
        "cached_p95_s": q[18],
        "cached_max_s": max(warm),
        "cached_cpu_p50_s": statistics.median(warm_cpu),
        "cached_cpu_p95_s": q_cpu[18],
        "cached_all_s": sorted(warm),
        "uncached_median_s": statistics.median(cold),
        "uncached_max_s": max(cold),
        "computed_median_s": statistics.median(computed),
        "computed_max_s": max(computed),
        **after_write,
    }


def _write_elsewhere(url: str, n: int) -> None:
    """A watched write through an engine of its own, as a CLI import or another replica makes it."""
    other = make_engine(url)
    with Session(other) as s:
        company = s.exec(select(Company).order_by(Company.id).offset(n)).first()
        assert company is not None
        company.show_amount = not company.show_amount
        s.add(company)
        s.commit()
    other.dispose()


def _after_writes(url: str, render: Callable[[bool], float], trials: int = 3) -> dict[str, Any]:
    """The first viewer after a write, with the server's refresher on (issue 26): for each trial a write through
    another engine, then (a) a viewer arriving 1,2 s later (the version probe has seen it: it is shown the version
    before until the new one is ready, or waits for the running refresh if the one shown is REFRESH_S old) and,
    after another write,
    (b) a viewer arriving once the refresher has the new version ready; plus how long the refresh took."""
    from ui import insight as view
    from ui import state

    view.BACKGROUND = True  # as scripts/serve.py sets it; AppTest's runtime makes in_server() true during a run
    # A fresh refresher and shown versions per database: the versions of the SQLite run (same process) would
    # otherwise count as ready for the PostgreSQL database's equal version numbers.
    view.refresher = Refresher(view._refresh, min_interval_s=0.0, probe_s=0.2)  # every write, not one per 15 s
    view._shown.clear()
    at_1s, ready, refresh, restart = [], [], [], []
    try:
        render(False)  # the first view starts the refresher thread
        for n in range(trials):
            _write_elsewhere(url, 2 * n)
            time.sleep(1.2)  # this process sees another process's write within PROBE_S (1 s)
            at_1s.append(render(False))
            before = view.stamp(state.engine())
            _write_elsewhere(url, 2 * n + 1)
            written, latest = time.perf_counter(), before
            while latest[0] <= before[0] or not view.refresher.ready("viewer", latest):
                time.sleep(0.05)
                latest = view.stamp(state.engine())
                assert time.perf_counter() - written < 120, "no refresh"
            refresh.append(time.perf_counter() - written)
            ready.append(render(False))
        # (c) a write, then the server restarts before anyone viewed it: the first viewer gets the stored figures
        # (labelled as refreshing) while the refresher computes the new ones
        _write_elsewhere(url, 2 * trials)
        time.sleep(1.2)
        view._shown.clear()
        restart.append(render(True))
    finally:
        view.refresher.stop()
        view.BACKGROUND = False
    return {
        "after_write_1s_s": at_1s,
        "after_write_refresh_s": refresh,
        "after_write_ready_s": ready,
        "after_write_ready_max_s": max(ready),
        "after_write_restart_s": restart,
    }


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem.split(":")[-1].strip(),
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }


def run(kind: str, n_workers: int, loads: int) -> dict[str, Any]:
    from tests.pg import ThrowawayPostgres

    pg = None
    if kind == "sqlite":
        path = RESULTS / "dashboard-bench.db.tmp"
        RESULTS.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        pg = ThrowawayPostgres()
        url = pg.start()
    try:
        migrate(url)
        engine = make_engine(url)
        t = time.perf_counter()
        with Session(engine) as s:
            counts = seed(s, n_workers=n_workers)
            viewer = s.exec(select(User).where(User.username == "walikota")).one()
            actor = Actor(user_id=viewer.id, username=viewer.username, role=viewer.role)
        engine.dispose()
        seeded = time.perf_counter() - t
        print(f"[{kind}] seeded {counts} in {seeded:.1f} s", flush=True)
        services = measure_services(url, actor)
        for name, secs in services.items():
            print(f"[{kind}] {name:36s} {secs * 1000:8.0f} ms", flush=True)
        page = measure_page(url, actor, loads)
        shown = {k: round(v, 3) for k, v in page.items() if isinstance(v, float)}
        cached = [round(x, 3) for x in page["cached_all_s"]]
        print(f"[{kind}] page {json.dumps(shown)} all cached: {cached}", flush=True)
        after = {
            k: [round(x, 3) for x in v] for k, v in page.items() if k.startswith("after_write") and isinstance(v, list)
        }
        print(f"[{kind}] after a write elsewhere: {json.dumps(after)}", flush=True)
        result = {
            "database": kind,
            "scale": counts,
            "seed_s": seeded,
            "services_s": services,
            "page": page,
            "machine": machine(),
            "date": TODAY.isoformat(),
        }
        (RESULTS / f"dashboard-{kind}.json").write_text(json.dumps(result, indent=2))
        return result
    finally:
        if pg is not None:
            pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", choices=["sqlite", "postgresql", "both"], nargs="?", default="both")
    parser.add_argument("--workers", type=int, default=200_000)
    parser.add_argument("--loads", type=int, default=20)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for kind in kinds:
        run(kind, args.workers, args.loads)


if __name__ == "__main__":
    main()
