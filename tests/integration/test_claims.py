"""Claims (benefits BPJS paid) on SQLite and PostgreSQL: accepted only within Payung's cover, a bad file refused
row by row with nothing lost, branch scope, and the same figures in the company report, the city dashboard and
the quarterly report."""

import datetime as dt
import io
import json

import pytest
from pypdf import PdfReader
from sqlmodel import Session, func, select

from models import Assignment, AuditLog, Claim, Company, Pledge, Role
from services import coverage, insight, pledges
from services.coverage.__main__ import main as coverage_cli
from services.insight.quarterly import benefits_table
from services.platform.errors import AccessDenied, ValidationError
from tests import factories as f
from tests.data.workers import corpus
from tests.integration.test_branch_desk import BATUCEPER, CIKOKOL, KEL_BATUCEPER, KEL_CIKOKOL, xlsx

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
TODAY = dt.date(2026, 2, 1)
HEADER = ["KPJ", "NIK", "Program", "Jenis Manfaat", "Tgl Kejadian", "Tgl Bayar", "Jumlah"]


def covered(session: Session) -> dict:
    """Two companies' pledges with running (2025) cover: three workers in Cikokol's area, one in Batuceper's."""
    camp = f.campaign(session)
    out: dict = {"admin": f.actor_of(f.user(session, role=Role.ADMIN))}
    out["cikokol"] = f.actor_of(f.user(session, role=Role.BRANCH, branch=CIKOKOL))
    out["batuceper"] = f.actor_of(f.user(session, role=Role.BRANCH, branch=BATUCEPER))
    out["workers"] = []
    for c, kels in enumerate([[KEL_CIKOKOL, KEL_CIKOKOL, KEL_BATUCEPER], [KEL_CIKOKOL]]):
        comp = f.company(session, campaign_id=camp.id, name=f"PT Klaim {c}")
        out[f"company{c}"] = comp.id
        out[f"company{c}_user"] = f.actor_of(f.user(session, role=Role.COMPANY, company_id=comp.id))
        p = f.pledge(session, company_id=comp.id, campaign_id=camp.id, workers=len(kels), start_month=START,
                     status="active")  # fmt: skip
        for kel in kels:
            n = len(out["workers"])
            w = f.worker(session, nik=corpus.nik_for(dt.date(1975, 3, 1 + n), "P", 40 + n), kelurahan_code=kel)
            kpj = f"9000000000{n}"
            session.add(Assignment(worker_id=w.id, pledge_id=p.id, status="active", kpj_number=kpj,
                                   coverage_start=START, coverage_end=END))  # fmt: skip
            out["workers"].append((w, kpj, p.id))
    session.commit()
    return out


def claims_file(rows: list[list[object]]) -> bytes:
    return xlsx([HEADER, *rows])


def test_bad_claims_file_refused_row_by_row_nothing_lost(session: Session) -> None:
    d = covered(session)
    (w0, kpj0, _), (w1, kpj1, _), (_, kpj2, _), (w3, kpj3, _) = d["workers"]
    session.add(Claim(worker_id=w3.id, assignment_id=1, pledge_id=d["workers"][3][2], programme="JKK",
                      jkk_kind="perawatan", event_date=dt.date(2025, 4, 1), paid_date=dt.date(2025, 4, 20),
                      amount=5_000_000))  # fmt: skip
    session.commit()
    content = claims_file(
        [
            [kpj0, "", "JKM", "", "12/03/2025", "02/04/2025", "42.000.000"],  # good
            ["1234", "", "JKK", "perawatan", "01/05/2025", "10/05/2025", 3_000_000],  # wrong KPJ
            ["99999999999", "", "JKK", "perawatan", "01/05/2025", "10/05/2025", 3_000_000],  # unknown worker
            ["", w1.nik, "JKK", "stmb", "01/06/2025", "10/06/2025", -1_000_000],  # negative amount
            [kpj1, "", "JKK", "cacat", "15/12/2024", "10/01/2025", 14_000_000],  # before cover
            [kpj0, "", "JKM", "", "12/03/2025", "02/04/2025", "Rp42.000.000"],  # duplicate of row 2
            [kpj3, "", "JKK", "perawatan", "01/04/2025", "20/04/2025", 5_000_000],  # already recorded
            ["", w1.nik, "JKK", "STMB", "01/06/2025", "01/08/2025", "2.000.000"],  # good, by NIK
            [kpj2, "", "JKK", "perawatan", "01/06/2025", "20/06/2025", 1_500_000],  # good (Batuceper, admin may)
            [kpj1, "", "JKK", "", "01/07/2025", "20/07/2025", 1_500_000],  # JKK without its kind
            [kpj1, "", "JKK", "perawatan", "01/07/2025", "20/06/2025", 1_500_000],  # paid before the event
        ]
    )
    preview = coverage.import_claims(session=session, actor=d["admin"], content=content, filename="k.xlsx", today=TODAY)
    reasons = {e.row: e.reason for e in preview.errors}
    assert (preview.inserted, preview.rejected, preview.duplicates) == (3, 6, 2)
    assert "11 digit" in reasons[3] and "tidak ditemukan" in reasons[4] and "lebih dari nol" in reasons[5]
    assert "tidak dilindungi lewat Payung" in reasons[6] and "1 Jan 2025 – 31 Des 2025" in reasons[6]
    assert "Klaim ganda" in reasons[7] and "Klaim ganda" in reasons[8]
    assert "Jenis manfaat JKK wajib" in reasons[11] and "lebih awal" in reasons[12]
    assert session.exec(select(func.count()).select_from(Claim)).one() == 1  # a preview changes nothing
    done = coverage.import_claims(
        session=session, actor=d["admin"], content=content, filename="k.xlsx", apply=True, today=TODAY
    )
    assert done.applied and done.inserted == 3
    saved = session.exec(select(Claim).order_by(Claim.id)).all()
    assert [(c.programme, c.amount) for c in saved[1:]] == [("JKM", 42_000_000), ("JKK", 2_000_000), ("JKK", 1_500_000)]
    assert saved[1].pledge_id == d["workers"][0][2] and saved[1].import_id == done.import_id
    audited = session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == "worker.claim")).one()
    assert audited == 3
    again = coverage.import_claims(session=session, actor=d["admin"], content=content, filename="k.xlsx", today=TODAY)
    assert again.inserted == 0  # the same file twice adds nothing


