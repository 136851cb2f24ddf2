"""The BPJS loop on SQLite and PostgreSQL: registration file, result import, expiry, refresh, renewal."""

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook
from sqlmodel import Session, col, func, select

from models import Assignment, AssignmentStatus, AuditLog, Pledge, PledgeStatus, Role, Worker
from services import coverage, pledges, registry
from services.platform.authz import Actor
from services.platform.errors import AccessDenied, ValidationError
from tests import factories as f
from tests.data.workers import corpus

TODAY = dt.date.today()


def _setup(session: Session, n: int = 4, kel: str = "36.71.02.1001") -> tuple[Actor, Pledge, list[Worker]]:
    admin = f.actor_of(f.user(session, role=Role.ADMIN))
    camp = f.campaign(session)
    comp = f.company(session, campaign_id=camp.id)
    start = TODAY.replace(day=1)
    pledge = f.pledge(session, company_id=comp.id, campaign_id=camp.id, workers=n, start_month=start, status="matched")
    workers = [
        f.worker(session, nik=corpus.nik_for(dt.date(1980, 1, 2 + i), "L", 10 + i), birth_date=dt.date(1980, 1, 2 + i),
                 kelurahan_code=kel)
        for i in range(n)
    ]  # fmt: skip
    for w in workers:
        session.add(Assignment(worker_id=w.id, pledge_id=pledge.id, status=AssignmentStatus.ASSIGNED.value))
    session.commit()
    return admin, pledge, workers


def _export(session: Session, admin: Actor, pledge_id: int) -> list[list[object]]:
    name, content = coverage.export_registration(
        session=session, actor=admin, selection=coverage.Selection(pledge_id=pledge_id)
    )
    assert name.endswith(".xlsx")
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_registration_export_registers_and_audits(session: Session) -> None:
    admin, pledge, workers = _setup(session)
    preview = coverage.registration_preview(
        session=session, actor=admin, selection=coverage.Selection(pledge_id=pledge.id)
    )
    assert (preview.workers, preview.pledges) == (4, 1)
    cells = _export(session, admin, pledge.id)
    header = cells[2]
    assert header[:4] == ["NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin"]
    niks = [r[0] for r in cells[3:]]
    assert sorted(niks) == sorted(w.nik for w in workers) and all(isinstance(n, str) for n in niks)  # text
    session.expire_all()
    statuses = set(session.exec(select(Assignment.status).where(Assignment.pledge_id == pledge.id)).all())
    assert statuses == {"registered"}
    assert session.get(Pledge, pledge.id).status == PledgeStatus.REGISTERED  # type: ignore[union-attr]
    exported = session.exec(select(func.count()).select_from(AuditLog).where(AuditLog.action == "worker.export")).one()
    assert exported == 4
    # a second download holds the same workers and changes nothing
    assert len(_export(session, admin, pledge.id)) == len(cells)
    # registered assignments never move: a full match keeps them
    from services.matching import run_full_match
    from services.platform.authz import SYSTEM

    run_full_match(session=session, actor=SYSTEM)
    assert set(session.exec(select(Assignment.status).where(Assignment.pledge_id == pledge.id)).all()) == {"registered"}


def test_branch_export_picks_the_branch_kecamatan(session: Session) -> None:
    admin, pledge, _ = _setup(session, n=2, kel="36.71.02.1001")  # Jatiuwung: Cimone
    cimone = coverage.Selection(branch="Tangerang Cimone", period_from=pledge.start_month, period_to=pledge.start_month)
    cikokol = coverage.Selection(branch="Tangerang Cikokol", period_from=pledge.start_month)
    assert coverage.registration_preview(session=session, actor=admin, selection=cimone).workers == 2
    assert coverage.registration_preview(session=session, actor=admin, selection=cikokol).workers == 0
    with pytest.raises(ValidationError):
        coverage.export_registration(session=session, actor=admin, selection=cikokol)
    with pytest.raises(ValidationError):
        coverage.registration_preview(session=session, actor=admin, selection=coverage.Selection(branch="Bandung"))


def _result_csv(rows: list[list[object]]) -> bytes:
    return corpus.csv_bytes(rows, header=["NIK", "KPJ", "Tgl Mulai", "Tgl Berakhir"])


