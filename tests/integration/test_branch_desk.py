"""The BPJS branch desk on SQLite and PostgreSQL: a branch officer reaches only the kecamatan its branch serves,
on every service call (Cikokol's officer gets nothing of Batuceper's), and the result file's refusals."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook
from sqlalchemy import update
from sqlmodel import Session, col, select

from models import Assignment, AssignmentStatus, AuditLog, Pledge, Role, Worker
from services import coverage, insight
from services.platform.authz import Actor
from services.platform.errors import AccessDenied
from tests import factories as f
from tests.data.workers import corpus

TODAY = dt.date.today()
CIKOKOL, BATUCEPER = "Tangerang Cikokol", "Tangerang Batuceper"
KEL_CIKOKOL, KEL_BATUCEPER = "36.71.01.1001", "36.71.03.1001"  # kecamatan Tangerang, Batuceper


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def desk(session: Session) -> tuple[dict[str, Actor], Pledge, list[Worker]]:
    """One pledge with two workers in Cikokol's area and two in Batuceper's, waiting for registration."""
    actors = {
        "admin": f.actor_of(f.user(session, role=Role.ADMIN)),
        "viewer": f.actor_of(f.user(session, role=Role.VIEWER)),
        "cikokol": f.actor_of(f.user(session, role=Role.BRANCH, branch=CIKOKOL)),
        "batuceper": f.actor_of(f.user(session, role=Role.BRANCH, branch=BATUCEPER)),
    }
    camp = f.campaign(session)
    comp = f.company(session, campaign_id=camp.id)
    actors["company"] = f.actor_of(f.user(session, role=Role.COMPANY, company_id=comp.id))
    pledge = f.pledge(
        session, company_id=comp.id, campaign_id=camp.id, workers=4, start_month=TODAY.replace(day=1), status="matched"
    )
    workers = [
        f.worker(session, nik=corpus.nik_for(dt.date(1981, 2, 3 + i), "L", 20 + i), kelurahan_code=kel)
        for i, kel in enumerate([KEL_CIKOKOL, KEL_CIKOKOL, KEL_BATUCEPER, KEL_BATUCEPER])
    ]
    for w in workers:
        session.add(Assignment(worker_id=w.id, pledge_id=pledge.id, status=AssignmentStatus.ASSIGNED.value))
    session.commit()
    return actors, pledge, workers


def test_officer_sees_and_downloads_only_its_branch(session: Session) -> None:
    actors, pledge, workers = desk(session)
    waiting = coverage.pledge_choices(session=session, actor=actors["cikokol"])
    assert list(waiting["to_register"]) == [2]
    assert list(coverage.pledge_choices(session=session, actor=actors["admin"])["to_register"]) == [4]
    own = coverage.Selection(pledge_id=pledge.id, branch=CIKOKOL)
    assert coverage.registration_preview(session=session, actor=actors["cikokol"], selection=own).workers == 2
    name, content = coverage.export_registration(session=session, actor=actors["cikokol"], selection=own)
    cells = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sorted(r[0] for r in cells[3:]) == sorted(w.nik for w in workers[:2])
    assert "tangerang-cikokol" in name
    session.expire_all()
    statuses = dict(session.execute(select(col(Assignment.worker_id), col(Assignment.status))).all())
    assert [statuses[w.id] for w in workers] == ["registered", "registered", "assigned", "assigned"]


@pytest.mark.parametrize(
    "selection",
    [
        coverage.Selection(pledge_id=1, branch=BATUCEPER),  # another branch
        coverage.Selection(pledge_id=1),  # no branch: every branch's workers
        coverage.Selection(branch=BATUCEPER),
    ],
)
def test_officer_cannot_export_another_branch(session: Session, selection: coverage.Selection) -> None:
    actors, pledge, _ = desk(session)
    selection = coverage.Selection(pledge_id=pledge.id if selection.pledge_id else None, branch=selection.branch)
    for call in (coverage.registration_preview, coverage.export_registration):
        with pytest.raises(AccessDenied):
            call(session=session, actor=actors["cikokol"], selection=selection)
    denied = session.exec(select(AuditLog).where(AuditLog.action == "access.denied")).all()
    assert len(denied) == 2 and all(d.user_id == actors["cikokol"].user_id for d in denied)
    session.expire_all()
    assert {a.status for a in session.exec(select(Assignment)).all()} == {"assigned"}  # nothing registered


def test_every_desk_service_refuses_another_branch_and_other_roles(session: Session) -> None:
    actors, _, _ = desk(session)
    calls = {
        "pledge_choices": lambda a, b: coverage.pledge_choices(session=session, actor=a, branch=b),
        "closed_by_payer": lambda a, b: coverage.closed_by_payer(session=session, actor=a, branch=b),
        "recorded_claims": lambda a, b: coverage.recorded_claims(session=session, actor=a, branch=b),
    }
    for name, call in calls.items():
        with pytest.raises(AccessDenied):
            call(actors["cikokol"], BATUCEPER)
        for role in ("viewer", "company"):
            with pytest.raises(AccessDenied):
                call(actors[role], "")
        assert call(actors["admin"], BATUCEPER) is not None, name
    file = xlsx([["NIK", "KPJ", "Tgl Mulai"]])
    for role in ("viewer", "company"):
        with pytest.raises(AccessDenied):
            coverage.import_result(session=session, actor=actors[role], content=file, filename="h.xlsx")
        with pytest.raises(AccessDenied):
            coverage.import_claims(session=session, actor=actors[role], content=file, filename="k.xlsx")
        with pytest.raises(AccessDenied):
            insight.city_benefits(session=session, actor=actors["cikokol"])  # no companies' finances either
    # an officer of no branch (a bad account) reaches nothing
    nobody = Actor(user_id=None, username="x", role=Role.BRANCH, branch="")
    with pytest.raises(AccessDenied):
        coverage.pledge_choices(session=session, actor=nobody)


def test_result_file_activates_refuses_with_reason_and_stays_in_branch(session: Session) -> None:
    actors, pledge, workers = desk(session)
    coverage.export_registration(
        session=session, actor=actors["admin"], selection=coverage.Selection(pledge_id=pledge.id)
    )
    # as in the demo (and in data from before the registration date was kept): registered, no registered_at
    session.execute(update(Assignment).values(registered_at=None))
    session.commit()
    start = TODAY.replace(day=1).strftime("%d/%m/%Y")
    content = xlsx(
        [
            ["NIK", "KPJ", "Tgl Mulai", "Status", "Alasan"],
            [workers[0].nik, "12345678901", start, "", ""],
            [workers[1].nik, "", "", "Ditolak", "Sudah terdaftar sebagai peserta PU"],
            [workers[2].nik, "12345678903", start, "", ""],  # Batuceper's worker: not Cikokol's to close
            [workers[3].nik, "", "", "Ditolak", ""],  # refusal without a reason
        ]
    )
    result = coverage.import_result(
        session=session, actor=actors["cikokol"], content=content, filename="hasil.xlsx", apply=True
    )
    assert (result.updated, result.rejected) == (2, 2)
    assert {e.row for e in result.errors} == {4, 5}
    assert any("Alasan" in e.reason for e in result.errors)
    session.expire_all()
    by_worker = {a.worker_id: a for a in session.exec(select(Assignment)).all()}
    assert by_worker[workers[0].id].status == "active" and by_worker[workers[0].id].kpj_number == "12345678901"
    assert by_worker[workers[1].id].status == "released"
    assert by_worker[workers[1].id].reason == "Ditolak BPJS: Sudah terdaftar sebagai peserta PU"
    assert by_worker[workers[2].id].status == "registered"  # untouched
    closed = coverage.closed_by_payer(session=session, actor=actors["cikokol"])
    assert (list(closed["cards"]), list(closed["refused"])) == ([1], [1])
    assert coverage.closed_by_payer(session=session, actor=actors["batuceper"]).empty
    refused = session.exec(select(AuditLog).where(AuditLog.action == "worker.bpjs_refused")).all()
    assert [r.entity_id for r in refused] == [str(workers[1].id)]


def test_admin_creates_a_branch_officer_who_logs_in_scoped(session: Session) -> None:
    from services import campaign
    from services.platform import auth
    from services.platform.errors import ValidationError

    actors, _, _ = desk(session)
    with pytest.raises(ValidationError, match="Pilih cabang BPJS"):
        campaign.create_city_user(session=session, actor=actors["admin"], username="petugas.x", display_name="X",
                                  email="", role=Role.BRANCH)  # fmt: skip
    with pytest.raises(AccessDenied):  # a branch officer administers no users
        campaign.create_city_user(session=session, actor=actors["cikokol"], username="petugas.y", display_name="Y",
                                  email="", role=Role.BRANCH, branch=CIKOKOL)  # fmt: skip
    with pytest.raises(AccessDenied):
        campaign.list_users(session=session, actor=actors["cikokol"])
    otp = campaign.create_city_user(session=session, actor=actors["admin"], username="petugas.cikokol",
                                    display_name="Petugas Cikokol", email="", role=Role.BRANCH,
                                    branch=CIKOKOL)  # fmt: skip
    grant = auth.start_session(session=session, username=otp.username, via_cookie=False)
    assert (grant.actor.role, grant.actor.branch) == (Role.BRANCH, CIKOKOL)
    assert list(coverage.pledge_choices(session=session, actor=grant.actor)["to_register"]) == [2]
    created = session.exec(select(AuditLog).where(AuditLog.action == "user.create")).one()
    assert created.detail["branch"] == CIKOKOL
