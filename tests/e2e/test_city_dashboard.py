"""In Chromium as the Wali Kota's office (viewer `walikota`): the dashboard and its map render (screenshots kept as
test artifacts), the quarterly report downloads as a PDF that opens, and admin-only pages are refused."""

import io
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from services.demo.seed import DEMO_PASSWORDS
from services.platform.settings import get_settings
from tests.e2e.conftest import login, logout, wait_idle

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"


def _shot(page: Page, name: str, tmp_path: Path) -> Path:
    """Keep the screenshot in the pytest tmp dir and in test-results/ (git-ignored, kept by CI)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    (ARTIFACTS / name).write_bytes(path.read_bytes())
    return path


def test_viewer_sees_dashboard_map_and_downloads_the_quarterly_pdf(page: Page, app_url: str, tmp_path: Path) -> None:
    login(page, app_url, "walikota", DEMO_PASSWORDS["viewer"])
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Laporan triwulan")).to_be_visible()
    nav.get_by_text("Ringkasan kota").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Ringkasan kota")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Terlindungi saat ini")).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts.first.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    _shot(page, "city-dashboard.png", tmp_path)

    page.get_by_role("tab", name="Peta & celah").click()
    wait_idle(page)
    expect(page.get_by_text("Celah: pekerja memenuhi syarat yang belum terlindungi")).to_be_visible()
    for part in ("(a) Terjangkau tempat kosong ikrar", "(b) Melebihi tempat ikrar", "(c) Tak terjangkau ikrar"):
        expect(page.get_by_test_id("stMetric").filter(has_text=part)).to_be_visible()
    map_chart = page.get_by_test_id("stVegaLiteChart").filter(visible=True).first
    expect(map_chart.locator("canvas, svg").first).to_be_visible(timeout=30_000)
    box = map_chart.bounding_box()
    assert box is not None and box["height"] > 300  # the choropleth, not an empty frame
    shot = _shot(page, "city-dashboard-map.png", tmp_path)
    assert shot.stat().st_size > 20_000

    page.get_by_role("tab", name="Perkembangan & perkiraan").click()
    wait_idle(page)
    expect(page.get_by_text("Kapan target tercapai?")).to_be_visible()
    expect(page.get_by_text("Pekerja baru per bulan (laju 8 minggu)")).to_be_visible()
    expect(page.get_by_text("Target tercapai (laju sekarang)")).to_be_visible()
    _shot(page, "city-dashboard-forecast.png", tmp_path)

    nav.get_by_text("Laporan triwulan").click()
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3
    assert "Laporan kemajuan" in reader.pages[0].extract_text()
    (tmp_path / "laporan.pdf").write_bytes(pdf)
    logout(page)


def test_admin_only_pages_are_refused_to_the_viewer(page: Page, app_url: str) -> None:
    login(page, app_url, "walikota", DEMO_PASSWORDS["viewer"])
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Ringkasan kota")).to_be_visible()
    for title in ("Pencocokan", "Log audit"):
        expect(nav.get_by_text(title)).to_have_count(0)
    # The login cookie is written by a browser component after the run: wait for it before typing a URL.
    name = get_settings().cookie_name
    for _ in range(100):
        if any(c["name"] == name for c in page.context.cookies()):
            break
        page.wait_for_timeout(100)
    for url, admin_text in (("pencocokan", "Jalankan pencocokan penuh"), ("audit", "Log audit")):
        page.goto(f"{app_url}/{url}")
        wait_idle(page)
        expect(page.get_by_role("button", name=admin_text)).to_have_count(0)
        expect(page.get_by_role("heading", name=admin_text)).to_have_count(0)
        expect(page.get_by_test_id("stSidebarNav").get_by_text("Ringkasan kota")).to_be_visible()