def test_officer_claims_only_its_branch_and_only_within_cover(session: Session) -> None:
    d = covered(session)
    (_, kpj0, _), _, (_, kpj2, _), _ = d["workers"]
    content = claims_file([[kpj2, "", "JKK", "perawatan", "01/06/2025", "20/06/2025", 1_500_000]])
    result = coverage.import_claims(
        session=session, actor=d["cikokol"], content=content, filename="k.xlsx", today=TODAY
    )
    assert result.inserted == 0 and "bukan wilayah cabang Anda" in result.errors[0].reason
    with pytest.raises(ValidationError, match="tidak dilindungi lewat Payung"):
        coverage.record_claim(session=session, actor=d["cikokol"], worker=kpj0, programme="JKM", kind="",
                              event_date=dt.date(2026, 1, 5), paid_date=dt.date(2026, 1, 20), amount="42.000.000",
                              today=TODAY)  # fmt: skip
    claim_id = coverage.record_claim(session=session, actor=d["cikokol"], worker=kpj0, programme="JKM", kind="",
                                     event_date=dt.date(2025, 5, 5), paid_date=dt.date(2025, 5, 20),
                                     amount="42.000.000", today=TODAY)  # fmt: skip
    assert session.get(Claim, claim_id).recorded_by == d["cikokol"].username  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="Klaim ganda"):
        coverage.record_claim(
            session=session,
            actor=d["cikokol"],
            worker=kpj0,
            programme="JKM",
            kind="",
            event_date=dt.date(2025, 6, 5),
            paid_date=dt.date(2025, 6, 20),
            amount="42000000",
            today=TODAY,
        )  # fmt: skip  (a worker dies once)
    assert len(coverage.recorded_claims(session=session, actor=d["cikokol"])) == 1
    assert coverage.recorded_claims(session=session, actor=d["batuceper"]).empty
    viewed = session.exec(select(AuditLog).where(AuditLog.action == "claim.list")).all()
    assert [v.entity_id for v in viewed] == [CIKOKOL, BATUCEPER]  # a view of KPJ numbers is audited
    with pytest.raises(AccessDenied):
        coverage.record_claim(session=session, actor=d["company0_user"], worker=kpj0, programme="JKM", kind="",
                              event_date=dt.date(2025, 5, 5), paid_date=dt.date(2025, 5, 20), amount="1",
                              today=TODAY)  # fmt: skip


