"""In Chromium: the city admin records the year's APBD allocation, previews it, commits it, and the dashboard and
the public page show the new split by payer."""

import re

from playwright.sync_api import Page, expect

from services.demo.seed import DEMO_PASSWORDS
from services.platform import fmt
from tests.e2e.conftest import login_ok, logout, wait_idle


def _apbd(page: Page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="APBD Kota").first
    expect(metric).to_be_visible()
    value = metric.get_by_test_id("stMetricValue").inner_text()
    return fmt.parse_whole(value)


def test_admin_fills_the_city_budget_and_the_split_shows_it(page: Page, app_url: str) -> None:
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
    logout(page)
    page.goto(app_url)
    wait_idle(page)
    assert _apbd(page) == before + covered  # the public page: the city's budget shown as the city's
