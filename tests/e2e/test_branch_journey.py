"""In Chromium, a BPJS branch officer (Cikokol): logs in to its desk, downloads the registration file of one payer
waiting for the branch, uploads BPJS's answer (card numbers and a refusal with its reason) and a claims file, and
the paying company's impact report then shows the benefits. The officer cannot open city pages by URL, nor the
company the desk. Runs on its own seeded database and server, so no other e2e test's companies are touched."""

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from python_calamine import CalamineWorkbook
from sqlmodel import Session, select

from models import Company, User
from services import coverage, insight
from services.demo.bootstrap import bootstrap
from services.demo.seed import DEMO_PASSWORDS
from services.platform.authz import Actor
from services.platform.db import make_engine
from tests.data.workers import corpus
from tests.e2e.conftest import login, logout, streamlit_server, wait_idle
from tests.e2e.test_city_dashboard import _shot

TODAY = dt.date.today()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("e2e-branch")
    db_url = f"sqlite:///{tmp / 'branch.db'}"
    bootstrap(url=db_url, demo=True, n_workers=3_000, seed=14422)  # small: seeded for this test alone
    with streamlit_server(db_url, tmp) as url:
        yield url, db_url


def _officer(db_url: str, username: str) -> Actor:
    with Session(make_engine(db_url)) as s:
        u = s.exec(select(User).where(User.username == username)).one()
        return Actor(user_id=u.id, username=u.username, role=u.role, branch=u.branch, company_id=u.company_id)


def _payer(db_url: str) -> tuple[str, str, int]:
    """The first payer waiting for Cikokol: (company name, its user's name, company id)."""
    with Session(make_engine(db_url)) as s:
        waiting = coverage.pledge_choices(session=s, actor=_officer(db_url, "cikokol"))
        assert not waiting.empty, "the demo leaves registrations waiting for Cikokol"
        company = str(waiting.iloc[0]["company"])
        row = s.exec(select(Company).where(Company.name == company)).one()
        user = s.exec(select(User).where(User.company_id == row.id)).one()
        return company, user.username, int(row.id)  # type: ignore[arg-type]


def _sentences(db_url: str, company_id: int) -> list[str]:
    with Session(make_engine(db_url)) as s:
        return insight.benefits_for_company(session=s, company_id=company_id).sentences()


def _upload(page: Page, name: str, content: bytes) -> None:
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    wait_idle(page)
    page.get_by_role("button", name="Periksa berkas").click()
    wait_idle(page)


def test_branch_officer_registers_closes_and_records_claims(page: Page, desk: tuple[str, str], tmp_path: Path) -> None:
    url, db_url = desk
    company, company_user, company_id = _payer(db_url)
    before = _sentences(db_url, company_id)

    # the company cannot open the branch desk by its URL
    login(page, url, company_user, DEMO_PASSWORDS["company"])
    page.goto(f"{url}/cabang")
    expect(page.get_by_text("Halaman tidak tersedia")).to_be_visible()
    logout(page)

    login(page, url, "cikokol", DEMO_PASSWORDS["branch"])
    expect(page.get_by_role("heading", name="Meja cabang BPJS Tangerang Cikokol")).to_be_visible()
    # 1. the waiting registrations, one file per payer
    row = page.get_by_test_id("stHorizontalBlock").filter(has_text=company).first
    with page.expect_download() as info:
        row.get_by_role("button", name="Unduh berkas").click()
    path = tmp_path / "pendaftaran.xlsx"
    info.value.save_as(path)
    wait_idle(page)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes())).get_sheet_by_index(0).to_python()
    data = [dict(zip(rows[2], r, strict=True)) for r in rows[3:]]
    assert len(data) >= 3 and {d["Penanggung"] for d in data} == {company}
    kecamatan = set(coverage.kecamatan_names("Tangerang Cikokol"))
    assert {d["Kecamatan"] for d in data} <= kecamatan  # only the branch's workers

    # 2. BPJS's answer: cards for all but the last, the last refused with its reason
    start = (TODAY - dt.timedelta(days=40)).strftime("%d/%m/%Y")
    kpjs = [f"2512{i:07d}" for i in range(len(data))]
    answer = [[d["NIK"], k, start, "", ""] for d, k in zip(data[:-1], kpjs, strict=False)]
    answer.append([data[-1]["NIK"], "", "", "Ditolak", "Sudah terdaftar sebagai peserta penerima upah"])
    page.get_by_role("tab", name="Unggah hasil (KPJ)").click()
    _upload(page, "hasil-bpjs.csv", corpus.csv_bytes(answer, header=["NIK", "KPJ", "Tgl Mulai", "Status", "Alasan"]))
    expect(page.get_by_test_id("stMetric").filter(has_text="Diaktifkan")).to_contain_text(str(len(data)))
    page.get_by_role("button", name="Simpan hasil pendaftaran").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Tersimpan \(impor #\d+\)"))).to_be_visible()
    page.get_by_role("tab", name="Sudah selesai").click()
    expect(page.get_by_role("row").filter(has_text=company).locator("td").last).to_have_text("1")  # refused
    _shot(page, "branch-desk.png", tmp_path)

    # 3. the claims file: a death (JKM), an accident (JKK), and a claim for the refused worker (refused)
    event, paid = (
        (TODAY - dt.timedelta(days=20)).strftime("%d/%m/%Y"),
        (TODAY - dt.timedelta(days=3)).strftime("%d/%m/%Y"),
    )
    claims = [
        [kpjs[0], "JKM", "", event, paid, "42.000.000"],
        [kpjs[1], "JKK", "perawatan", event, paid, "7.500.000"],
        [kpjs[len(data) - 1], "JKK", "perawatan", event, paid, "1.000.000"],
    ]
    page.get_by_test_id("stSidebarNav").get_by_text("Klaim JKK/JKM").click()
    wait_idle(page)
    header = ["KPJ", "Program", "Jenis Manfaat", "Tgl Kejadian", "Tgl Bayar", "Jumlah"]
    _upload(page, "klaim.csv", corpus.csv_bytes(claims, header=header))
    expect(page.get_by_test_id("stMetric").filter(has_text="Klaim baru")).to_contain_text("2")
    expect(page.get_by_test_id("stMetric").filter(has_text="Ditolak")).to_contain_text("1")  # the refused: no card
    page.get_by_role("button", name="Simpan klaim").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Tersimpan \(impor #\d+\): 2 klaim baru"))).to_be_visible()

    # the officer cannot open the city's pages by URL
    page.goto(f"{url}/registri")
    expect(page.get_by_text("Halaman tidak tersedia")).to_be_visible()
    logout(page)

    # 4. the paying company's impact report shows the benefits, without a name
    after = _sentences(db_url, company_id)
    assert after != before and any("santunan JKM" in s for s in after)
    login(page, url, company_user, DEMO_PASSWORDS["company"])
    page.get_by_test_id("stSidebarNav").get_by_text("Laporan dampak").click()
    wait_idle(page)
    for sentence in after:
        expect(page.get_by_text(f"{sentence}.")).to_be_visible()
    _shot(page, "branch-company-report.png", tmp_path)
    logout(page)
