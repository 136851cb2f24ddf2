"""Progress over time (per week since the letter) and when the target is reached at today's pace, with what-ifs.

Method (also shown on the page): the pace is the net change in workers whose cover runs, over the last 8 weeks,
divided by 8 (new cards minus cover that ended). The workers still missing to the target divided by that pace,
rounded up to whole weeks, gives the date. A what-if adds its workers at once (n companies x the letter's
suggested minimum; a city budget of Rp X a year buys X / (12 x premium) worker-years) and keeps the same pace
for the rest. A pace of zero or less never reaches the target and says so.
"""

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func

from models import LIVE_PLEDGE_STATUSES, Assignment, Pledge
from services.insight.dashboard import active_campaign, campaign_progress
from services.insight.funnel import SENT_TO_BPJS
from services.insight.headline import CARD_STATUSES, CITY_ROLES, protected_on
from services.platform.authz import Actor, require_role
from services.platform.errors import ValidationError

WINDOW_WEEKS = 8
MAX_COMPANIES = 100_000
MAX_BUDGET = 10**14  # Rupiah a year; far above any city budget, guards against typos
METHOD = (
    "Laju = perubahan bersih jumlah pekerja yang perlindungannya berjalan selama 8 minggu terakhir, dibagi 8 "
    "(kartu baru dikurangi perlindungan yang berakhir). Sisa menuju target dibagi laju itu, dibulatkan ke atas "
    "per minggu. Skenario menambahkan pekerjanya sekaligus (n perusahaan x minimum yang disarankan surat edaran; "
    "anggaran kota Rp X per tahun = X / (12 x iuran) pekerja) lalu memakai laju yang sama."
)


@dataclass(frozen=True)
class Projection:
    remaining: int
    weeks: int | None  # None: never at this pace
    reached_on: dt.date | None


@dataclass(frozen=True)
class Forecast:
    today: dt.date
    target: int
    protected_now: int
    protected_window_start: int  # cover running WINDOW_WEEKS weeks ago
    pace_per_week: float
    premium: int
    suggested_min_workers: int
    baseline: Projection
    extra_companies: int
    city_budget_per_year: int
    extra_workers: int
    what_if: Projection
    method: str = METHOD


def project(*, today: dt.date, remaining: int, pace_per_week: float) -> Projection:
    """When `remaining` workers are reached at `pace_per_week` (pure)."""
    remaining = max(remaining, 0)
    if remaining == 0:
        return Projection(0, 0, today)
    if pace_per_week <= 0:
        return Projection(remaining, None, None)
    weeks = math.ceil(remaining / pace_per_week - 1e-9)
    return Projection(remaining, weeks, today + dt.timedelta(weeks=weeks))


def what_if_workers(*, companies: int, suggested_min: int, budget_per_year: int, premium: int) -> int:
    """Workers a what-if adds: companies at the suggested minimum plus what the yearly budget buys (pure)."""
    if companies < 0 or budget_per_year < 0:
        raise ValidationError("Jumlah perusahaan dan anggaran tidak boleh negatif. Isi 0 atau angka positif.")
    if companies > MAX_COMPANIES or budget_per_year > MAX_BUDGET:
        raise ValidationError("Angka skenario terlalu besar. Periksa jumlah nol pada isian Anda.")
    bought = budget_per_year // (12 * premium) if premium > 0 else 0
    return companies * suggested_min + int(bought)


def forecast(
    *,
    session: Session,
    actor: Actor,
    extra_companies: int = 0,
    city_budget_per_year: int = 0,
    today: dt.date | None = None,
) -> Forecast | None:
    require_role(actor, *CITY_ROLES, session=session, action="insight.forecast")
    campaign = active_campaign(session=session)
    progress = campaign_progress(session=session)
    if campaign is None or progress is None or campaign.id is None:
        return None
    today = today or dt.date.today()
    extra = what_if_workers(
        companies=extra_companies,
        suggested_min=campaign.suggested_min_workers,
        budget_per_year=city_budget_per_year,
        premium=campaign.premium_jkk_jkm,
    )
    now = protected_on(session, campaign.id, today)
    before = protected_on(session, campaign.id, today - dt.timedelta(weeks=WINDOW_WEEKS))
    pace = (now - before) / WINDOW_WEEKS
    remaining = campaign.target_workers - progress.workers_protected
    return Forecast(
        today=today,
        target=campaign.target_workers,
        protected_now=progress.workers_protected,
        protected_window_start=before,
        pace_per_week=pace,
        premium=campaign.premium_jkk_jkm,
        suggested_min_workers=campaign.suggested_min_workers,
        baseline=project(today=today, remaining=remaining, pace_per_week=pace),
        extra_companies=extra_companies,
        city_budget_per_year=city_budget_per_year,
        extra_workers=extra,
        what_if=project(today=today, remaining=remaining - extra, pace_per_week=pace),
    )


