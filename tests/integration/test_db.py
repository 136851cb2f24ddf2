"""The schema on both databases: migrations, reference data, and the one-holding-assignment rule."""

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from models import Assignment, Kecamatan, Kelurahan
from tests import factories as f


def test_regions_loaded(session: Session) -> None:
    assert session.exec(select(func.count()).select_from(Kecamatan)).one() == 13
    assert session.exec(select(func.count()).select_from(Kelurahan)).one() == 104


def test_database_refuses_second_holding_assignment(session: Session) -> None:
    camp = f.campaign(session)
    comp = f.company(session)
    worker = f.worker(session)
    p1, p2 = (f.pledge(session, company_id=comp.id, campaign_id=camp.id) for _ in range(2))
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
