"""In Chromium, the campaign desk end to end: the admin records a letter with a PDF, imports five recipients with
one bad row, downloads the report and the one-time passwords; a new company logs in with its one-time password,
must change it, sees the letter and declines with a reason; the admin sees the decline and the non-responders and
logs a reminder; the viewer sees the escalation list and cannot open user management by menu or URL.

The new letter becomes the active one; the test makes SE No. 14422/2024 active again at the end, so the other
journeys (which pledge against it) find the demo as they expect.
"""

import io
import re
from pathlib import Path

from fpdf import FPDF
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from services.demo.seed import DEMO_PASSWORDS
from tests.e2e.conftest import login, logout, wait_idle
from tests.recipient_corpus import five_with_one_bad

NEW_LETTER = "SE No. 777/2026"


def _login(page: Page, app_url: str, username: str, password: str) -> None:
    """Log in and wait until the session is there. A fill typed while the fresh page still runs its first script
    can be wiped by that run; then the form is filled once more."""
    for _ in range(2):
        page.goto(f"{app_url}/masuk")
        wait_idle(page)
        login(page, app_url, username, password)
        if page.get_by_role("button", name="Keluar").count():
            return
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()


def _expander(page: Page, title: str):  # type: ignore[no-untyped-def]
    box = page.get_by_test_id("stExpander").filter(has_text=title)
    box.get_by_text(title).first.click()
    return box


URLS = {
    "Surat edaran": "surat",
    "Impor penerima": "impor-penerima",
    "Tanggapan": "tanggapan",
    "Belum menjawab": "belum-menjawab",
    "Kotak keluar": "kotak-keluar",
    "Eskalasi": "eskalasi",
    "Beranda perusahaan": "(perusahaan)?",  # the default page of a company: also "/"
}


def _go(page: Page, title: str) -> None:
    nav = page.get_by_test_id("stSidebarNav")
    link = nav.get_by_text(title, exact=True)
    more = page.get_by_test_id("stSidebarNavViewButton")
    if not link.count() and more.count() and "more" in more.inner_text().lower():
        more.click()  # a long menu shows its first entries and a "View more" button
    link.click()
    expect(page).to_have_url(re.compile(f"/{URLS[title]}$"))
    wait_idle(page)


