"""Public leaderboard benchmark: 2,000 participating companies, ~200,000 assignments.

    python -m benchmarks.leaderboard [--companies 2000] [--postgres] [--browser]

Fills a fresh SQLite file (or, with --postgres, a throwaway PostgreSQL) with one campaign and N companies that all
pledged (one pledge each, a tenth renewed; 20-200 workers per pledge in every assignment state), then times:
the service (`public_board`: SQL aggregates + ranks), one sort/filter (`board_view`), the HTML of the whole board,
the page script cold (empty cache) and warm (cached) through AppTest, and with --browser the real thing in
Chromium: first load of the page until the table is shown, and a re-sort until the new table is shown.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert, text
from sqlmodel import Session

from models import Assignment, AssignmentStatus, Campaign, Company, LetterRecipient, Pledge, PledgeStatus, Worker
from services import insight
from services.platform.db import make_engine, migrate
from services.platform.regions import load_regions
from services.platform.settings import REGIONS_DIR

ROOT = Path(__file__).resolve().parents[1]
COOKIE_KEY = secrets.token_hex(32)  # outside demo mode the app refuses a guessable key
SECTORS = ["Alas kaki", "Tekstil & garmen", "Makanan & minuman", "Logistik & pergudangan", "Elektronik", "Ritel"]
STORIES = [
    (PledgeStatus.ACTIVE, AssignmentStatus.ACTIVE),
    (PledgeStatus.REGISTERED, AssignmentStatus.REGISTERED),
    (PledgeStatus.MATCHED, AssignmentStatus.ASSIGNED),
    (PledgeStatus.EXPIRED, AssignmentStatus.EXPIRED),
]


def fill(url: str, n_companies: int, seed: int = 14) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    migrate(url)
    engine = make_engine(url)
    kel = pd.read_csv(REGIONS_DIR / "tangerang_kelurahan.csv", dtype={"kelurahan_code": str})
    codes = kel["kelurahan_code"].tolist()
    with Session(engine) as s:
        load_regions(session=s)
        campaign = Campaign(
            letter_number="SE No. 1/2024",
            letter_date=dt.date(2024, 10, 14),
            subject="Benchmark",
            response_deadline=dt.date(2024, 12, 31),
            target_workers=200_000,
        )
        s.add(campaign)
        s.flush()
        s.execute(
            insert(Company),
            [
                {
                    "id": i + 1,
                    "name": f"PT Perusahaan Uji {i + 1:04d}",
                    "kelurahan_code": codes[int(rng.integers(0, len(codes)))],
                    "sector": SECTORS[i % len(SECTORS)],
                    "employees": int(max(3, rng.lognormal(np.log(400), 1.2))) if i % 25 else None,
                    "show_amount": bool(rng.random() > 0.15),
                }
                for i in range(n_companies)
            ],
        )
        sent = dt.datetime(2024, 10, 16, 9, tzinfo=dt.UTC)
        s.execute(
            insert(LetterRecipient),
            [
                {
                    "campaign_id": campaign.id,
                    "company_id": i + 1,
                    "sent_at": sent,
                    "responded_at": sent + dt.timedelta(hours=int(rng.integers(24, 24 * 300))),
                }
                for i in range(n_companies)
            ],
        )
        pledges, assignments, workers = [], [], []
        worker_id = pledge_id = 0
        for i in range(n_companies):
            size = int(rng.integers(20, 201)) // 5 * 5
            status, a_status = STORIES[int(rng.integers(0, len(STORIES)))]
            renewed = rng.random() < 0.1 and status == PledgeStatus.ACTIVE
            chain = [PledgeStatus.RENEWED, status] if renewed else [status]
            first_start = dt.date(2024, 11 + int(rng.integers(0, 2)), 1)
            previous = None
            for k, st in enumerate(chain):
                pledge_id += 1
                start = dt.date(first_start.year + k, first_start.month, 1)
                pledges.append(
                    dict(id=pledge_id, company_id=i + 1, campaign_id=campaign.id, workers=size, months=12,
                         start_month=start, premium_per_worker_month=16_800, radius_km=3.0, occupations=[],
                         status=st, renewed_from_id=previous)
                )  # fmt: skip
                previous = pledge_id
            filled = size if rng.random() < 0.8 else int(size * rng.uniform(0.3, 1.0))
            for _ in range(filled):
                worker_id += 1
                workers.append(
                    dict(id=worker_id, nik=f"3671{worker_id:012d}", name=f"Pekerja {worker_id}", sex="L",
                         birth_date=dt.date(1980, 1, 1), kelurahan_code=codes[worker_id % len(codes)],
                         occupation=["Pedagang kaki lima", "Pengemudi ojek", "Buruh bangunan"][worker_id % 3])
                )  # fmt: skip
                for k, pid in enumerate(range(pledge_id - len(chain) + 1, pledge_id + 1)):
                    last = k == len(chain) - 1
                    assignments.append(
                        dict(worker_id=worker_id, pledge_id=pid,
                             status=a_status if last else AssignmentStatus.RENEWED,
                             coverage_start=first_start if a_status != AssignmentStatus.ASSIGNED else None)
                    )  # fmt: skip
        for table, rows in ((Worker, workers), (Pledge, pledges), (Assignment, assignments)):
            for chunk in range(0, len(rows), 20_000):
                s.execute(insert(table), rows[chunk : chunk + 20_000])
        s.commit()
        if engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load; a plan made on empty
            s.execute(text("ANALYZE"))  # statistics (nested loops over 200k rows) took minutes
            s.commit()
    engine.dispose()
    return {"companies": n_companies, "pledges": len(pledges), "workers": len(workers), "assignments": len(assignments)}


CPU: dict[str, float] = {}  # CPU seconds of this process per measure: on a shared, loaded machine the wall
# time mostly measures waiting for a core; for SQLite (in-process) the CPU time is the cost of the work itself.


def _timed(fn, repeat: int = 5, name: str = "") -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    if name:
        CPU[name] = statistics.median(cpu)
    return statistics.median(times), result


def measure_services(url: str) -> dict[str, float]:
    from ui.leaderboard import board_html, name_index_html  # pure builders (no Streamlit calls)

    engine = make_engine(url)
    with Session(engine) as s:
        service, board = _timed(lambda: insight.public_board(session=s), name="public_board_cpu_s")
        timeline, _ = _timed(lambda: insight.board_timeline(session=s), name="board_timeline_cpu_s")
    rows = board.rows  # type: ignore[attr-defined]
    view, sorted_rows = _timed(lambda: insight.board_view(rows, sort_by="workers_pledged", descending=True))

    def page_html() -> str:  # what the page renders: one page of the table and the A-Z index of every name
        shown, _ = insight.page_of(sorted_rows, page=0)  # type: ignore[arg-type]
        return board_html(shown, suggested_min=100, caption="x") + name_index_html(rows)

    html, text = _timed(page_html, name="page_html_cpu_s")
    engine.dispose()
    return {
        "rows": float(len(rows)),
        "public_board_s": service,
        "board_timeline_s": timeline,
        "board_view_sort_s": view,
        "page_html_s": html,
        "page_html_kb": len(text) / 1024,  # type: ignore[arg-type]
    } | CPU


def measure_page(url: str) -> dict[str, float]:
    """The page script through AppTest: cold (cache cleared) and warm (cached board; the sort still runs)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["DATABASE_URL"] = url
    os.environ["PAYUNG_COOKIE_KEY"] = COOKIE_KEY
    os.environ["PAYUNG_DEMO"] = "false"
    page = str(ROOT / "pages" / "public" / "home.py")
    AppTest.from_file(page, default_timeout=120).run()  # engine and imports warm

    def cold() -> AppTest:
        st.cache_data.clear()
        at = AppTest.from_file(page, default_timeout=120).run()
        assert not at.exception, at.exception
        return at

    cold_s, at = _timed(cold, repeat=3, name="page_cold_cpu_s")
    warm_s, _ = _timed(lambda: at.run(), name="page_warm_cpu_s")  # type: ignore[attr-defined]
    resort_s, _ = _timed(lambda: at.selectbox(key="lb_sort").select("company").run(), repeat=1)  # type: ignore[attr-defined]
    return {"page_cold_s": cold_s, "page_warm_s": warm_s, "page_resort_s": resort_s} | CPU


