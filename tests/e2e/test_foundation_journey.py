"""In Chromium: the public page, a company login and menu, an admin login and menu, logout."""

from playwright.sync_api import Page, expect

from services.demo.seed import DEMO_PASSWORDS
from tests.e2e.conftest import login, logout, wait_idle


def test_public_page_company_and_admin_menus(page: Page, app_url: str) -> None:
    page.goto(app_url)
    wait_idle(page)
    expect(page.get_by_text("Capaian kota")).to_be_visible()
    expect(page.get_by_text("Perusahaan yang berpartisipasi")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Masuk")).to_be_visible()

    login(page, app_url, "panarub", DEMO_PASSWORDS["company"])
    expect(nav.get_by_text("Beranda perusahaan")).to_be_visible()
    expect(page.get_by_text("SE No. 14422/2024").first).to_be_visible()
    expect(nav.get_by_text("Log audit")).to_have_count(0)
    logout(page)
    expect(nav.get_by_text("Masuk")).to_be_visible()
    expect(nav.get_by_text("Beranda perusahaan")).to_have_count(0)

    login(page, app_url, "admin", DEMO_PASSWORDS["admin"])
    expect(nav.get_by_text("Ringkasan kota")).to_be_visible()
    expect(nav.get_by_text("Log audit")).to_be_visible()
    expect(nav.get_by_text("Beranda perusahaan")).to_have_count(0)
    logout(page)
    expect(nav.get_by_text("Log audit")).to_have_count(0)


def test_login_page_offers_the_demo_accounts(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/masuk")
    wait_idle(page)
    page.get_by_text("Mode demo: akun untuk mencoba").click()
    expect(page.get_by_text("Payung-Admin-2024")).to_be_visible()
    expect(page.get_by_text("benteng", exact=True)).to_be_visible()


def test_wrong_password_gets_an_indonesian_message(page: Page, app_url: str) -> None:
    login(page, app_url, "walikota", "salah-sekali")
    expect(page.get_by_text("kata sandi salah")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Ringkasan kota")).to_have_count(0)
