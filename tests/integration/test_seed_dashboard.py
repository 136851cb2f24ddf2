"""The demo seed and the public/city read side, on both databases."""

import datetime as dt
from pathlib import Path

from sqlmodel import Session, col, func, select

from models import Assignment, AssignmentStatus, Company, LetterRecipient, Pledge, PledgeStatus, User, Worker
from models.assignment import HOLDING_STATUSES
from services.demo.seed import is_empty, seed_demo
from services.insight import dashboard
from services.platform.db import make_engine, migrate
from services.platform.regions import load_regions
from services.registry import nik

TODAY = dt.date(2026, 11, 22)


def _seed(session: Session, seed: int = 7) -> None:
    seed_demo(session=session, seed=seed, n_workers=1_500, n_companies=30, today=TODAY)


def test_seed_builds_a_consistent_demo(session: Session) -> None:
    assert is_empty(session=session)
    _seed(session)
    assert not is_empty(session=session)
    assert session.exec(select(func.count()).select_from(Worker)).one() == 1_500
    assert session.exec(select(func.count()).select_from(Company)).one() == 30
    niks = session.exec(select(Worker.nik)).all()
    assert all(nik.is_valid(n) for n in niks) and len(set(niks)) == len(niks)
    roles = dict(session.exec(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {"admin": 1, "viewer": 1, "company": 30, "branch": 3}  # one officer per BPJS branch
    # Panarub: first responder, 148 workers, renewed once; its renewal runs out at the end of this month.
    panarub = session.exec(select(Company).where(Company.name == "PT Panarub Industry")).one()
    pledges = session.exec(select(Pledge).where(Pledge.company_id == panarub.id).order_by(Pledge.start_month)).all()
    assert [p.status for p in pledges] == [PledgeStatus.RENEWED, PledgeStatus.ACTIVE]
    assert pledges[1].renewed_from_id == pledges[0].id and pledges[1].workers == 148
    first = session.exec(
        select(LetterRecipient)
        .order_by(col(LetterRecipient.responded_at).asc())
        .where(col(LetterRecipient.responded_at).is_not(None))
    ).first()
    assert first is not None and first.company_id == panarub.id
    # Never two holding assignments for one worker, never a pledge over its size.
    per_worker = session.exec(
        select(Assignment.worker_id, func.count())
        .where(col(Assignment.status).in_(HOLDING_STATUSES))
        .group_by(Assignment.worker_id)
        .having(func.count() > 1)
    ).all()
    assert per_worker == []
    for p in session.exec(select(Pledge)).all():
        held = session.exec(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.pledge_id == p.id, col(Assignment.status).in_(HOLDING_STATUSES))
        ).one()
        assert held <= p.workers
    active = session.exec(select(Assignment).where(Assignment.status == AssignmentStatus.ACTIVE)).all()
    assert active and all(a.kpj_number and a.coverage_start and a.coverage_end for a in active)


def _fingerprint(session: Session) -> tuple[list, list]:
    workers = session.exec(select(Worker.nik, Worker.name, Worker.desil).order_by(Worker.nik)).all()
    assigned = session.exec(
        select(Worker.nik, Company.name, Assignment.status)
        .join(Assignment, col(Assignment.worker_id) == Worker.id)
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .join(Company, col(Company.id) == Pledge.company_id)
        .order_by(Worker.nik, Assignment.status)
    ).all()
    return [tuple(w) for w in workers], [tuple(a) for a in assigned]


def test_seed_is_deterministic_across_databases(session: Session, tmp_path: Path) -> None:
    """Same seed and day → the same workers and the same matching result, here and in a fresh SQLite file."""
    _seed(session, seed=11)
    url = f"sqlite:///{tmp_path / 'again.db'}"
    migrate(url)
    other = make_engine(url)
    with Session(other) as s:
        load_regions(session=s)
        _seed(s, seed=11)
        again = _fingerprint(s)
    other.dispose()
    assert _fingerprint(session) == again


def test_progress_and_participants(session: Session) -> None:
    _seed(session)
    progress = dashboard.campaign_progress(session=session)
    assert progress is not None
    assert progress.target_workers == 20_000 and progress.companies_invited == 30
    active = session.exec(
        select(func.count(func.distinct(Assignment.worker_id))).where(Assignment.status == AssignmentStatus.ACTIVE)
    ).one()
    assert progress.workers_protected == active > 0
    companies = dashboard.participating_companies(session=session)
    assert companies.iloc[0]["company"] == "PT Panarub Industry"
    assert len(companies) == progress.companies_responded
    hidden = companies[companies["hidden"]]
    assert hidden["rupiah"].isna().all()
    panarub = companies.iloc[0]
    assert panarub["workers_pledged"] == 148  # the renewal carries the same 148 workers: counted once
    assert panarub["rupiah"] == 2 * 148 * 12 * 16_800  # both paid years count as committed


def test_coverage_by_kecamatan_adds_up(session: Session) -> None:
    _seed(session)
    df = dashboard.coverage_by_kecamatan(session=session)
    assert len(df) == 13
    assert df["workers"].sum() == 1_500
    assert (df["protected"] + df["in_process"] + df["uncovered"] <= df["workers"]).all()
    holding = session.exec(
        select(func.count()).select_from(Assignment).where(col(Assignment.status).in_(HOLDING_STATUSES))
    ).one()
    assert df["protected"].sum() + df["in_process"].sum() == holding


def test_empty_database_has_no_progress(session: Session) -> None:
    assert dashboard.campaign_progress(session=session) is None
    assert dashboard.participating_companies(session=session).empty
