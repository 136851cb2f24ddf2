"""A company user never reads or changes another company's pledge, workers, profile or report; every attempt
is refused with AccessDenied, shows nothing, and leaves an 'access.denied' audit row (SQLite and PostgreSQL)."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, col, select

from models import AuditLog, Pledge, Role
from services import pledges
from services.campaign import companies
from services.platform.errors import AccessDenied
from tests import factories as f
from tests.integration.test_pledges import World, draft, make_world


@pytest.fixture
def two(session: Session) -> tuple[World, World, int]:
    mine = make_world(session, workers=6, name="PT Saya")
    other = make_world(session, workers=0, name="PT Lain")
    out = pledges.create_pledge(
        session=session,
        actor=mine.actor,
        company_id=mine.company_id,
        draft=draft(workers=4),
        submission_key="milik-saya",
    )
    return mine, other, out.pledge_id


def _calls(mine: World, pledge_id: int) -> dict[str, Callable[[Session, Any], object]]:
    cid = mine.company_id
    profile = companies.ProfileUpdate(
        site_lat=None,
        site_lon=None,
        sector="X",
        employees=1,
        contact_name="Y",
        contact_email="",
        contact_phone="",
        show_amount=False,
    )
    return {
        "get_pledge": lambda s, a: pledges.get_pledge(session=s, actor=a, pledge_id=pledge_id),
        "pledge_workers": lambda s, a: pledges.pledge_workers(session=s, actor=a, pledge_id=pledge_id),
        "record_download": lambda s, a: pledges.record_download(
            session=s, actor=a, pledge_id=pledge_id, kind="csv", rows=1
        ),
        "raise": lambda s, a: pledges.raise_pledge(session=s, actor=a, pledge_id=pledge_id, workers=50),
        "renew": lambda s, a: pledges.renew_pledge(session=s, actor=a, pledge_id=pledge_id, months=12),
        "cancel": lambda s, a: pledges.cancel_pledge(session=s, actor=a, pledge_id=pledge_id),
        "list_pledges": lambda s, a: pledges.list_pledges(session=s, actor=a, company_id=cid),
        "quote": lambda s, a: pledges.quote(session=s, actor=a, company_id=cid, draft=draft()),
        "create_for_other": lambda s, a: pledges.create_pledge(session=s, actor=a, company_id=cid, draft=draft()),
        "replay_other_submission": lambda s, a: pledges.create_pledge(
            session=s, actor=a, company_id=a.company_id, draft=draft(), submission_key="milik-saya"
        ),
        "form_context": lambda s, a: pledges.form_context(session=s, actor=a, company_id=cid),
        "impact_report": lambda s, a: pledges.impact_report(session=s, actor=a, company_id=cid),
        "profile": lambda s, a: companies.company_profile(session=s, actor=a, company_id=cid),
        "update_profile": lambda s, a: companies.update_profile(session=s, actor=a, company_id=cid, update=profile),
        "home": lambda s, a: companies.company_home(session=s, actor=a, company_id=cid),
        "attachment": lambda s, a: companies.letter_attachment(session=s, actor=a, company_id=cid),
    }


CALLS = list(_calls(World(0, 0, None, []), 0))  # type: ignore[arg-type]


@pytest.mark.parametrize("call", CALLS)
def test_other_company_is_refused_and_audited(session: Session, two: tuple[World, World, int], call: str) -> None:
    mine, other, pledge_id = two
    before = session.get(Pledge, pledge_id)
    assert before is not None
    snapshot = (before.workers, before.status)
    denied_before = _denials(session)
    with pytest.raises(AccessDenied, match="tidak berhak"):
        _calls(mine, pledge_id)[call](session, other.actor)
    session.rollback()
    rows = _denials(session)
    assert len(rows) == len(denied_before) + 1
    assert rows[-1].username == other.actor.username and rows[-1].success is False
    after = session.get(Pledge, pledge_id)
    assert after is not None and (after.workers, after.status) == snapshot  # nothing changed
    assert len(session.exec(select(Pledge).where(Pledge.company_id == other.company_id)).all()) == 0


def test_viewer_may_read_but_not_change(session: Session, two: tuple[World, World, int]) -> None:
    mine, _, pledge_id = two
    viewer = f.actor_of(f.user(session, role=Role.VIEWER))
    session.commit()
    assert pledges.get_pledge(session=session, actor=viewer, pledge_id=pledge_id).workers == 4
    with pytest.raises(AccessDenied):
        pledges.cancel_pledge(session=session, actor=viewer, pledge_id=pledge_id)


def test_stale_pledge_id_is_not_found(session: Session, two: tuple[World, World, int]) -> None:
    from services.platform.errors import NotFound

    mine, _, _ = two
    with pytest.raises(NotFound, match="Muat ulang"):
        pledges.get_pledge(session=session, actor=mine.actor, pledge_id=999_999)


def _denials(session: Session) -> list[AuditLog]:
    return list(
        session.exec(select(AuditLog).where(AuditLog.action == "access.denied").order_by(col(AuditLog.id))).all()
    )
