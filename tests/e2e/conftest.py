"""End-to-end fixtures: the app served as `make run` serves it (`scripts/serve.py`, i.e. `streamlit run app.py`)
on a free port over a small seeded demo, driven by Chromium.

Playwright cannot download its own browser here: Debian's chromium is launched instead.

Guard: every browser context any test opens watches its pages; a Streamlit exception box (a traceback shown to
the user) on any page a test visits fails that test, whatever the test itself asserts.
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from services.demo.bootstrap import bootstrap

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("PAYUNG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Enough workers that a new 3 km pledge near any demo company still finds 148 free ones (~3 s to seed).
DEMO_WORKERS = 10_000
E2E_COOKIE_KEY = "e2e-" + "k" * 40
# Two cores shared by many processes: an assertion waits up to 15 s for the app before it fails.
expect.set_options(timeout=15_000)


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
def streamlit_server(
    db_url: str, tmp: Path, *, started: list[subprocess.Popen] | None = None, log_name: str = "streamlit.log"
) -> Iterator[str]:
    """`streamlit run app.py` over `db_url` on a free loopback port, until the block ends. `started` receives the
    server process (the load benchmark samples its memory)."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "PAYUNG_COOKIE_KEY": E2E_COOKIE_KEY, "PAYUNG_DEMO": "true"}
    log = open(tmp / log_name, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "scripts/serve.py",
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
    if started is not None:
        started.append(proc)
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
                raise RuntimeError(f"streamlit did not start: {(tmp / log_name).read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


EXCEPTIONS_SEEN: list[str] = []
# Runs in every document of every guarded context: reports each Streamlit exception box once, with its page.
_WATCH_EXCEPTIONS = """
(() => {
  const seen = new WeakSet();
  const check = () => document.querySelectorAll('[data-testid="stException"]').forEach((box) => {
    if (seen.has(box)) return;
    seen.add(box);
    window.__payungException(location.pathname + ": " + (box.innerText || "").slice(0, 1500));
  });
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})();
"""


def _guard(context: BrowserContext) -> BrowserContext:
    def seen(text: str) -> None:
        EXCEPTIONS_SEEN.append(text)

    context.expose_function("__payungException", seen)
    context.add_init_script(_WATCH_EXCEPTIONS)
    return context


@pytest.fixture(autouse=True)
def no_exception_box() -> Iterator[None]:
    """Fails the test when a Streamlit exception box appeared on any page of any context it opened."""
    EXCEPTIONS_SEEN.clear()
    yield
    if EXCEPTIONS_SEEN:
        seen = list(EXCEPTIONS_SEEN)
        EXCEPTIONS_SEEN.clear()
        pytest.fail("a Streamlit exception box appeared:\n" + "\n---\n".join(seen))


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
        unguarded = b.new_context

        def new_context(**kwargs: Any) -> BrowserContext:
            return _guard(unguarded(**kwargs))

        b.new_context = new_context  # type: ignore[method-assign]  # every context a test opens is watched
        yield b
        b.close()


@pytest.fixture(scope="session")
def app_url(server_url: str, browser: Browser) -> str:
    """The server after its first visitor, who opened a bookmark: a fresh server answered it with Streamlit's
    English 'Page not found' before scripts/serve.py told Streamlit that pages/ is not an old-style page folder."""
    context = browser.new_context()
    first = context.new_page()
    first.goto(f"{server_url}/laporan")
    expect(first.get_by_text("Silakan masuk untuk membuka halaman Laporan dampak")).to_be_visible(timeout=90_000)
    expect(first.get_by_text("Page not found")).to_have_count(0)
    wait_idle(first)
    context.close()
    return server_url


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="id-ID", accept_downloads=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    yield pg
    pg.wait_for_timeout(100)  # let a box that appeared at the very end report itself
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
    # Logged in (the sidebar offers Keluar) or refused (an error): a login is a password check and two reruns.
    settled = page.get_by_role("button", name="Keluar").or_(page.get_by_test_id("stAlertContentError"))
    expect(settled.first).to_be_visible(timeout=30_000)
    if page.get_by_role("button", name="Keluar").count():  # then /masuk hands over to the role's first page
        expect(page).not_to_have_url(re.compile(r"/masuk$"))
    wait_idle(page)


def login_ok(page: Page, app_url: str, username: str, password: str) -> None:
    """Log in and wait until the session is established (the sidebar offers *Keluar*)."""
    login(page, app_url, username, password)
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    wait_idle(page)


def logout(page: Page) -> None:
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Masuk")).to_be_visible()
    wait_idle(page)
