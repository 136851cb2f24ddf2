"""Cover ends: its end date, the expiring lists (60/30/7 days) and the daily refresh that makes expiry durable.

Expiring and expired are computed from the date, so every list is right even if the refresh has not run;
`refresh` (python -m services.coverage refresh, for a daily cron) writes it down: active assignments past
their end become `expired` (the worker is back in the unprotected pool unless the pledge was renewed — a
renewal moves its workers, with their KPJ, to the new pledge), active pledges past their end become
`expired`, and other payers' cover past its end date is lifted. Idempotent.
"""

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import and_, func, select, update
from sqlmodel import Session, col

from models import Assignment, AssignmentStatus, Company, Pledge, PledgeStatus, Role, Worker
from models.common import utcnow
from services.platform import audit, history
from services.platform.authz import Actor, require_company_access, require_role
from services.platform.dates import cover_end

REMINDER_DAYS = (7, 30, 60)
WINDOW_DAYS = max(REMINDER_DAYS)
LEVEL_LABELS = {7: "≤ 7 hari", 30: "≤ 30 hari", 60: "≤ 60 hari", 0: "Berakhir"}


def cover_end_from(start: dt.date, months: int) -> dt.date:
    """Last day of cover for `months` months from `start` (a 1 Dec start for 12 months ends 30 Nov)."""
    if start.day == 1:
        return cover_end(start, months)
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for day in (start.day, 30, 29, 28):
        try:
            return dt.date(year, month, day) - dt.timedelta(days=1)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def level(end: dt.date, today: dt.date) -> int | None:
    """7, 30 or 60 for cover ending within that many days; 0 when it has ended; None when later."""
    days = (end - today).days
    if days < 0:
        return 0
    return next((d for d in REMINDER_DAYS if days <= d), None)


def _active_until(today: dt.date) -> Any:
    return and_(
        col(Assignment.status) == AssignmentStatus.ACTIVE.value,
        col(Assignment.coverage_end) <= today + dt.timedelta(days=WINDOW_DAYS),
    )


def expiring_by_company(
    *, session: Session, actor: Actor, today: dt.date | None = None, company_id: int | None = None
) -> pd.DataFrame:
    """Per pledge: active workers whose cover ends within 60 days (or has ended, refresh pending), with the
    reminder level. City staff see every company; a company only its own (company_id required)."""
    today = today or dt.date.today()
    if company_id is None:
        require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="coverage.expiring")
    else:
        require_company_access(actor, company_id, session=session, action="coverage.expiring")
    stmt = (
        select(
            col(Company.name),
            col(Pledge.id),
            func.min(col(Assignment.coverage_end)),
            func.count(),
        )
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .join(Company, col(Company.id) == Pledge.company_id)
        .where(_active_until(today))
        .group_by(col(Company.name), col(Pledge.id))
        .order_by(func.min(col(Assignment.coverage_end)), col(Company.name))
    )
    if company_id is not None:
        stmt = stmt.where(col(Pledge.company_id) == company_id)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["company", "pledge_id", "coverage_end", "workers"])
    frame["days_left"] = [(e - today).days for e in frame["coverage_end"]]
    frame["level"] = [LEVEL_LABELS[level(e, today) or 0] for e in frame["coverage_end"]]
    return frame


def expiring_by_month(
    *, session: Session, actor: Actor, today: dt.date | None = None, months: int = 12
) -> pd.DataFrame:
    """Active workers by the month their cover ends, for the coming `months` (counted in SQL per end date)."""
    require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="coverage.expiring")
    today = today or dt.date.today()
    horizon = cover_end(today.replace(day=1), months)
    rows = session.execute(
        select(col(Assignment.coverage_end), func.count())
        .where(
            col(Assignment.status) == AssignmentStatus.ACTIVE.value,
            col(Assignment.coverage_end) <= horizon,
        )
        .group_by(col(Assignment.coverage_end))
    ).all()
    frame = pd.DataFrame(rows, columns=["coverage_end", "workers"])
    if frame.empty:
        return pd.DataFrame(columns=["month", "workers"])
    frame["month"] = [max(e, today).replace(day=1) for e in frame["coverage_end"]]  # overdue counts as now
    out = frame.groupby("month")["workers"].sum().sort_index()
    return pd.DataFrame({"month": list(out.index), "workers": out.to_numpy()})


def refresh(*, session: Session, actor: Actor, today: dt.date | None = None) -> dict[str, int]:
    """Write down what the date says (idempotent): expired cover, expired pledges, lapsed other cover."""
    require_role(actor, Role.ADMIN, session=session, action="coverage.refresh")
    today = today or dt.date.today()
    now = utcnow()
    ending = (col(Assignment.status) == AssignmentStatus.ACTIVE.value) & (col(Assignment.coverage_end) < today)
    expired_ids = [int(i) for i in session.execute(select(col(Assignment.id)).where(ending)).scalars()]
    expired = session.execute(
        update(Assignment).where(ending).values(status=AssignmentStatus.EXPIRED.value, updated_at=now)
    ).rowcount  # type: ignore[attr-defined]
    history.sync_assignment_ids(session=session, ids=expired_ids, now=now)
    pledges = 0
    for pledge in list(
        session.execute(select(Pledge).where(col(Pledge.status) == PledgeStatus.ACTIVE.value)).scalars()
    ):
        if cover_end(pledge.start_month, pledge.months) < today:
            still = session.execute(
                select(func.count())
                .select_from(Assignment)
                .where(
                    col(Assignment.pledge_id) == pledge.id,
                    col(Assignment.status) == AssignmentStatus.ACTIVE.value,
                )
            ).scalar_one()
            if not still:
                pledge.status, pledge.updated_at = PledgeStatus.EXPIRED.value, now
                session.add(pledge)
                pledges += 1
                history.sync_pledge_ids(session=session, ids=[pledge.id or 0], now=now)
    lapsed_ids = [
        int(i)
        for (i,) in session.execute(
            select(col(Worker.id)).where(col(Worker.covered_elsewhere).is_(True), col(Worker.covered_until) < today)
        ).all()
    ]
    for i in range(0, len(lapsed_ids), 5_000):
        session.execute(
            update(Worker)
            .where(col(Worker.id).in_(lapsed_ids[i : i + 5_000]))
            .values(covered_elsewhere=False, updated_at=now)
        )
    audit.record_many(
        session=session,
        actor=actor,
        action="worker.covered",
        entity="worker",
        items=[
            (w, {"changes": {"covered_elsewhere": [True, False]}, "source": "berakhir (refresh)"}) for w in lapsed_ids
        ],
    )
    counts = {"assignments_expired": int(expired or 0), "pledges_expired": pledges, "covered_lapsed": len(lapsed_ids)}
    if any(counts.values()):
        audit.record(session=session, actor=actor, action="coverage.refresh", entity="coverage", counts=counts)
    session.commit()
    return counts
