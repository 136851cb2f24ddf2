"""Demo history for the city dashboard: pledges and assignments carry the dates on which they would have happened.

The seed creates every row at seeding time; the dashboard's 30-day changes, weekly chart and quarterly report
read history from timestamps, so each pledge is dated at its company's answer to the letter (a renewal 20 days
before its cover starts), its matches an hour later and its BPJS registration two weeks before cover starts.
"""

import datetime as dt

from sqlalchemy import select, update
from sqlmodel import Session, col

from models import Assignment, AssignmentStatus, LetterRecipient, Pledge

_REGISTERED = (AssignmentStatus.REGISTERED, AssignmentStatus.ACTIVE, AssignmentStatus.EXPIRED, AssignmentStatus.RENEWED)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def backdate_history(*, session: Session, now: dt.datetime | None = None) -> None:
    now = now or dt.datetime.now(dt.UTC)
    rows = session.execute(
        select(
            col(Pledge.id), col(Pledge.renewed_from_id), col(Pledge.start_month), col(LetterRecipient.responded_at)
        ).join(
            LetterRecipient,
            (col(LetterRecipient.company_id) == Pledge.company_id)
            & (col(LetterRecipient.campaign_id) == Pledge.campaign_id),
        )
    ).all()
    for pledge_id, renewed_from, start_month, responded_at in rows:
        made = _at(start_month - dt.timedelta(days=20)) if renewed_from is not None else responded_at
        if made is None:
            continue
        made = min(made, now)
        registered = min(max(made + dt.timedelta(days=1), _at(start_month - dt.timedelta(days=14))), now)
        session.execute(update(Pledge).where(col(Pledge.id) == pledge_id).values(created_at=made, updated_at=made))
        session.execute(
            update(Assignment)
            .where(col(Assignment.pledge_id) == pledge_id)
            .values(created_at=made + dt.timedelta(hours=1), updated_at=made + dt.timedelta(hours=1))
        )
        session.execute(
            update(Assignment)
            .where(col(Assignment.pledge_id) == pledge_id, col(Assignment.status).in_(_REGISTERED))
            .values(updated_at=registered)
        )
    session.commit()