def weekly_table(
    letter_date: dt.date,
    today: dt.date,
    pledged: pd.DataFrame,
    registered: pd.DataFrame,
    cover: pd.DataFrame,
) -> pd.DataFrame:
    """Weeks since the letter (pure): `pledged` (day, workers), `registered` (day, n), `cover` (start, end, n).

    pledged / registered: cumulative by the end of each week; active: cover running on the week's last day (today, for
    the running week)."""
    n_weeks = max((today - letter_date).days // 7 + 1, 1)
    starts = [letter_date + dt.timedelta(weeks=k) for k in range(n_weeks)]
    ends = pd.to_datetime([min(s + dt.timedelta(days=6), today) for s in starts])
    out = pd.DataFrame({"week": range(1, n_weeks + 1), "week_start": pd.to_datetime(starts)})

    def cumulative(df: pd.DataFrame, day: str, value: str) -> list[int]:
        days = pd.to_datetime(df[day])
        return [int(df.loc[days <= end, value].sum()) for end in ends]

    out["pledged"] = cumulative(pledged, "day", "workers")
    out["registered"] = cumulative(registered, "day", "n")
    start, end = pd.to_datetime(cover["start"]), pd.to_datetime(cover["end"])
    out["active"] = [int(cover.loc[(start <= e) & (end >= e), "n"].sum()) for e in ends]
    return out


def weekly_progress(*, session: Session, actor: Actor, today: dt.date | None = None) -> pd.DataFrame:
    """Workers pledged, registered with BPJS and under running cover, per week since the letter.

    Aggregated in SQL per day (and per cover period), spread over weeks in pandas (a few hundred rows)."""
    require_role(actor, *CITY_ROLES, session=session, action="insight.weekly")
    campaign = active_campaign(session=session)
    if campaign is None:
        return pd.DataFrame(columns=["week", "week_start", "pledged", "registered", "active"])
    today = today or dt.date.today()
    day = func.date(Pledge.created_at)
    pledged = pd.DataFrame(
        session.execute(
            sa_select(day, func.sum(Pledge.workers))
            .where(col(Pledge.campaign_id) == campaign.id, col(Pledge.status).in_(LIVE_PLEDGE_STATUSES))
            .group_by(day)
        ).all(),
        columns=["day", "workers"],
    )
    on_campaign = (col(Pledge.id) == Assignment.pledge_id) & (Pledge.campaign_id == campaign.id)
    # The registration file's date where the coverage journey recorded it; else cover start, else the status change.
    registered_on = func.coalesce(
        func.date(Assignment.registered_at), col(Assignment.coverage_start), func.date(Assignment.updated_at)
    )
    registered = pd.DataFrame(
        session.execute(
            sa_select(registered_on, func.count())
            .join(Pledge, on_campaign)
            .where(col(Assignment.status).in_(SENT_TO_BPJS))
            .group_by(registered_on)
        ).all(),
        columns=["day", "n"],
    )
    cover = pd.DataFrame(
        session.execute(
            sa_select(col(Assignment.coverage_start), col(Assignment.coverage_end), func.count())
            .join(Pledge, on_campaign)
            .where(col(Assignment.status).in_(CARD_STATUSES), col(Assignment.coverage_start).is_not(None))
            .group_by(col(Assignment.coverage_start), col(Assignment.coverage_end))
        ).all(),
        columns=["start", "end", "n"],
    )
    return weekly_table(campaign.letter_date, today, pledged, registered, cover)