def test_campaign_desk_journey(page: Page, app_url: str, tmp_path: Path) -> None:
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=14)
    doc.cell(text="Surat Edaran Wali Kota Tangerang")
    pdf = tmp_path / "surat-edaran.pdf"
    pdf.write_bytes(bytes(doc.output()))
    recipients = tmp_path / "penerima.xlsx"
    recipients.write_bytes(five_with_one_bad())

    # --- the admin records the letter with its PDF ---------------------------------------------------------------
    _login(page, app_url, "admin", DEMO_PASSWORDS["admin"])
    _go(page, "Surat edaran")
    new = _expander(page, "Buat surat baru")
    new.get_by_label("Nomor surat").fill(NEW_LETTER)
    new.get_by_label("Perihal").fill("Perlindungan pekerja rentan tahap dua")
    new.get_by_label("Isi surat").fill("Mohon dukungan perusahaan untuk tahap dua.")
    new.locator('input[type="file"]').set_input_files(str(pdf))
    wait_idle(page)
    new.get_by_role("button", name="Simpan surat").click()
    wait_idle(page)
    expect(page.get_by_text(f"Surat {NEW_LETTER} disimpan dan menjadi surat aktif.")).to_be_visible()

    # --- five recipients, one bad row: report and one-time passwords ----------------------------------------------
    _go(page, "Impor penerima")
    page.locator('input[type="file"]').set_input_files(str(recipients))
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Ditolak")).to_contain_text("1")
    expect(page.get_by_test_id("stMetric").filter(has_text="Siap disimpan")).to_contain_text("4")
    with page.expect_download() as report_info:
        page.get_by_role("button", name="Unduh laporan baris ditolak (Excel)").click()
    report = load_workbook(io.BytesIO(Path(report_info.value.path()).read_bytes())).active
    assert report is not None and report.cell(row=4, column=1).value == 4  # row 4 of the file, under the header
    page.get_by_role("button", name="Simpan 4 perusahaan dan buat akunnya").click()
    wait_idle(page)
    expect(page.get_by_text("4 perusahaan disimpan dengan akunnya")).to_be_visible()
    with page.expect_download() as pw_info:
        page.get_by_role("button", name="Unduh daftar kata sandi (Excel)").click()
    sheet = load_workbook(io.BytesIO(Path(pw_info.value.path()).read_bytes())).active
    assert sheet is not None
    company, username, password = (sheet.cell(row=4, column=c).value for c in (1, 2, 3))
    assert company == "PT Uji Penerima 00001" and username and password
    logout(page)

    # --- the new company: one-time password, forced change, the letter, a decline -------------------------------
    _login(page, app_url, str(username), str(password))
    nav = page.get_by_test_id("stSidebarNav")
    expect(page.get_by_text("Anda masuk dengan kata sandi sekali pakai")).to_be_visible()
    expect(nav.get_by_text("Beranda perusahaan")).to_have_count(0)
    page.get_by_label("Kata sandi saat ini", exact=True).fill(str(password))
    page.get_by_label("Kata sandi baru", exact=True).fill("Penerima-Baru-2026")
    page.get_by_label("Ulangi kata sandi baru", exact=True).fill("Penerima-Baru-2026")
    page.get_by_role("button", name="Ganti kata sandi").click()
    wait_idle(page)
    expect(page.get_by_text("Kata sandi sudah diganti")).to_be_visible()
    _go(page, "Beranda perusahaan")
    expect(page.get_by_text(NEW_LETTER, exact=False).first).to_be_visible()
    expect(page.get_by_role("button", name="Unduh surat edaran (PDF)")).to_be_visible()
    decline = _expander(page, "Kami belum dapat ikut serta saat ini")
    decline.get_by_text("Anggaran CSR/TJSL tahun ini sudah teralokasi").click()  # nothing is chosen beforehand
    decline.get_by_label("Keterangan (wajib untuk 'Lainnya')").fill("Anggaran baru dibahas Januari")
    decline.get_by_role("button", name="Lanjut").click()
    wait_idle(page)
    page.get_by_role("button", name="Ya, kirim jawaban").click()
    wait_idle(page)
    expect(page.get_by_text("Anda menyatakan belum dapat ikut serta")).to_be_visible()
    logout(page)

    # --- the admin sees the decline and the non-responders, and logs a reminder --------------------------------
    _login(page, app_url, "admin", DEMO_PASSWORDS["admin"])
    _go(page, "Tanggapan")
    expect(page.get_by_test_id("stMetric").filter(has_text="Belum dapat ikut serta")).to_contain_text("1")
    expect(page.get_by_text("Anggaran baru dibahas Januari")).to_be_visible()  # the company's own words
    _go(page, "Belum menjawab")
    expect(page.get_by_text("3 dari 3 penerima belum menjawab.")).to_be_visible()
    page.get_by_role("button", name="Kirim email pengingat").click()
    wait_idle(page)
    expect(page.get_by_text("Mode demo: email ke")).to_be_visible()
    _go(page, "Kotak keluar")
    expect(page.get_by_text("csr").first).to_be_visible()

    # earlier letters stay readable; the demo letter becomes the active one again for the other journeys
    _go(page, "Surat edaran")
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="SE No. 14422/2024").click()
    wait_idle(page)
    page.get_by_role("button", name="Jadikan surat aktif").click()
    wait_idle(page)
    expect(page.get_by_text("SE No. 14422/2024 sekarang surat aktif.")).to_be_visible()
    logout(page)

    # --- the viewer: escalation yes, user management no (menu or URL) ------------------------------------------
    _login(page, app_url, "walikota", DEMO_PASSWORDS["viewer"])
    expect(nav.get_by_text("Eskalasi")).to_be_visible()
    expect(nav.get_by_text("Pengguna", exact=True)).to_have_count(0)
    _go(page, "Eskalasi")
    expect(page.get_by_text("Perlu eskalasi")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    page.goto(f"{app_url}/pengguna")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Pengguna")).to_have_count(0)
    expect(page.get_by_role("button", name="Buat akun")).to_have_count(0)