def test_result_import_activates_and_reports_bad_rows(session: Session) -> None:
    admin, pledge, workers = _setup(session)
    _export(session, admin, pledge.id)
    start = pledge.start_month.strftime("%d/%m/%Y")
    other = f.worker(session, nik=corpus.nik_for(dt.date(1990, 5, 5), "P", 77))
    session.commit()
    content = _result_csv([
        [workers[0].nik, "24010000001", start, ""],
        [workers[1].nik, "2401-000-0002", start, ""],  # dashes are fine
        [workers[2].nik, "12345", start, ""],  # malformed KPJ
        [workers[3].nik, "24010000001", start, ""],  # KPJ already given to another NIK in this file
        [other.nik, "24010000009", start, ""],  # not registered
        [workers[1].nik, "24010000002", start, ""],  # duplicate NIK
    ])  # fmt: skip
    preview = coverage.import_result(session=session, actor=admin, content=content, filename="hasil.csv")
    assert (preview.updated, preview.rejected, preview.duplicates) == (2, 3, 1)
    reasons = " ".join(e.reason for e in preview.errors)
    assert "11 digit" in reasons and "NIK lain" in reasons and "tidak sedang didaftarkan" in reasons
    done = coverage.import_result(session=session, actor=admin, content=content, filename="hasil.csv", apply=True)
    assert done.applied and done.updated == 2
    session.expire_all()
    a = session.exec(select(Assignment).where(Assignment.worker_id == workers[0].id)).one()
    assert a.status == "active" and a.kpj_number == "24010000001"
    assert a.coverage_start == pledge.start_month
    assert a.coverage_end == coverage.cover_end_from(pledge.start_month, pledge.months)
    assert session.get(Pledge, pledge.id).status == PledgeStatus.ACTIVE  # type: ignore[union-attr]
    again = coverage.import_result(session=session, actor=admin, content=content, filename="hasil.csv", apply=True)
    assert (again.updated, again.unchanged) == (0, 2)
    history = registry.worker_detail(session=session, actor=admin, worker_id=workers[0].id).history
    assert {"Diekspor (berkas pendaftaran BPJS)", "Kartu BPJS (KPJ) dicatat"} <= set(history["action"])


def test_expiry_lists_refresh_and_renewal_keeps_kpj(session: Session) -> None:
    admin, pledge, workers = _setup(session, n=3)
    _export(session, admin, pledge.id)
    start = pledge.start_month
    content = _result_csv([[w.nik, f"2401000010{i}", start.strftime("%Y-%m-%d"), ""] for i, w in enumerate(workers)])
    coverage.import_result(session=session, actor=admin, content=content, filename="hasil.csv", apply=True)
    end = coverage.cover_end_from(start, pledge.months)
    soon = end - dt.timedelta(days=20)
    by_company = coverage.expiring_by_company(session=session, actor=admin, today=soon)
    assert list(by_company["workers"]) == [3] and list(by_company["level"]) == ["≤ 30 hari"]
    assert coverage.expiring_by_company(session=session, actor=admin, today=end - dt.timedelta(days=90)).empty
    by_month = coverage.expiring_by_month(session=session, actor=admin, today=soon)
    assert int(by_month["workers"].sum()) == 3
    assert registry.status_counts(session=session, actor=admin, today=soon)["expiring"] == 3
    # the company sees its own list, not another company's
    company_user = f.user(session, role=Role.COMPANY, company_id=pledge.company_id)
    other = f.company(session)
    session.commit()
    mine = coverage.expiring_by_company(
        session=session, actor=f.actor_of(company_user), today=soon, company_id=pledge.company_id
    )
    assert len(mine) == 1
    with pytest.raises(AccessDenied):
        coverage.expiring_by_company(session=session, actor=f.actor_of(company_user), today=soon, company_id=other.id)
    # renewal keeps the KPJ
    kpj_before = {a.worker_id: a.kpj_number for a in session.exec(select(Assignment)).all()}
    outcome = pledges.renew_pledge(
        session=session, actor=f.actor_of(company_user), pledge_id=pledge.id, months=12, today=soon
    )
    session.expire_all()
    renewed = session.exec(select(Assignment).where(Assignment.pledge_id == outcome.pledge_id)).all()
    assert len(renewed) == 3 and all(a.kpj_number == kpj_before[a.worker_id] for a in renewed)
    assert all(a.status == "active" for a in renewed)


def test_refresh_expires_and_returns_workers_to_the_pool_idempotently(session: Session) -> None:
    admin, pledge, workers = _setup(session, n=2)
    _export(session, admin, pledge.id)
    start = pledge.start_month
    content = _result_csv([[w.nik, f"2401000020{i}", start.strftime("%d/%m/%Y"), ""] for i, w in enumerate(workers)])
    coverage.import_result(session=session, actor=admin, content=content, filename="hasil.csv", apply=True)
    covered = f.worker(session, nik=corpus.nik_for(dt.date(1985, 3, 3), "L", 55))
    session.commit()
    registry.set_covered(
        session=session, actor=admin, worker_id=covered.id, covered_by="apbd", until=TODAY + dt.timedelta(days=10)
    )
    after = coverage.cover_end_from(start, pledge.months) + dt.timedelta(days=1)
    assert registry.status_counts(session=session, actor=admin, today=after)["unprotected"] == 3
    counts = coverage.refresh(session=session, actor=admin, today=after)
    assert counts == {"assignments_expired": 2, "pledges_expired": 1, "covered_lapsed": 1}
    assert coverage.refresh(session=session, actor=admin, today=after) == {
        "assignments_expired": 0,
        "pledges_expired": 0,
        "covered_lapsed": 0,
    }
    session.expire_all()
    assert set(session.exec(select(Assignment.status).where(col(Assignment.pledge_id) == pledge.id)).all()) == {
        "expired"
    }
    assert session.get(Pledge, pledge.id).status == PledgeStatus.EXPIRED  # type: ignore[union-attr]
