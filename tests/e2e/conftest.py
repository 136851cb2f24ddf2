"""End-to-end fixtures: `streamlit run app.py` on a free port over a small seeded demo, driven by Chromium.

Playwright cannot download its own browser here: Debian's chromium is launched instead.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from services.demo.bootstrap import bootstrap

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("PAYUNG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Enough workers that a new 3 km pledge near any demo company still finds 148 free ones (~3 s to seed).
DEMO_WORKERS = 10_000
E2E_COOKIE_KEY = "e2e-" + "k" * 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e")
    db_url = f"sqlite:///{tmp / 'e2e.db'}"
    bootstrap(url=db_url, demo=True, n_workers=DEMO_WORKERS, seed=14422)
    with streamlit_server(db_url, tmp) as url:
        yield url


@contextlib.contextmanager
def streamlit_server(db_url: str, tmp: Path) -> Iterator[str]:
    """`streamlit run app.py` over `db_url` on a free loopback port, until the block ends."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "PAYUNG_COOKIE_KEY": E2E_COOKIE_KEY, "PAYUNG_DEMO": "true"}
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        msg = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                # A document rewritten by a route (the CSP test) loses its address space; let it reach loopback.
                "--disable-features=LocalNetworkAccessChecks",
            ],
        )
        yield b
        b.close()


@pytest.fixture(scope="session")
def app_url(server_url: str, browser: Browser) -> str:
    """The server after one real page load: the first run opens the engine, and until it has finished a fresh
    server may answer a deep link with 'Page not found'."""
    context = browser.new_context()
    warm = context.new_page()
    warm.goto(server_url)
    expect(warm.get_by_test_id("stSidebarNav").get_by_text("Masuk")).to_be_visible(timeout=90_000)
    wait_idle(warm)
    context.close()
    return server_url


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="id-ID", accept_downloads=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    yield pg
    context.close()


def wait_idle(page: Page) -> None:
    """Wait until Streamlit has finished the current run (no 'Running…' status widget)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)


def login(page: Page, app_url: str, username: str, password: str) -> None:
    page.goto(f"{app_url}/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    wait_idle(page)


def logout(page: Page) -> None:
    page.get_by_role("button", name="Keluar").click()
    wait_idle(page)
