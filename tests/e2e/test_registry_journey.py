"""In Chromium, the registry and the BPJS loop: the admin uploads a Dinsos workbook with good and bad rows, sees
the report and downloads it, confirms, finds a good row by NIK, exports a pledge's registration file, imports
BPJS's result for it, and the company then sees its cards issued. Uses `cisadane` (matched, not registered),
which no other e2e test touches."""

import datetime as dt
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook

from services.demo.seed import DEMO_PASSWORDS
from tests.data.workers import corpus
from tests.e2e.conftest import login, logout, wait_idle

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(path: Path) -> list[list[object]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())).get_sheet_by_index(0).to_python()


def test_import_register_activate(page: Page, app_url: str, tmp_path: Path) -> None:
    login(page, app_url, "admin", DEMO_PASSWORDS["admin"])
    nav = page.get_by_test_id("stSidebarNav")

    # 1. the Dinsos workbook: 6 good rows, 4 bad, 1 duplicate, 1 blank
    nav.get_by_text("Impor pekerja").click()
    wait_idle(page)
    content = corpus.xlsx(corpus.mixed_rows())
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "dinsos-triwulan.xlsx", "mimeType": XLSX, "buffer": content}]
    )
    wait_idle(page)
    page.get_by_role("button", name="Periksa berkas").first.click()
    wait_idle(page)
    expect(page.get_by_text("Baris yang ditolak atau ganda")).to_be_visible()
    metric = page.get_by_test_id("stMetric")
    expect(metric.filter(has_text="Baru")).to_contain_text("6")
    expect(metric.filter(has_text="Ditolak")).to_contain_text("4")
    with page.expect_download() as info:
        page.get_by_role("button", name="Unduh laporan baris yang ditolak").click()
    report = tmp_path / "ditolak.xlsx"
    info.value.save_as(report)
    text = str(_sheet(report))
    assert "Xyzzy" in text and "0000" in text and "NIK ganda" in text
    page.get_by_role("button", name="Simpan ke registri").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Tersimpan \(impor #\d+\): 6 baru"))).to_be_visible()

    # 2. a good row, found by its NIK
    good = corpus.mixed_rows()[0]
    nav.get_by_text("Data pekerja").click()
    wait_idle(page)
    nik_box = page.get_by_label("NIK (16 digit)")
    nik_box.fill(str(good[1]))
    nik_box.press("Enter")
    wait_idle(page)
    expect(page.get_by_role("heading", name=str(good[2]))).to_be_visible()
    expect(page.get_by_text("Riwayat pemrosesan data (UU PDP)")).to_be_visible()

    # 3. the registration file of Cisadane's pledge
    nav.get_by_text("Pendaftaran BPJS").click()
    wait_idle(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Penanggung").click()
    page.get_by_role("option", name=re.compile("Cisadane")).click()
    wait_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Unduh berkas pendaftaran (Excel)").click()
    registration = tmp_path / "pendaftaran.xlsx"
    info.value.save_as(registration)
    wait_idle(page)
    rows = _sheet(registration)
    header = rows[2]
    data = [dict(zip(header, r, strict=True)) for r in rows[3:]]
    assert data and all(isinstance(d["NIK"], str) and len(d["NIK"]) == 16 for d in data)
    assert {d["Penanggung"] for d in data} == {"PT Cisadane Pangan Lestari"}

    # 4. BPJS's answer: a KPJ for every worker in the file
    result = corpus.csv_bytes(
        [[d["NIK"], f"2412{i:07d}", d["Mulai"], ""] for i, d in enumerate(data)],
        header=["NIK", "KPJ", "Tgl Mulai", "Tgl Berakhir"],
    )
    page.get_by_role("tab", name="Hasil dari BPJS (KPJ)").click()
    page.locator("input[type=file]").last.set_input_files(
        files=[{"name": "hasil-bpjs.csv", "mimeType": "text/csv", "buffer": result}]
    )
    wait_idle(page)
    page.get_by_role("button", name="Periksa berkas").click()
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Diaktifkan")).to_contain_text(str(len(data)))
    page.get_by_role("button", name="Aktifkan kepesertaan").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Tersimpan \(impor #\d+\)"))).to_be_visible()
    logout(page)

    # 5. the company sees its cards issued: protected now if its cover has started, else waiting for its first month
    # (the demo timeline starts a matched pledge's cover next month)
    starts = {dt.datetime.strptime(str(d["Mulai"]), "%d/%m/%Y").date() for d in data}
    assert len(starts) == 1
    waits = starts.pop() > dt.date.today()
    login(page, app_url, "cisadane", DEMO_PASSWORDS["company"])
    page.get_by_test_id("stSidebarNav").get_by_text("Ikrar saya").click()
    wait_idle(page)
    metric = page.get_by_test_id("stMetric")
    expect(metric.filter(has_text="Dicocokkan").get_by_test_id("stMetricValue")).to_have_text(str(len(data)))
    protected = metric.filter(has_text="Terlindungi saat ini").get_by_test_id("stMetricValue")
    if waits:  # 'Menunggu mulai' is shown for an activated pledge only (registered alone reads 'Didaftarkan ke BPJS')
        expect(page.get_by_label("Pilih ikrar")).to_have_value(
            re.compile(rf"{len(data)} pekerja · .* · Menunggu mulai$")
        )
        expect(page.get_by_text("Kartu peserta sudah terbit")).to_be_visible()
        expect(page.get_by_text("#None")).to_have_count(0)
        expect(protected).to_have_text("0")
    else:
        expect(protected).to_have_text(str(len(data)))
    logout(page)
