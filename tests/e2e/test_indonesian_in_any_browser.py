"""Issue 21 in Chromium: with the browser set to English (en-US) and to Indonesian (id-ID), the public page, a
company's page, Definisi angka and the city dashboard (every tab) show no "None", "NaN", dot decimal or English
month: numbers are written on the server, not by the browser's locale. (Table cells drawn in a canvas are checked
through their display values in tests/ui/test_indonesian_everywhere.py.)"""

import pytest
from playwright.sync_api import Browser, Page, expect

from services.demo.seed import DEMO_PASSWORDS
from tests.e2e.conftest import login, wait_idle
from tests.ui.test_indonesian_everywhere import problems

PATIENCE = 60_000


def _visible_text(page: Page) -> str:
    wait_idle(page)
    return page.locator("section.stMain, [data-testid='stMain']").first.inner_text()


@pytest.mark.parametrize("locale", ["en-US", "id-ID"])
def test_no_english_number_or_month_in_either_browser_language(browser: Browser, app_url: str, locale: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    page = context.new_page()
    try:
        page.goto(app_url)
        expect(page.get_by_text("Papan peringkat: perusahaan yang berpartisipasi")).to_be_visible(timeout=PATIENCE)
        expect(page.get_by_test_id("stMetric").filter(has_text="Terlindungi saat ini")).to_be_visible()
        assert problems(_visible_text(page)) == [], "Beranda"
        href = page.locator("table.payung-ranking a").first.get_attribute("href")
        page.goto(f"{app_url}/{href}")
        expect(page.get_by_test_id("stMetric").filter(has_text="Pernah dilindungi")).to_be_visible(timeout=PATIENCE)
        assert problems(_visible_text(page)) == [], "Halaman perusahaan"
        page.goto(f"{app_url}/definisi-angka")
        expect(page.get_by_role("heading", name="Definisi angka")).to_be_visible(timeout=PATIENCE)
        expect(page.locator("tr#protected_now")).to_contain_text("Terlindungi saat ini")
        assert problems(_visible_text(page)) == [], "Definisi angka"

        login(page, app_url, "walikota", DEMO_PASSWORDS["viewer"])
        page.get_by_test_id("stSidebarNav").get_by_text("Ringkasan kota").click()
        expect(page.get_by_role("heading", name="Ringkasan kota")).to_be_visible(timeout=PATIENCE)
        metric = page.get_by_test_id("stMetric").filter(has_text="Terlindungi saat ini")
        expect(metric).to_be_visible()
        for tab in ("Corong", "Peta & celah", "Perkembangan & perkiraan", "Segera berakhir"):
            page.get_by_role("tab", name=tab).click()
            assert problems(_visible_text(page)) == [], tab
    finally:
        context.close()
