"""Retake the README's screenshots (docs/screenshots/) from a fresh demo: `python scripts/screenshots.py`.

Seeds the demo (25.000 workers, as `make run` does) into a temporary SQLite file, serves it with scripts/serve.py
(the `make run` server) on a free loopback port, and photographs each page in Debian's Chromium (/usr/bin/chromium)
at 1400 px, with an Indonesian browser. Run on demand; never part of the test suite. Takes about two minutes.
Look at every picture afterwards: the pages must show no English, no cut text, no None/NaN, no dot decimals.
"""

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from services.demo.bootstrap import bootstrap  # noqa: E402
from services.demo.seed import DEMO_PASSWORDS  # noqa: E402
from tests.e2e.conftest import CHROMIUM, login_ok, streamlit_server, wait_idle  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
BRANCH_PASSWORD = DEMO_PASSWORDS["branch"]


def _go(page: Page, base: str, url: str, *, tab: str | None = None) -> None:
    page.goto(f"{base}/{url}")
    wait_idle(page)
    if tab:
        page.get_by_role("tab", name=tab).click()
        wait_idle(page)
    page.wait_for_timeout(1500)  # charts and maps draw after the run ends


def _public_company(page: Page, base: str) -> None:
    _go(page, base, "")
    page.get_by_role("link", name="PT Panarub Industry").first.click()
    wait_idle(page)
    page.wait_for_timeout(1500)


# (file, who logs in (username, password) or None, how to reach the page, height of the picture)
SHOTS: list[tuple[str, tuple[str, str] | None, Callable[[Page, str], None], int]] = [
    ("public.png", None, lambda p, b: _go(p, b, ""), 1100),
    ("leaderboard.png", None, lambda p, b: _go(p, b, ""), 1700),
    ("leaderboard-company.png", None, _public_company, 1100),
    ("company-pledges.png", ("panarub", DEMO_PASSWORDS["company"]), lambda p, b: _go(p, b, "ikrar"), 1100),
    ("company-workers.png", ("graha", DEMO_PASSWORDS["company"]), lambda p, b: _go(p, b, "laporan"), 1100),
    ("city-overview.png", ("walikota", DEMO_PASSWORDS["viewer"]), lambda p, b: _go(p, b, "ringkasan"), 1100),
    ("branch-desk.png", ("cikokol", BRANCH_PASSWORD), lambda p, b: _go(p, b, "cabang", tab="Sudah selesai"), 1000),
    ("branch-company-report.png", ("panarub", DEMO_PASSWORDS["company"]), lambda p, b: _go(p, b, "laporan"), 1000),
]


def take(base: str, out: Path, only: set[str]) -> list[Path]:
    taken = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        for name, who, reach, height in SHOTS:
            if only and name not in only:
                continue
            context = browser.new_context(viewport={"width": 1400, "height": height}, locale="id-ID")
            page = context.new_page()
            page.set_default_timeout(60_000)
            if who:
                login_ok(page, base, *who)
            reach(page, base)
            path = out / name
            page.screenshot(path=str(path))
            taken.append(path)
            print(f"{name}: {path.stat().st_size // 1024} kB")
            context.close()
        browser.close()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description="Ambil ulang tangkapan layar README dari demo baru.")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--workers", type=int, default=25_000)
    parser.add_argument("only", nargs="*", help="nama berkas (mis. leaderboard.png); kosong = semua")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.db'}"
        print(bootstrap(url=url, demo=True, n_workers=args.workers))
        with streamlit_server(url, Path(tmp)) as base:
            take(base, args.out, set(args.only))


if __name__ == "__main__":
    main()
