"""The schema on both databases: migrations, reference data, and the one-holding-assignment rule."""

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from models import Assignment, Campaign, Company, Kecamatan, Kelurahan, Pledge, Worker


def test_regions_loaded(session: Session) -> None:
    assert session.exec(select(func.count()).select_from(Kecamatan)).one() == 13
    assert session.exec(select(func.count()).select_from(Kelurahan)).one() == 104


def test_database_refuses_second_holding_assignment(session: Session) -> None:
    camp = Campaign(
        letter_number="SE/1",
        letter_date=dt.date(2024, 10, 1),
        subject="x",
        response_deadline=dt.date(2024, 12, 1),
        target_workers=20_000,
    )
    comp = Company(name="PT A")
    session.add_all([camp, comp])
    session.flush()
    worker = Worker(
        nik="3671011501900001",
        name="Budi",
        sex="L",
        birth_date=dt.date(1990, 1, 15),
        kelurahan_code="36.71.01.1001",
        occupation="Pedagang",
    )
    p1 = Pledge(
        company_id=comp.id,
        campaign_id=camp.id,
        workers=1,
        months=12,
        start_month=dt.date(2025, 1, 1),
        premium_per_worker_month=16_800,
    )
    p2 = Pledge(
        company_id=comp.id,
        campaign_id=camp.id,
        workers=1,
        months=12,
        start_month=dt.date(2025, 1, 1),
        premium_per_worker_month=16_800,
    )
    session.add_all([worker, p1, p2])
    session.flush()
    session.add(Assignment(worker_id=worker.id, pledge_id=p1.id))
    session.add(Assignment(worker_id=worker.id, pledge_id=p2.id, status="released"))  # history is fine
    session.commit()
    session.add(Assignment(worker_id=worker.id, pledge_id=p2.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_migrations_match_the_models(engine) -> None:  # type: ignore[no-untyped-def]
    """`alembic upgrade head` builds exactly the schema the models describe (no forgotten revision)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
