"""In Chromium: the city admin records the year's APBD allocation, previews it, commits it, the dashboard and
the public page show the new split by payer, and the BPJS registration file bills the city in its own block."""

import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from services.demo.seed import DEMO_PASSWORDS
from services.platform import fmt
from tests.e2e.conftest import login_ok, logout, wait_idle


def _apbd(page: Page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="APBD Kota").first
    expect(metric).to_be_visible()
    value = metric.get_by_test_id("stMetricValue").inner_text()
    return fmt.parse_whole(value)


def test_admin_fills_the_city_budget_and_the_split_shows_it(page: Page, app_url: str, tmp_path: Path) -> None:
    page.goto(app_url)
    wait_idle(page)
    before = _apbd(page)  # the public page, logged out
    login_ok(page, app_url, "admin", DEMO_PASSWORDS["admin"])
    page.get_by_test_id("stSidebarNav").get_by_text("Alokasi APBD").click()
    wait_idle(page)
    page.get_by_label("Nomor Perwal").fill("Perwal No. 113 Tahun 2023")
    page.get_by_label("Mata anggaran (DPA)").fill("5.1.02.01.01.0024")
    # not a whole number: refused in Indonesian, nothing lost
    page.get_by_role("textbox", name="Jumlah").fill("1.000,5")
    page.get_by_role("button", name="Simpan alokasi").click()
    wait_idle(page)
    expect(page.get_by_text("tidak terbaca")).to_be_visible()
    expect(page.get_by_label("Nomor Perwal")).to_have_value("Perwal No. 113 Tahun 2023")
    page.get_by_role("textbox", name="Jumlah").fill("150")
    page.get_by_role("button", name="Simpan alokasi").click()
    wait_idle(page)
    expect(page.get_by_text("Alokasi tersimpan")).to_be_visible()
    page.get_by_role("button", name="Lihat pratinjau").click()
    wait_idle(page)
    expect(page.get_by_text("Akan terlindungi")).to_be_visible()
    expect(page.get_by_text("Belum ada penanggung")).to_be_visible()
    page.get_by_role("button", name="Jalankan alokasi").click()
    wait_idle(page)
    done = page.get_by_text(re.compile(r"Alokasi dijalankan: [\d.]+ pekerja"))
    expect(done).to_be_visible()
    covered = fmt.parse_whole(re.search(r"dijalankan: ([\d.]+)", done.inner_text()).group(1))  # type: ignore[union-attr]
    assert covered == 150
    page.get_by_test_id("stSidebarNav").get_by_text("Ringkasan kota").click()
    wait_idle(page)
    expect(page.get_by_text("Siapa yang menanggung")).to_be_visible()
    assert _apbd(page) == before + covered
    # The BPJS registration file of the city's allocation: its own block and bill, APBD Kota Tangerang.
    page.get_by_test_id("stSidebarNav").get_by_text("Pendaftaran BPJS").click()
    wait_idle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Penanggung").click()
    page.get_by_role("option", name=re.compile("5.1.02.01.01.0024")).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"dan 150 pekerja APBD Kota"))).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Unduh berkas pendaftaran (Excel)").click()
    path = tmp_path / "pendaftaran-apbd.xlsx"
    info.value.save_as(path)
    wait_idle(page)
    book = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    rows = book.get_sheet_by_name("Pendaftaran").to_python()
    data = [dict(zip(rows[2], r, strict=True)) for r in rows[3:]]
    assert len(data) == 150 and {str(d["Penanggung"]).startswith("APBD Kota Tangerang") for d in data} == {True}
    assert {d["Dasar Pembayaran"] for d in data} == {"Mata anggaran 5.1.02.01.01.0024; Perwal No. 113 Tahun 2023"}
    bill = book.get_sheet_by_name("Per penanggung").to_python()
    totals = dict(zip(bill[2], bill[3], strict=True))
    assert totals["Pekerja"] == 150 and totals["Rupiah"] == totals["Bulan Kepesertaan"] * 16_800
    logout(page)
    page.goto(app_url)
    wait_idle(page)
    assert _apbd(page) == before + covered  # the public page: the city's budget shown as the city's
