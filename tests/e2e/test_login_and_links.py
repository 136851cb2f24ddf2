"""In Chromium: a login survives reloads and bookmarks, a deep link opened while logged out leads through the login
to the page asked for, a page the role may not open says so in Indonesian, a renewal takes one click."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from services.demo.bootstrap import bootstrap
from services.demo.seed import DEMO_PASSWORDS
from tests.e2e.conftest import DEMO_WORKERS, login_ok, logout, streamlit_server, wait_idle


@pytest.fixture(scope="module")
def unrenewed_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server over its own fresh demo: Panarub's cover, ending this month, is renewed once only per database, and
    another test of the shared server (test_first_visit) may renew it first."""
    tmp = tmp_path_factory.mktemp("e2e-renewal")
    db_url = f"sqlite:///{tmp / 'renewal.db'}"
    bootstrap(url=db_url, demo=True, n_workers=DEMO_WORKERS, seed=14422)
    with streamlit_server(db_url, tmp) as url:
        yield url


def _logged_in_as_company(page: Page) -> None:
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Ikrar saya")).to_be_visible()


def test_login_survives_ten_reloads_and_a_bookmark(page: Page, app_url: str) -> None:
    login_ok(page, app_url, "graha", DEMO_PASSWORDS["company"])
    assert any(c["name"] == "payung_auth" for c in page.context.cookies())  # written before the user can reload
    page.get_by_test_id("stSidebarNav").get_by_text("Ikrar saya").click()
    expect(page).to_have_url(re.compile(r"/ikrar$"))
    wait_idle(page)
    for _reload in range(10):
        page.reload()
        wait_idle(page)
        _logged_in_as_company(page)
        expect(page).to_have_url(re.compile(r"/ikrar$"))
        expect(page.get_by_role("heading", name="Ikrar saya")).to_be_visible()
    bookmark = page.context.new_page()  # the same browser opening a bookmark in a new tab
    bookmark.goto(f"{app_url}/laporan")
    wait_idle(bookmark)
    expect(bookmark.get_by_role("heading", name="Laporan dampak")).to_be_visible()
    expect(bookmark.get_by_text("Page not found")).to_have_count(0)
    # Logging out deletes the cookie: a reload stays logged out.
    logout(page)
    page.reload()
    wait_idle(page)
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Masuk")).to_be_visible()
    expect(page.get_by_role("button", name="Keluar")).to_have_count(0)


def test_deep_link_logged_out_goes_through_login_to_the_page(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/ikrar")
    wait_idle(page)
    expect(page.get_by_text("Silakan masuk untuk membuka halaman Ikrar saya")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_label("Nama pengguna").fill("cisadane")
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORDS["company"])
    page.get_by_role("button", name="Masuk").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Ikrar saya")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/ikrar$"))


def test_a_page_the_role_may_not_open_says_so_in_indonesian(page: Page, app_url: str) -> None:
    login_ok(page, app_url, "walikota", DEMO_PASSWORDS["viewer"])
    for url, title in (("audit", "Log audit"), ("ikrar", "Ikrar saya")):
        page.goto(f"{app_url}/{url}")
        wait_idle(page)
        expect(page.get_by_text(f"Halaman {title} tidak tersedia untuk akun Anda")).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_role("link", name="Ke halaman utama akun Anda").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Ringkasan kota")).to_be_visible()


def test_renewal_takes_one_click(page: Page, unrenewed_url: str) -> None:
    login_ok(page, unrenewed_url, "panarub", DEMO_PASSWORDS["company"])
    page.get_by_test_id("stSidebarNav").get_by_text("Ikrar saya").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Pengingat \d+ hari"))).to_be_visible()
    page.get_by_role("button", name="Perpanjang", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Ikrar diperpanjang \(ikrar #\d+\)"))).to_have_count(1)
    expect(page.get_by_text(re.compile(r"perpanjangan dari ikrar #\d+"))).to_be_visible()  # the renewal is shown


def test_the_exception_box_guard_sees_a_box_on_any_page(page: Page, app_url: str) -> None:
    """The guard itself: a Streamlit exception box appearing on a page is reported (then cleared, so this test
    passes); any other test that meets one fails in teardown."""
    from tests.e2e.conftest import EXCEPTIONS_SEEN

    page.goto(f"{app_url}/masuk")
    wait_idle(page)
    assert EXCEPTIONS_SEEN == []
    page.evaluate(
        """() => { const box = document.createElement('div'); box.setAttribute('data-testid', 'stException');
        box.innerText = 'StreamlitAPIException: uji'; document.body.appendChild(box); }"""
    )
    page.wait_for_timeout(300)
    assert len(EXCEPTIONS_SEEN) == 1 and "/masuk: StreamlitAPIException: uji" in EXCEPTIONS_SEEN[0]
    EXCEPTIONS_SEEN.clear()