def test_figures_agree_between_company_report_dashboard_and_quarterly(session: Session) -> None:
    d = covered(session)
    (_, kpj0, _), (_, kpj1, _), (_, kpj2, _), (_, kpj3, _) = d["workers"]
    content = claims_file(
        [
            [kpj0, "", "JKM", "", "12/03/2025", "02/04/2025", 42_000_000],
            [kpj1, "", "JKM", "", "12/05/2025", "02/06/2025", 42_000_000],
            [kpj1, "", "JKK", "perawatan", "01/02/2025", "20/02/2025", 3_500_000],
            [kpj2, "", "JKK", "stmb", "01/06/2025", "20/06/2025", 2_000_000],
            [kpj3, "", "JKK", "cacat", "01/06/2025", "20/06/2025", 14_000_000],
        ]
    )
    coverage.import_claims(
        session=session, actor=d["admin"], content=content, filename="k.xlsx", apply=True, today=TODAY
    )
    report = pledges.impact_report(session=session, actor=d["company0_user"], company_id=d["company0"])
    assert report.benefits.by_programme["JKM"] == (2, 2, 84_000_000)
    assert "2 keluarga menerima santunan JKM, Rp84 juta" in report.benefits.sentences()
    assert report.benefits.families == 3 and report.benefits.amount == 89_500_000
    assert (
        insight.company_benefits(session=session, actor=d["company0_user"], company_id=d["company0"]) == report.benefits
    )
    with pytest.raises(AccessDenied):  # never another company's
        insight.company_benefits(session=session, actor=d["company0_user"], company_id=d["company1"])
    city = insight.city_benefits(session=session, actor=d["admin"])
    name0 = session.get(Company, d["company0"]).name  # type: ignore[union-attr]
    row = city.by_payer.set_index("payer").loc[name0]
    assert (row["jkm_families"], row["jkm_amount"], row["jkk_amount"]) == (2, 84_000_000, 5_500_000)
    assert city.total.amount == 103_500_000 and city.total.families == 4
    p0 = session.get(Pledge, d["workers"][0][2])
    assert row["premiums"] == 3 * p0.months * p0.premium_per_worker_month  # type: ignore[union-attr]
    quarterly = insight.quarterly_report(session=session, actor=d["admin"], year=TODAY.year, quarter=1, today=TODAY)
    table = benefits_table(quarterly.benefits).set_index("Pembayar (ikrar perusahaan)")
    assert table.loc[name0, "Santunan JKM (Rp)"] == 84_000_000 and table.loc["Jumlah", "Keluarga JKM"] == 2
    assert table.loc["Jumlah", "Santunan JKK (Rp)"] + table.loc["Jumlah", "Santunan JKM (Rp)"] == city.total.amount
    q_pdf = insight.quarterly_file(
        session=session, actor=d["admin"], year=TODAY.year, quarter=1, kind="pdf", today=TODAY
    )
    q_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(q_pdf)).pages)
    assert "2 keluarga menerima santunan JKM, Rp84 juta" in q_text and "Rp103.500.000" in q_text
    pdf = pledges.impact_pdf(report, compress=False)
    assert b"Rp84 juta" in pdf and b"Keluarga penerima santunan" in pdf
    public = dict((p, (n, a)) for p, n, a in insight.public_benefits(session=session))
    assert public["JKK"] == (3, 19_500_000)  # three families: shown
    assert public["JKM"] == (None, None)  # two families: under 3, hidden with its Rupiah


def test_claims_cli_json(session: Session, db_url: str, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    d = covered(session)
    path = tmp_path / "klaim.xlsx"
    path.write_bytes(claims_file([[d["workers"][0][1], "", "JKM", "", "12/03/2025", "02/04/2025", 42_000_000],
                                  ["1", "", "JKM", "", "12/03/2025", "02/04/2025", -5]]))  # fmt: skip
    assert coverage_cli(["import-claims", str(path), "--json", "--database-url", db_url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["inserted"] == 1 and out["rejected"] == 1 and out["applied"] is True
    assert len(out["errors"]) == 2  # the bad row: its KPJ and its amount
    session.expire_all()
    assert session.exec(select(func.count()).select_from(Claim)).one() == 1


def test_demo_claims_are_plausible(session: Session) -> None:
    """JKK far more often than JKM, JKM Rp42.000.000, each claim inside its worker's cover, recorded by the branch
    officer of the worker's area; Panarub's report has benefits to show."""
    from models import Kelurahan, User, Worker
    from services.coverage import branch_of_kecamatan
    from services.demo.seed import seed_demo

    seed_demo(session=session, seed=7, n_workers=1_500, n_companies=30, today=TODAY)
    rows = session.exec(select(Claim, Assignment, Worker, Kelurahan)
                        .join(Assignment, Assignment.id == Claim.assignment_id)
                        .join(Worker, Worker.id == Claim.worker_id)
                        .join(Kelurahan, Kelurahan.code == Worker.kelurahan_code)).all()  # fmt: skip
    jkm = [c for c, *_ in rows if c.programme == "JKM"]
    assert len(rows) >= 10 and len(rows) - len(jkm) >= 3 * len(jkm) >= 3
    assert {c.amount for c in jkm} == {42_000_000}
    officers = {u.username: u.branch for u in session.exec(select(User).where(User.role == "branch")).all()}
    for c, a, _w, kel in rows:
        assert a.coverage_start <= c.event_date <= a.coverage_end and c.event_date <= c.paid_date <= TODAY
        assert officers[c.recorded_by] == branch_of_kecamatan()[kel.kecamatan_code]
        assert c.programme == "JKM" or c.jkk_kind in coverage.KIND_LABELS
    panarub = session.exec(select(Company).where(Company.name == "PT Panarub Industry")).one()
    assert insight.company_benefits(session=session, actor=f.actor_of(f.user(session)), company_id=panarub.id).families
