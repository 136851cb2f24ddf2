"""Demo history for the city dashboard: the state history the demo's dated rows tell.

The seed creates every row at seeding time and `services.demo.timeline` then puts each answer, pledge, match,
BPJS registration and renewal on the campaign's timeline. The dashboard's 30-day changes, weekly chart and past
quarterly reports read the state history (`services/platform/history.py`), which the commands wrote at seeding
time: this rebuilds it from the dates the timeline gave, after the registry is dated before the letter.
"""

import datetime as dt

from sqlalchemy import select, update
from sqlmodel import Session, col, func

from models import Campaign, Worker
from services.platform import history


def rebuild_history(*, session: Session) -> None:
    """The registry was imported a week before the letter (a past quarter's report counts the demo's workers);
    then the state history is rebuilt from the timeline's dates. Commits."""
    letter = session.execute(select(func.min(col(Campaign.letter_date)))).scalar_one()
    if letter is not None:
        imported = dt.datetime.combine(letter - dt.timedelta(days=7), dt.time(9), tzinfo=dt.UTC)
        session.execute(update(Worker).where(col(Worker.created_at) > imported).values(created_at=imported))
    history.rebuild(session=session)
    session.commit()
