"""In Chromium: the city admin runs a full match and reads why a pledge is short of workers."""

from playwright.sync_api import Page, expect

from services.demo.seed import DEMO_PASSWORDS
from tests.e2e.conftest import login, logout, wait_idle


def test_admin_runs_full_match_and_reads_a_shortfall(page: Page, app_url: str) -> None:
    login(page, app_url, "admin", DEMO_PASSWORDS["admin"])
    page.get_by_test_id("stSidebarNav").get_by_text("Pencocokan").click()
    wait_idle(page)
    expect(page.get_by_text("Ikrar yang belum terpenuhi")).to_be_visible()
    # The demo has pledges that ask for fishers (Nelayan), who are few: the page says why and what to do.
    expect(page.get_by_text("pekerja rentan yang memenuhi syarat").first).to_be_visible()
    page.get_by_role("button", name="Jalankan pencocokan penuh").click()
    wait_idle(page)
    expect(page.get_by_text("Selesai dalam")).to_be_visible()
    expect(page.get_by_text("ikrar masih kekurangan pekerja")).to_be_visible()
    logout(page)
