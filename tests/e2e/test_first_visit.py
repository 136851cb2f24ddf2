"""In Chromium: what a first visit meets (issue 22), one test per item, each failing before its fix."""

import re

from playwright.sync_api import Browser, Page, expect

from services.demo.seed import DEMO_PASSWORDS
from tests.e2e.conftest import login_ok, wait_idle

AFTER = "(el) => getComputedStyle(el, '::after').content"


def test_upload_widgets_speak_indonesian_in_an_english_browser(browser: Browser, app_url: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    login_ok(page, app_url, "admin", DEMO_PASSWORDS["admin"])
    for url, hint in (("impor-penerima", "Excel (.xlsx) atau CSV, maks. 30 MB"), ("impor-pekerja", "Excel (.xlsx)")):
        page.goto(f"{app_url}/{url}")
        wait_idle(page)
        zone = page.get_by_test_id("stFileUploaderDropzone").first
        shown = zone.inner_text()
        assert "Upload" not in shown.replace("upload", "") and "per file" not in shown, shown
        expect(zone.locator("button")).to_be_visible()
        assert zone.locator("button p").evaluate(AFTER) == '"Pilih berkas"'
        zone.screenshot(path=f"test-results/upload-{url}.png")
        assert hint in zone.get_by_test_id("stFileUploaderDropzoneInstructions").locator("span").evaluate(AFTER)
    page.goto(f"{app_url}/surat")
    wait_idle(page)
    pdf = page.get_by_test_id("stFileUploaderDropzoneInstructions").locator("span")
    if pdf.count():
        assert "PDF, maks. 10 MB" in pdf.first.evaluate(AFTER)
    context.close()


def test_nothing_english_on_the_login_page(page: Page, app_url: str) -> None:
    page.goto(f"{app_url}/masuk")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Masuk ke Payung")).to_be_visible()
    expect(page.get_by_text(re.compile("Page not found|View \\d+ more"))).to_have_count(0)
