"""Demo history for the city dashboard: pledges and assignments carry the dates on which they would have happened.

The seed creates every row at seeding time; the dashboard's 30-day changes, weekly chart and quarterly report
read history from timestamps; `services.demo.timeline` dates each pledge at its company's answer and its matches
an hour later, and this dates the BPJS registration two weeks before cover starts, then writes the state history
those dates tell (the commands wrote it at seeding time).
"""

import datetime as dt

from sqlalchemy import select, update
from sqlmodel import Session, col, func

from models import Assignment, AssignmentStatus, Campaign, Pledge, Worker
from services.platform import history

_REGISTERED = (AssignmentStatus.REGISTERED, AssignmentStatus.ACTIVE, AssignmentStatus.EXPIRED, AssignmentStatus.RENEWED)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def backdate_history(*, session: Session, now: dt.datetime | None = None) -> None:
    """Date each registered assignment's BPJS registration two weeks before its cover starts (the pledge and its
    matches were already put on the timeline by `services.demo.timeline`)."""
    now = now or dt.datetime.now(dt.UTC)
    rows = session.execute(
        select(col(Pledge.id), col(Pledge.start_month), col(Pledge.created_at), col(Pledge.renewed_from_id))
    ).all()
    for pledge_id, start_month, made, renews in rows:
        if made is None:
            continue
        made = made if made.tzinfo else made.replace(tzinfo=dt.UTC)
        registered = min(max(made + dt.timedelta(days=1), _at(start_month - dt.timedelta(days=14))), now)
        session.execute(
            update(Assignment)
            .where(col(Assignment.pledge_id) == pledge_id, col(Assignment.status).in_(_REGISTERED))
            # A renewal's carried workers keep the card they have: they were not registered again.
            .values(updated_at=registered, **({} if renews else {"registered_at": registered}))
        )
    # The registry was imported before the letter: a past quarter's report counts the demo's workers.
    letter = session.execute(select(func.min(col(Campaign.letter_date)))).scalar_one()
    if letter is not None:
        imported = dt.datetime.combine(letter - dt.timedelta(days=7), dt.time(9), tzinfo=dt.UTC)
        session.execute(update(Worker).where(col(Worker.created_at) > imported).values(created_at=imported))
    history.rebuild(session=session)  # the state history the dated rows tell (services/platform/history.py)
    session.commit()
