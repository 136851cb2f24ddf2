"""In Chromium: a company that never answered the letter pledges 148 workers for 12 months within 3 km, sees
Rp29.836.800, sees the matched workers, downloads the masked list, and logs out. Uses `benteng` only.

The shared e2e server seeds 3,000 workers, and the demo's other pledges hold every worker within 3 km of
Benteng's site there; this module runs its own server over a 10,000-worker demo (seeded in ~3 s), so 148
free workers exist nearby and no other test's state matters.
"""

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.bootstrap import bootstrap
from services.seed import DEMO_PASSWORDS
from tests.e2e.conftest import ROOT, _free_port, login, logout, wait_idle

JOURNEY_WORKERS = 10_000


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e_company")
    db_url = f"sqlite:///{tmp / 'journey.db'}"
    bootstrap(url=db_url, demo=True, n_workers=JOURNEY_WORKERS, seed=14422)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "PAYUNG_COOKIE_KEY": "e2e-" + "j" * 40, "PAYUNG_DEMO": "true"}
    log = open(tmp / "streamlit.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                raise RuntimeError(f"streamlit did not start: {(tmp / 'streamlit.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _warm_up(page: Page, app_url: str) -> None:
    """The first page load of a fresh server opens the engine (and may show 'Page not found' meanwhile)."""
    page.goto(app_url)
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Masuk")).to_be_visible(timeout=90_000)
    wait_idle(page)


def test_company_pledges_follows_and_downloads(page: Page, app_url: str) -> None:
    _warm_up(page, app_url)
    login(page, app_url, "benteng", DEMO_PASSWORDS["company"])
    nav = page.get_by_test_id("stSidebarNav")
    expect(page.get_by_text("Belum menjawab")).to_be_visible()

    nav.get_by_text("Buat ikrar").click()
    wait_idle(page)
    workers = page.get_by_role("spinbutton", name="Jumlah pekerja")
    workers.fill("148")
    workers.press("Tab")
    radius = page.get_by_role("spinbutton", name="Radius di sekitar lokasi perusahaan (km)")
    radius.fill("3")
    radius.press("Tab")
    page.get_by_role("button", name="Hitung biaya dan periksa area").click()
    wait_idle(page)
    expect(page.get_by_text("Rp29.836.800")).to_be_visible()
    page.get_by_role("button", name="Kirim ikrar").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"148 dari 148 pekerja dicocokkan"))).to_be_visible()

    nav.get_by_text("Ikrar saya").click()
    wait_idle(page)
    expect(page.get_by_text("Pekerja yang dicocokkan", exact=True)).to_be_visible()
    expect(page.get_by_text("148 dari 148 pekerja")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Unduh CSV").click()
    content = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert re.search(r"\d{4}\*{8}\d{4}", content)
    assert not re.search(r"\b\d{16}\b", content)  # never a full NIK
    wait_idle(page)
    logout(page)
    expect(nav.get_by_text("Masuk")).to_be_visible()
