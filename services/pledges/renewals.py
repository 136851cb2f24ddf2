"""A renewal waiting for its first month, as the company's figures count it (issue 22): its cards still run on
the pledge it renews, so *Ikrar saya* counts them there, as the impact report and the home count every running
card once."""

import datetime as dt

from sqlmodel import Session, col, func, select

from models import Assignment, AssignmentStatus, Pledge
from services.platform.dates import cover_end
from services.pledges.rules import WAITING, derived_status


def cards_waiting_on_renewals(
    session: Session, renewals: dict[int | None, int | None], today: dt.date
) -> dict[int, int]:
    """Renewed pledge id -> the cards its renewal carries while that renewal waits for its first month: they
    still run on the renewed pledge, so the company's protected-now figure counts them there (the report counts
    every running card once), and the waiting renewal shows them as registered."""
    if not renewals:
        return {}
    old_of = {int(new): int(old) for old, new in renewals.items() if old is not None and new is not None}
    cards = dict(
        session.exec(
            select(Assignment.pledge_id, func.count())
            .where(col(Assignment.pledge_id).in_(list(old_of)), Assignment.status == AssignmentStatus.ACTIVE)
            .group_by(col(Assignment.pledge_id))
        ).all()
    )
    out: dict[int, int] = {}
    for r in session.exec(select(Pledge).where(col(Pledge.id).in_(list(old_of)))).all():
        if derived_status(r.status, cover_end(r.start_month, r.months), today, start=r.start_month) == WAITING:
            out[old_of[int(r.id or 0)]] = int(cards.get(int(r.id or 0), 0))
    return out
