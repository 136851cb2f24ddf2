"""Figures as they stood at the end of a day, read from the state history (issue 21).

One rule for every "as of" figure - the dashboard's headline now and 30 days ago, the weekly chart, the funnel
and the quarterly report of any quarter: a pledge or an assignment counts with the status (and size) its history
period in force at the end of that day says (`services.platform.history.open_at`). A renewal, a cancellation or
a lapse afterwards closes that period later and so never changes the figure.

- **Protected** on day D: workers with an assignment whose status then was a card status (active, expired,
  renewed) and whose cover ran on D.
- **In process** on D: workers with an assignment then matched or registered, or with a new card whose cover had
  not started yet (a renewal's card that continues a running one is not: that worker is protected).
  A worker holds at most one matched/registered/active assignment at a time and covers of one worker never
  overlap, so both are counts of periods - one scan of the history's covering index, no per-worker grouping.
- **Pledged** on D: the workers of the pledges live then (not cancelled, not renewed - a renewal carries them);
  **Rupiah** adds the renewed ones (that year was paid for).
"""

import datetime as dt
from typing import Any

from sqlalchemy import Integer, case
from sqlalchemy import select as sa_select
from sqlalchemy.sql import ColumnElement, Subquery
from sqlmodel import Session, col, func

from models import (
    LIVE_PLEDGE_STATUSES,
    PAID_PLEDGE_STATUSES,
    AssignmentHistory,
    AssignmentStatus,
    Pledge,
    PledgeHistory,
)
from services.platform.history import open_at

CARD_STATUSES = (AssignmentStatus.ACTIVE, AssignmentStatus.EXPIRED, AssignmentStatus.RENEWED)
PROCESS_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.REGISTERED)
SENT_TO_BPJS = (AssignmentStatus.REGISTERED, *CARD_STATUSES)


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in UTC (timestamps are stored as UTC)."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


H = AssignmentHistory.__table__  # type: ignore[attr-defined]


def in_force(day: dt.date, table: Any = H) -> ColumnElement[bool]:
    return open_at(table, end_of_day(day))


def protected_on_day(day: dt.date, table: Any = H) -> ColumnElement[bool]:
    t = table.c
    return t.status.in_(CARD_STATUSES) & (t.coverage_start <= day) & (t.coverage_end >= day)


def in_process_on_day(day: dt.date, table: Any = H) -> ColumnElement[bool]:
    t = table.c
    starting = t.status.in_(CARD_STATUSES) & (t.coverage_start > day) & t.carried.is_(False)
    return t.status.in_(PROCESS_STATUSES) | starting


def on_campaign(campaign_id: int, table: Any = H) -> ColumnElement[bool]:
    return table.c.pledge_id.in_(sa_select(col(Pledge.id)).where(col(Pledge.campaign_id) == campaign_id))


def holding_on_day(day: dt.date, table: Any = H) -> ColumnElement[bool]:
    """Protected or in process on `day` (the worker is not in the pool)."""
    return protected_on_day(day, table) | in_process_on_day(day, table)


def state_counts(session: Session, campaign_id: int, day: dt.date) -> tuple[int, int]:
    """(protected, in process) on `day`, in workers."""
    protected, in_process = session.execute(
        sa_select(
            func.coalesce(func.sum(case((protected_on_day(day), 1), else_=0)), 0),
            func.coalesce(func.sum(case((in_process_on_day(day), 1), else_=0)), 0),
        ).where(in_force(day), on_campaign(campaign_id))
    ).one()
    return int(protected), int(in_process)


def by_kelurahan(session: Session, day: dt.date) -> dict[str, tuple[int, int]]:
    """Kelurahan -> (protected, in process) on `day`, every campaign."""
    rows = session.execute(
        sa_select(
            H.c.kelurahan_code,
            func.sum(case((protected_on_day(day), 1), else_=0)),
            func.sum(case((in_process_on_day(day), 1), else_=0)),
        )
        .where(in_force(day), holding_on_day(day))
        .group_by(H.c.kelurahan_code)
    ).all()
    return {code: (int(p), int(q)) for code, p, q in rows}


def pledge_periods(campaign_id: int, day: dt.date) -> Subquery:
    """The campaign's pledges as they stood at the end of `day`: pledge_id, company_id, status, workers, rupiah."""
    h = PledgeHistory.__table__  # type: ignore[attr-defined]
    return (
        sa_select(
            h.c.pledge_id,
            col(Pledge.company_id).label("company_id"),
            h.c.status,
            h.c.workers,
            (h.c.workers * Pledge.months * Pledge.premium_per_worker_month).label("rupiah"),
        )
        .join(Pledge, col(Pledge.id) == h.c.pledge_id)
        .where(col(Pledge.campaign_id) == campaign_id, open_at(h, end_of_day(day)))
        .subquery("pledge_then")
    )


def pledge_totals(session: Session, campaign_id: int, day: dt.date) -> tuple[int, int]:
    """(workers pledged, Rupiah committed) at the end of `day`."""
    p = pledge_periods(campaign_id, day)
    pledged, rupiah = session.execute(
        sa_select(
            func.coalesce(func.sum(case((p.c.status.in_(LIVE_PLEDGE_STATUSES), p.c.workers), else_=0)), 0),
            func.coalesce(func.sum(case((p.c.status.in_(PAID_PLEDGE_STATUSES), p.c.rupiah), else_=0)), 0),
        )
    ).one()
    return int(pledged), int(rupiah)


def flag(condition: object) -> object:
    """1 when some row of the group meets `condition`, else 0 (SQL)."""
    return func.max(case((condition, 1), else_=0)).cast(Integer)  # type: ignore[arg-type]


def waiting_workers(day: dt.date) -> Any:
    """Workers with an assignment matched, registered or a card not started yet on `day` (SQL, uncorrelated)."""
    t = H.alias("waiting")
    later = t.c.status.in_(PROCESS_STATUSES) | (t.c.status.in_(CARD_STATUSES) & (t.c.coverage_start > day))
    return sa_select(t.c.worker_id).where(in_force(day, t), later)


def ending_soon(session: Session, campaign_id: int, day: dt.date, days: int = 30) -> int:
    """Workers protected on `day` whose cover ends within `days` days and is not yet renewed (nothing waits for
    them: no renewal card, registration or match)."""
    n = session.execute(
        sa_select(func.count()).where(
            in_force(day),
            on_campaign(campaign_id),
            protected_on_day(day),
            H.c.coverage_end <= day + dt.timedelta(days=days),
            H.c.worker_id.not_in(waiting_workers(day)),
        )
    ).scalar_one()
    return int(n)
