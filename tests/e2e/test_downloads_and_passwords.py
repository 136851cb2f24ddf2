"""In Chromium (issue 22, second round): every download button of a page clicked in quick succession delivers its
file, and one-time passwords survive a reload for the admin who made them until downloaded once."""

from pathlib import Path

from playwright.sync_api import Download, Page, expect

from services.demo.seed import DEMO_PASSWORDS
from tests.e2e.conftest import login_ok, wait_idle

MAGIC = {".pdf": b"%PDF", ".xlsx": b"PK\x03\x04", ".csv": b""}


def _click_all_quickly(page: Page) -> list[tuple[str, bytes]]:
    """Click every download button of the page one after another (no wait for any file), then collect the files."""
    arrived: list[Download] = []
    page.on("download", lambda d: arrived.append(d))
    buttons = page.get_by_test_id("stDownloadButton").locator("button")
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