def measure_browser(url: str) -> dict[str, float]:
    """Chromium against `streamlit run`: first load until the table shows, then a re-sort until the new first row."""
    import socket
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": url, "PAYUNG_COOKIE_KEY": COOKIE_KEY, "PAYUNG_DEMO": "false"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless",
           "true", "--server.address", "127.0.0.1"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")

            def busy() -> float:  # the renderer main thread's busy time (script, style, layout, paint), seconds
                metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                return float(metrics["TaskDuration"])

            page.goto(base)  # warm: the first run opens the engine, migrations, caches
            page.locator("table.payung-ranking").wait_for(timeout=120_000)
            loads, load_busy = [], []
            for _ in range(3):
                t = time.perf_counter()
                page.goto(base)
                cdp.send("Performance.enable")
                b0 = busy()
                page.locator("table.payung-ranking").wait_for(timeout=60_000)
                page.wait_for_selector("[data-testid=stStatusWidget]", state="detached", timeout=60_000)
                loads.append(time.perf_counter() - t)
                load_busy.append(busy() - b0)
            first = page.locator("table.payung-ranking tbody tr").first.inner_text()
            b0 = busy()
            t = time.perf_counter()
            label = page.get_by_test_id("stWidgetLabel").get_by_text("Urutkan menurut", exact=True)
            page.get_by_test_id("stSelectbox").filter(has=label).click()
            page.get_by_role("option", name="Nama perusahaan", exact=True).click()
            page.wait_for_function(
                "f => document.querySelector('table.payung-ranking tbody tr').innerText !== f", arg=first
            )
            resort = time.perf_counter() - t
            resort_busy = busy() - b0
            rows = page.locator("table.payung-ranking tbody tr").count()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return {
        "browser_load_s": statistics.median(loads),
        "browser_load_busy_s": statistics.median(load_busy),
        "browser_resort_s": resort,
        "browser_resort_busy_s": resort_busy,
        "browser_rows": float(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--companies", type=int, default=2_000)
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL instead of SQLite")
    parser.add_argument("--browser", action="store_true", help="also time the page in Chromium")
    args = parser.parse_args()
    pg = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.postgres:
            from tests.pg import ThrowawayPostgres

            pg = ThrowawayPostgres()
            url = pg.start()
        else:
            url = f"sqlite:///{tmp}/leaderboard.db"
        try:
            t = time.perf_counter()
            sizes = fill(url, args.companies)
            print(f"filled {sizes} in {time.perf_counter() - t:.1f} s ({'PostgreSQL' if pg else 'SQLite'})")
            results = measure_services(url)
            results |= measure_page(url)
            if args.browser:
                results |= measure_browser(url)
        finally:
            if pg is not None:
                pg.stop()
    info = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), platform.machine())
    python = platform.python_version()
    print(f"machine: {cpu}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, Python {python}")
    for key, value in results.items():
        print(f"{key:>22}: {value:.3f}" if not key.endswith(("rows", "_kb")) else f"{key:>22}: {value:.0f}")


if __name__ == "__main__":
    main()
