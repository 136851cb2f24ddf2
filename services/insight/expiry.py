"""Cover that ends soon, per company: workers whose running cover ends within 7, 30 and 60 days, so the city
can call the company before the cover lapses (a renewal keeps the same workers and cards)."""

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func

from models import Assignment, AssignmentStatus, Company, Pledge
from services.insight.headline import CITY_ROLES
from services.platform.authz import Actor, require_role

WINDOWS = (7, 30, 60)
COLUMNS = ["company_id", "company", "contact", "phone", "within_7", "within_30", "within_60", "first_end"]


def expiring_cover(*, session: Session, actor: Actor, today: dt.date | None = None) -> pd.DataFrame:
    """One row per company with running cover ending in the next 60 days (counts are cumulative: the 30-day
    column includes the 7-day one), soonest first."""
    require_role(actor, *CITY_ROLES, session=session, action="insight.expiring")
    today = today or dt.date.today()
    end = col(Assignment.coverage_end)

    def within(days: int) -> Any:
        return func.sum(case((end <= today + dt.timedelta(days=days), 1), else_=0))

    rows = session.execute(
        sa_select(
            col(Company.id),
            col(Company.name),
            col(Company.contact_name),
            col(Company.contact_phone),
            *(within(d) for d in WINDOWS),
            func.min(end),
        )
        .join(Pledge, col(Pledge.company_id) == Company.id)
        .join(Assignment, col(Assignment.pledge_id) == Pledge.id)
        .where(
            col(Assignment.status) == AssignmentStatus.ACTIVE,
            end >= today,
            end <= today + dt.timedelta(days=max(WINDOWS)),
        )
        .group_by(col(Company.id), col(Company.name), col(Company.contact_name), col(Company.contact_phone))
    ).all()
    df = pd.DataFrame(rows, columns=COLUMNS)
    df = df.astype({f"within_{d}": int for d in WINDOWS})
    df["first_end"] = pd.to_datetime(df["first_end"]).dt.date
    return df.sort_values(["first_end", "company"]).reset_index(drop=True)
