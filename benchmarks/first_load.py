"""First load of the public page in a real browser: the very first visitor after the server started, then new
visitors (each a fresh browser context: no cookie, no cached JavaScript) on the warm server.

    python -m benchmarks.first_load [--visitors 9] [--workers 25000]

Seeds the demo into a temporary SQLite file, starts `scripts/serve.py` on 127.0.0.1 (warm-up before the port
opens), launches Debian's Chromium once (its own cold start is not a visitor's), then times each visitor from
`goto` until the board's heading "Perusahaan yang berpartisipasi" is visible. Writes
benchmarks/results/first-load.json. Method and earlier numbers: docs/first-load.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from services.demo.bootstrap import bootstrap
from tests.e2e.conftest import CHROMIUM, streamlit_server

RESULTS = Path(__file__).resolve().parent / "results"
HEADING = "Perusahaan yang berpartisipasi"


def main(argv: list[str] | None = None) -> dict[str, object]:  # pragma: no cover - a benchmark, not a test
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=9, help="the first one and the next ones (1..30)")
    parser.add_argument("--workers", type=int, default=25_000)
    args = parser.parse_args(argv)
    if not 1 <= args.visitors <= 30:
        parser.error("--visitors must be 1..30")
    tmp = Path(tempfile.mkdtemp(prefix="payung-first-"))
    db_url = f"sqlite:///{tmp / 'first.db'}"
    bootstrap(url=db_url, demo=True, n_workers=args.workers, seed=14422)
    times: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        browser.new_context().close()  # the browser's own first context: not a visitor's cost
        started = time.perf_counter()
        with streamlit_server(db_url, tmp) as base:
            assert base.startswith("http://127.0.0.1:"), base  # loopback only
            ready = time.perf_counter() - started
            for _ in range(args.visitors):
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                began = time.perf_counter()
                page.goto(base)
                page.get_by_text(HEADING).first.wait_for(state="visible", timeout=60_000)
                times.append(round(time.perf_counter() - began, 2))
                context.close()
        browser.close()
    rest = times[1:]
    result: dict[str, object] = {
        "server_ready_s": round(ready, 1),
        "first_visitor_after_start_s": times[0],
        "next_visitors_s": rest,
        "next_visitors_median_s": round(statistics.median(rest), 2) if rest else None,
        "demo_workers": args.workers,
        "load_avg": os.getloadavg(),
        "cores": os.cpu_count(),
        "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "first-load.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
