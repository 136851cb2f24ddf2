"""The city dashboard's headline: where the campaign stands now and how much that moved in the last 30 days.

"Now" for protected / in process is read from the assignment statuses (the same numbers as the public page).
"Then" is rebuilt from dates, because statuses keep no history: protected = a card whose cover ran on that day;
in process = matched by then and cover not yet started; pledged, Rupiah, companies and letters by their
timestamps (a pledge cancelled after that day still counted then). Released assignments keep no dates, so
"in process then" is a lower bound; the page says the changes are reconstructed.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, distinct, or_
from sqlmodel import Session, col, func, select

from models import (
    LIVE_PLEDGE_STATUSES,
    PAID_PLEDGE_STATUSES,
    Assignment,
    AssignmentStatus,
    Campaign,
    LetterRecipient,
    Pledge,
    PledgeStatus,
    Role,
)
from services.insight.dashboard import active_campaign, campaign_progress, pledge_value
from services.platform.authz import Actor, require_role

# Assignments whose card was issued at some point (cover may have run).
CARD_STATUSES = (AssignmentStatus.ACTIVE, AssignmentStatus.EXPIRED, AssignmentStatus.RENEWED)
CITY_ROLES = (Role.ADMIN, Role.VIEWER)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in UTC (timestamps are stored as UTC)."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Snapshot:
    """The campaign's numbers as of one day (reconstructed from dates)."""

    as_of: dt.date
    protected: int
    in_process: int
    pledged: int
    rupiah: int
    companies_participating: int
    letters_sent: int


@dataclass(frozen=True)
class Figure:
    now: int
    before: int  # 30 days earlier

    @property
    def change(self) -> int:
        return self.now - self.before


@dataclass(frozen=True)
class Headline:
    today: dt.date
    letter_number: str
    letter_date: dt.date
    target: int
    premium: int
    suggested_min_workers: int
    protected: Figure
    in_process: Figure
    pledged: Figure
    rupiah: Figure
    companies_participating: Figure
    letters_sent: Figure

    @property
    def progress(self) -> float:
        return self.protected.now / self.target if self.target else 0.0

    @property
    def participation(self) -> float:
        return self.companies_participating.now / self.letters_sent.now if self.letters_sent.now else 0.0


def protected_on(session: Session, campaign_id: int, day: dt.date) -> int:
    """Distinct workers whose cover (card issued) ran on `day`."""
    return int(
        session.exec(
            select(func.count(distinct(col(Assignment.worker_id))))
            .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
            .where(
                Pledge.campaign_id == campaign_id,
                col(Assignment.status).in_(CARD_STATUSES),
                col(Assignment.coverage_start) <= day,
                col(Assignment.coverage_end) >= day,
            )
        ).one()
    )


def letters_on(session: Session, campaign_id: int, cut: dt.datetime) -> tuple[int, int]:
    """(letters sent, companies that answered) by the timestamp `cut`."""
    sent, answered = session.exec(
        select(
            func.coalesce(func.sum(case((col(LetterRecipient.sent_at) <= cut, 1), else_=0)), 0),
            func.coalesce(func.sum(case((col(LetterRecipient.responded_at) <= cut, 1), else_=0)), 0),
        ).where(LetterRecipient.campaign_id == campaign_id)
    ).one()
    return int(sent), int(answered)


def snapshot(*, session: Session, campaign: Campaign, as_of: dt.date) -> Snapshot:
    """Every headline number as it stood at the end of `as_of`."""
    cut = end_of_day(as_of)
    assert campaign.id is not None
    in_process = session.exec(
        select(func.count(distinct(col(Assignment.worker_id))))
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .where(
            Pledge.campaign_id == campaign.id,
            col(Assignment.status) != AssignmentStatus.RELEASED,
            col(Assignment.created_at) <= cut,
            or_(col(Assignment.coverage_start).is_(None), col(Assignment.coverage_start) > as_of),
        )
    ).one()
    cancelled_later = and_(col(Pledge.status) == PledgeStatus.CANCELLED, col(Pledge.cancelled_at) > cut)
    live = or_(col(Pledge.status).in_(LIVE_PLEDGE_STATUSES), cancelled_later)
    paid = or_(col(Pledge.status).in_(PAID_PLEDGE_STATUSES), cancelled_later)
    value = pledge_value()
    pledged, rupiah = session.exec(
        select(
            func.coalesce(func.sum(case((live, Pledge.workers), else_=0)), 0),
            func.coalesce(func.sum(case((paid, value), else_=0)), 0),
        ).where(Pledge.campaign_id == campaign.id, col(Pledge.created_at) <= cut)
    ).one()
    letters, participating = letters_on(session, campaign.id, cut)
    return Snapshot(
        as_of=as_of,
        protected=protected_on(session, campaign.id, as_of),
        in_process=int(in_process),
        pledged=int(pledged),
        rupiah=int(rupiah),
        companies_participating=int(participating),
        letters_sent=int(letters),
    )


def headline(*, session: Session, actor: Actor, today: dt.date | None = None) -> Headline | None:
    """The dashboard's headline with the change over the last 30 days; None without an active campaign."""
    require_role(actor, *CITY_ROLES, session=session, action="insight.headline")
    campaign = active_campaign(session=session)
    progress = campaign_progress(session=session)
    if campaign is None or progress is None:
        return None
    today = today or dt.date.today()
    then = snapshot(session=session, campaign=campaign, as_of=today - dt.timedelta(days=30))
    return Headline(
        today=today,
        letter_number=campaign.letter_number,
        letter_date=campaign.letter_date,
        target=campaign.target_workers,
        premium=campaign.premium_jkk_jkm,
        suggested_min_workers=campaign.suggested_min_workers,
        protected=Figure(progress.workers_protected, then.protected),
        in_process=Figure(progress.workers_in_process, then.in_process),
        pledged=Figure(progress.workers_pledged, then.pledged),
        rupiah=Figure(progress.rupiah_committed, then.rupiah),
        companies_participating=Figure(progress.companies_responded, then.companies_participating),
        letters_sent=Figure(progress["letters_sent"], then.letters_sent),
    )
