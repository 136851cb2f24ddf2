"""Figures as they stood at the end of a day, read from the state history (issue 21).

One rule for every "as of" figure - the dashboard's headline now and 30 days ago, the weekly chart, the funnel
and the quarterly report of any quarter: a pledge or an assignment counts with the status (and size) its history
period in force at the end of that day says (`services.platform.history.open_at`). A renewal, a cancellation or
a lapse afterwards closes that period later and so never changes the figure.

- **Protected** on day D: workers with an assignment whose status then was a card status (active, expired,
  renewed) and whose cover ran on D.
- **In process** on D: the other workers with an assignment then matched or registered, or with a card whose
  cover had not started yet (each worker counted once, protected first).
- **Pledged** on D: the workers of the pledges live then (not cancelled, not renewed - a renewal carries them);
  **Rupiah** adds the renewed ones (that year was paid for).
"""

import datetime as dt

from sqlalchemy import Integer, case, literal
from sqlalchemy import select as sa_select
from sqlalchemy.sql import Subquery
from sqlmodel import Session, col, func

from models import (
    LIVE_PLEDGE_STATUSES,
    PAID_PLEDGE_STATUSES,
    Assignment,
    AssignmentHistory,
    AssignmentStatus,
    Pledge,
    PledgeHistory,
)
from services.platform.history import open_at

CARD_STATUSES = (AssignmentStatus.ACTIVE, AssignmentStatus.EXPIRED, AssignmentStatus.RENEWED)
PROCESS_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.REGISTERED)
SENT_TO_BPJS = (AssignmentStatus.REGISTERED, *CARD_STATUSES)
PROTECTED, IN_PROCESS = 2, 1


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in UTC (timestamps are stored as UTC)."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


def worker_states(*, day: dt.date, campaign_id: int | None = None) -> Subquery:
    """(worker_id, state) on `day`: state 2 protected, 1 in process, 0 neither (released, cover over)."""
    h = AssignmentHistory.__table__  # type: ignore[attr-defined]
    status = h.c.status
    running = (
        status.in_(CARD_STATUSES) & (col(Assignment.coverage_start) <= day) & (col(Assignment.coverage_end) >= day)
    )
    waiting = status.in_(PROCESS_STATUSES) | (status.in_(CARD_STATUSES) & (col(Assignment.coverage_start) > day))
    state = func.max(case((running, PROTECTED), (waiting, IN_PROCESS), else_=0))
    query = (
        sa_select(h.c.worker_id.label("worker_id"), state.label("state"))
        .join(Assignment, col(Assignment.id) == h.c.assignment_id)
        .where(open_at(h, end_of_day(day)))
    )
    if campaign_id is not None:
        query = query.join(Pledge, col(Pledge.id) == h.c.pledge_id).where(col(Pledge.campaign_id) == campaign_id)
    return query.group_by(h.c.worker_id).subquery("worker_state")


def state_counts(session: Session, campaign_id: int, day: dt.date) -> tuple[int, int]:
    """(protected, in process) on `day`, in distinct workers."""
    states = worker_states(day=day, campaign_id=campaign_id)
    protected, in_process = session.execute(
        sa_select(
            func.coalesce(func.sum(case((states.c.state == PROTECTED, 1), else_=0)), 0),
            func.coalesce(func.sum(case((states.c.state == IN_PROCESS, 1), else_=0)), 0),
        )
    ).one()
    return int(protected), int(in_process)


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


def ending_soon(session: Session, campaign_id: int, day: dt.date, days: int = 30) -> int:
    """Workers protected on `day` whose cover ends within `days` days and is not yet renewed (no later card or
    assignment waiting for them)."""
    h = AssignmentHistory.__table__  # type: ignore[attr-defined]
    later = AssignmentHistory.__table__.alias("later")  # type: ignore[attr-defined]
    nxt = Assignment.__table__.alias("next_assignment")  # type: ignore[attr-defined]
    cut = end_of_day(day)
    renewed = (
        sa_select(literal(1))
        .select_from(later)
        .join(nxt, nxt.c.id == later.c.assignment_id)
        .where(
            later.c.worker_id == h.c.worker_id,
            later.c.assignment_id != h.c.assignment_id,
            open_at(later, cut),
            later.c.status.in_((*PROCESS_STATUSES, AssignmentStatus.ACTIVE)),
            (nxt.c.coverage_start.is_(None)) | (nxt.c.coverage_start > col(Assignment.coverage_end)),
        )
        .exists()
    )
    n = session.execute(
        sa_select(func.count(func.distinct(h.c.worker_id)))
        .join(Assignment, col(Assignment.id) == h.c.assignment_id)
        .join(Pledge, col(Pledge.id) == h.c.pledge_id)
        .where(
            col(Pledge.campaign_id) == campaign_id,
            open_at(h, cut),
            h.c.status.in_(CARD_STATUSES),
            col(Assignment.coverage_start) <= day,
            col(Assignment.coverage_end) >= day,
            col(Assignment.coverage_end) <= day + dt.timedelta(days=days),
            ~renewed,
        )
    ).scalar_one()
    return int(n)
