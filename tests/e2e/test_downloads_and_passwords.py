"""In Chromium (issue 22, second round): every download button of a page clicked in quick succession delivers its
file, and one-time passwords survive a reload for the admin who made them until downloaded once."""

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, Download, Page, expect

from services.demo.seed import DEMO_PASSWORDS
from tests.e2e.conftest import login_ok, wait_idle

MAGIC = {".pdf": b"%PDF", ".xlsx": b"PK\x03\x04", ".csv": b""}


def _click_all_quickly(page: Page) -> list[tuple[str, bytes]]:
    """Click every download button of the page one after another (no wait for any file), then collect the files."""
    arrived: list[Download] = []
    page.on("download", lambda d: arrived.append(d))
    buttons = page.get_by_test_id("stDownloadButton").locator("button")
    expect(buttons.first).to_be_visible()
    wait_idle(page)
    count = buttons.count()
    assert count >= 2, count
    for i in range(count):
        buttons.nth(i).click()  # no wait: the next click lands while the first file is made and the page reruns
    for _ in range(240):
        if len(arrived) >= count:
            break
        page.wait_for_timeout(250)
    files = [(d.suggested_filename, Path(d.path()).read_bytes()) for d in arrived]
    assert len(files) == count, [name for name, _ in files]
    return files


def test_every_download_of_the_quarterly_report_arrives_when_clicked_in_quick_succession(
    page: Page, app_url: str
) -> None:
    login_ok(page, app_url, "walikota", DEMO_PASSWORDS["viewer"])
    page.get_by_test_id("stSidebarNav").get_by_text("Laporan triwulan").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Laporan triwulan")).to_be_visible()
    files = _click_all_quickly(page)
    kinds = sorted(Path(name).suffix for name, _ in files)
    assert kinds == [".pdf", ".xlsx"], kinds
    for name, data in files:
        assert data.startswith(MAGIC[Path(name).suffix]) and len(data) > 2_000, (name, data[:20])
    expect(page.get_by_text("not found")).to_have_count(0)


def _waiting(page: Page) -> None:
    expect(page.get_by_text("1 kata sandi sekali pakai menunggu diunduh")).to_be_visible()
    expect(page.get_by_role("button", name="Unduh daftar kata sandi (Excel)")).to_be_visible()


def test_one_time_passwords_survive_a_reload_until_downloaded_once(browser: Browser, page: Page, app_url: str) -> None:
    login_ok(page, app_url, "admin", DEMO_PASSWORDS["admin"])
    page.goto(f"{app_url}/pengguna")
    wait_idle(page)
    expect(page.get_by_text("menunggu diunduh")).to_have_count(0)
    form = page.get_by_test_id("stExpander").filter(has_text="Tambah pengguna kota")
    form.get_by_text("Tambah pengguna kota").first.click()
    form.get_by_label("Nama pengguna").fill("uji.sandi")
    form.get_by_label("Nama lengkap").fill("Petugas Uji Sandi")
    box = form.get_by_test_id("stSelectbox").filter(has=page.get_by_test_id("stWidgetLabel").get_by_text("Peran"))
    viewer = page.get_by_role("option", name="Pemantau kota", exact=True)
    for _ in range(3):  # a click while the expander still opens leaves the menu closed: open it again
        box.scroll_into_view_if_needed()
        box.click()
        try:
            expect(viewer).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    viewer.click()
    form.get_by_role("button", name="Buat akun").click()
    wait_idle(page)
    expect(page.get_by_text("Akun uji.sandi dibuat dengan kata sandi sekali pakai.")).to_be_visible()
    _waiting(page)

    page.reload()  # before: the passwords were gone, without a word
    wait_idle(page)
    _waiting(page)
    expect(page.get_by_text("jika server dimulai ulang")).to_be_visible()

    elsewhere = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="id-ID")
    other = elsewhere.new_page()  # the same admin in a new browser session
    login_ok(other, app_url, "admin", DEMO_PASSWORDS["admin"])
    other.goto(f"{app_url}/pengguna")
    wait_idle(other)
    _waiting(other)
    elsewhere.close()

    with page.expect_download() as info:
        page.get_by_role("button", name="Unduh daftar kata sandi (Excel)").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(MAGIC[".xlsx"])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet.cell(row=4, column=2).value == "uji.sandi" and sheet.cell(row=4, column=3).value
    assert re.search(r"— \d{1,2} [A-Z][a-z]{2} \d{4}$", str(sheet.cell(row=1, column=1).value))  # 4 Des 2026
    wait_idle(page)
    expect(page.get_by_text("menunggu diunduh")).to_have_count(0)
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Pengguna")).to_be_visible()
    expect(page.get_by_text("menunggu diunduh")).to_have_count(0)  # downloaded once: gone
