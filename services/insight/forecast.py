"""Progress over time (per week since the letter) and when the target is reached, with what-ifs (issue 21).

The forecast (also shown on the page, `METHOD`) works month by month from the state history:
- it starts from the workers protected today, each until their cover ends, and the workers in process (matched
  or registered, or a card whose cover has not started), whose cover starts next month for a year;
- cover that ends is kept only at the observed renewal rate (workers whose cover reached its end or was renewed:
  renewed / (renewed + ended without renewal); without any such worker yet, none is assumed to renew), once per
  year of cover;
- new workers keep coming at the pace of the last 8 weeks (workers protected or in process today whose first
  assignment is that recent), starting the month after;
- a what-if adds n companies x the letter's suggested minimum to the pipeline now, and a city budget of Rp X a
  year buys X / (12 x premium) workers whose cover the city renews every year.
The target is reached in the first month the expected protected workers reach it (looked for 10 years ahead).
Beside it, counting every payer: the dates without and with next year's APBD allocation (`forecast_payers`).
When it is not reached by a chosen date, the page says how many more workers per month, from next month, would
reach it by then.
"""

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func

from models import LIVE_PLEDGE_STATUSES, AssignmentStatus, Pledge, PledgeHistory
from services.insight.asof import (
    CARD_STATUSES,
    SENT_TO_BPJS,
    H,
    end_of_day,
    in_force,
    on_campaign,
    protected_on_day,
    state_counts,
)
from services.insight.catalogue import FigureDef, register
from services.insight.dashboard import active_campaign
from services.insight.forecast_payers import PAYER_METHOD, NextAllocation, payer_outlook
from services.insight.headline import CITY_ROLES
from services.platform.authz import Actor, require_role
from services.platform.dates import add_months
from services.platform.errors import ValidationError

WINDOW_WEEKS = 8
HORIZON_MONTHS = 120
COVER_MONTHS = 12  # a new worker's cover, and the period of each renewal
MAX_COMPANIES = 100_000
MAX_BUDGET = 10**14  # Rupiah a year; far above any city budget, guards against typos
METHOD = (
    "Dihitung per bulan dari riwayat status: pekerja terlindungi hari ini tetap terlindungi sampai masa "
    "perlindungannya berakhir; pekerja dalam proses (dicocokkan/didaftarkan, atau kartu yang belum mulai) mulai "
    "terlindungi bulan depan selama 12 bulan; perlindungan yang berakhir hanya berlanjut sebesar tingkat "
    "perpanjangan yang teramati (sekali per tahun); pekerja baru terus masuk sebesar laju 8 minggu terakhir. "
    "Skenario menambah n perusahaan x minimum yang disarankan surat edaran ke proses sekarang, dan anggaran kota "
    "Rp X per tahun = X / (12 x iuran) pekerja yang diperpanjang kota setiap tahun. Target tercapai pada bulan "
    "pertama perkiraan pekerja terlindungi mencapainya (dicari sampai 10 tahun). " + PAYER_METHOD
)

for _key, _label, _definition, _unit, _rounding in [
    (
        "forecast_renewal_rate",
        "Tingkat perpanjangan teramati",
        "Pekerja yang perlindungannya diperpanjang dibagi pekerja yang perlindungannya sudah berakhir atau "
        "diperpanjang.",
        "persen",
        "1 desimal, sekali",
    ),
    (
        "forecast_pace_per_month",
        "Pekerja baru per bulan (laju 8 minggu)",
        "Pekerja terlindungi atau dalam proses hari ini yang penugasan pertamanya dalam 8 minggu terakhir, "
        "dibagi 8 minggu, dikali 52/12.",
        "desimal",
        "1 desimal, sekali",
    ),
    (
        "forecast_reached_on",
        "Target tercapai",
        "Bulan pertama perkiraan pekerja terlindungi mencapai target (metode di halaman); kosong bila tidak "
        "tercapai dalam 10 tahun.",
        "tanggal",
        "akhir bulan",
    ),
    (
        "forecast_needed_per_month",
        "Tambahan pekerja per bulan yang dibutuhkan",
        "Pekerja baru per bulan, mulai bulan depan, di atas laju sekarang, agar target tercapai pada tanggal "
        "yang dipilih (dengan tingkat perpanjangan yang sama).",
        "pekerja",
        "dibulatkan ke atas",
    ),
]:
    register(FigureDef(_key, _label, _definition, _unit, _rounding, audience=("kota",)))


@dataclass(frozen=True)
class Projection:
    remaining: int  # target - (protected + in process) today, at least 0
    months: int | None  # months from today's month until reached; None: not within the horizon
    reached_on: dt.date | None  # last day of that month (today when already reached)


@dataclass(frozen=True)
class Forecast:
    today: dt.date
    target: int
    protected_now: int
    in_process: int
    renewal_rate: float
    renewals_observed: int  # workers whose cover ended or was renewed (the rate's denominator)
    pace_per_month: float
    premium: int
    suggested_min_workers: int
    baseline: Projection
    extra_companies: int
    city_budget_per_year: int
    extra_workers: int  # companies x suggested minimum
    budget_workers: int  # what the yearly budget buys
    what_if: Projection
    by_date: dt.date
    needed_per_month: int  # extra workers per month from next month to reach the target by `by_date` (0: on track)
    series: pd.DataFrame  # month_end, baseline, what_if, without_allocation, with_allocation (expected protected)
    other_payers_now: int = 0  # workers other payers (not a pledge) pay this month
    next_allocation: NextAllocation | None = None
    without_allocation: Projection | None = None  # every payer, without next year's allocation
    with_allocation: Projection | None = None  # every payer, with it
    method: str = METHOD

    @property
    def pace_per_week(self) -> float:
        return self.pace_per_month * 12 / 52


def month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)


def survive(end: dt.date, on: dt.date, rate: float) -> float:
    """Chance a cover ending on `end` still runs on `on` when each year's renewal happens with `rate` (pure)."""
    if on <= end:
        return 1.0
    renewals = math.ceil(((on.year - end.year) * 12 + on.month - end.month) / COVER_MONTHS)
    return rate ** max(renewals, 1)


def expected(
    *,
    today: dt.date,
    covers: list[tuple[dt.date, int]],
    in_process: int,
    pace_per_month: float,
    rate: float,
    extra_now: int = 0,
    budget_workers: int = 0,
    extra_per_month: float = 0.0,
    months: int = HORIZON_MONTHS,
) -> pd.DataFrame:
    """Expected protected workers at the end of each month from today's month (pure).

    `covers`: (cover end, workers) protected today. The pipeline (in process + extra_now) starts next month for
    COVER_MONTHS months; new workers (pace + extra_per_month) start the month after they come; budget workers start
    next month and are renewed by the city every year."""
    start_next = add_months(today, 1)
    rows = []
    for m in range(months):
        on = month_end(add_months(today, m))
        value = sum(n * survive(end, on, rate) for end, n in covers)
        if m >= 1:
            first_end = add_months(start_next, COVER_MONTHS) - dt.timedelta(days=1)
            value += (in_process + extra_now) * survive(first_end, on, rate) + budget_workers
            for j in range(1, m):  # workers coming in month j start in month j + 1
                end_j = add_months(add_months(today, j + 1), COVER_MONTHS) - dt.timedelta(days=1)
                value += (pace_per_month + extra_per_month) * survive(end_j, on, rate)
        rows.append((on, value))
    return pd.DataFrame(rows, columns=["month_end", "expected"])


def reached(series: pd.DataFrame, target: int, today: dt.date, remaining: int) -> Projection:
    if remaining <= 0 and series["expected"].iloc[0] >= target:
        return Projection(0, 0, today)
    hit = series.index[series["expected"] >= target - 1e-9]
    if not len(hit):
        return Projection(max(remaining, 0), None, None)
    m = int(hit[0])
    return Projection(max(remaining, 0), m, series["month_end"].iloc[m])


def needed_per_month(*, today: dt.date, by_date: dt.date, target: int, base: pd.DataFrame, covers_rate: float) -> int:
    """Extra workers per month, from next month, that bring the expected protected to the target by `by_date`
    (pure; 0 when the baseline already gets there)."""
    at = base.loc[base["month_end"] <= month_end(by_date)]
    if at.empty:
        raise ValidationError("Tanggal target harus sesudah bulan ini. Pilih tanggal pada bulan-bulan mendatang.")
    deficit = target - float(at["expected"].iloc[-1])
    if deficit <= 0:
        return 0
    m = len(at) - 1  # months after today's month
    on = at["month_end"].iloc[-1]
    weight = 0.0
    for j in range(1, m):
        end_j = add_months(add_months(today, j + 1), COVER_MONTHS) - dt.timedelta(days=1)
        weight += survive(end_j, on, covers_rate)
    if weight <= 0:
        raise ValidationError(
            "Tanggal itu terlalu dekat: pekerja baru butuh sebulan sebelum perlindungannya mulai. "
            "Pilih tanggal paling cepat dua bulan lagi."
        )
    return math.ceil(deficit / weight - 1e-9)


def what_if_workers(*, companies: int, suggested_min: int, budget_per_year: int, premium: int) -> tuple[int, int]:
    """(workers n companies add at the suggested minimum, workers the yearly budget buys) (pure)."""
    if companies < 0 or budget_per_year < 0:
        raise ValidationError("Jumlah perusahaan dan anggaran tidak boleh negatif. Isi 0 atau angka positif.")
    if companies > MAX_COMPANIES or budget_per_year > MAX_BUDGET:
        raise ValidationError("Angka skenario terlalu besar. Periksa jumlah nol pada isian Anda.")
    bought = budget_per_year // (12 * premium) if premium > 0 else 0
    return companies * suggested_min, int(bought)


Covers = list[tuple[dt.date, int]]


def _inputs(session: Session, campaign_id: int, today: dt.date) -> tuple[Covers, int, float, int, int]:
    """(cover ends of the protected, in process, new workers per month, renewed, ended) from the history, in
    scans of its covering index (no per-worker grouping)."""
    campaign = on_campaign(campaign_id)
    # A renewal's card continuing a running one: that worker's cover runs to the renewal's end.
    renewal_card = H.c.status.in_(CARD_STATUSES) & (H.c.coverage_start > today) & H.c.carried.is_(True)
    renewed_workers = sa_select(H.c.worker_id).where(in_force(today), renewal_card)
    ends = (protected_on_day(today) & H.c.worker_id.not_in(renewed_workers)) | renewal_card
    covers = [
        (end, int(n))
        for end, n in session.execute(
            sa_select(H.c.coverage_end, func.count()).where(in_force(today), campaign, ends).group_by(H.c.coverage_end)
        ).all()
    ]
    _, in_process = state_counts(session, campaign_id, today)
    window = end_of_day(today - dt.timedelta(weeks=WINDOW_WEEKS))
    first_pledges = sa_select(col(Pledge.id)).where(
        col(Pledge.campaign_id) == campaign_id, col(Pledge.renewed_from_id).is_(None)
    )
    recent = session.execute(
        sa_select(func.count(func.distinct(H.c.worker_id))).where(
            H.c.status == AssignmentStatus.ASSIGNED,
            H.c.since > window,
            H.c.since <= end_of_day(today),
            H.c.pledge_id.in_(first_pledges),
        )
    ).scalar_one()
    # Renewal decisions taken: workers whose card was renewed, or whose cover ended and was not.
    decided = dict(
        session.execute(
            sa_select(H.c.status, func.count(func.distinct(H.c.worker_id)))
            .where(in_force(today), campaign, H.c.status.in_((AssignmentStatus.RENEWED, AssignmentStatus.EXPIRED)))
            .group_by(H.c.status)
        ).all()
    )
    pace = int(recent) / WINDOW_WEEKS * 52 / 12
    return covers, in_process, pace, int(decided.get("renewed", 0)), int(decided.get("expired", 0))


def forecast(
    *,
    session: Session,
    actor: Actor,
    extra_companies: int = 0,
    city_budget_per_year: int = 0,
    by_date: dt.date | None = None,
    today: dt.date | None = None,
    next_allocation_workers: int | None = None,
) -> Forecast | None:
    require_role(actor, *CITY_ROLES, session=session, action="insight.forecast")
    campaign = active_campaign(session=session)
    if campaign is None or campaign.id is None:
        return None
    today = today or dt.date.today()
    by_date = by_date or dt.date(today.year + 1, 12, 31)
    if by_date <= month_end(today):
        raise ValidationError("Tanggal target harus sesudah bulan ini. Pilih tanggal pada bulan-bulan mendatang.")
    extra, bought = what_if_workers(
        companies=extra_companies,
        suggested_min=campaign.suggested_min_workers,
        budget_per_year=city_budget_per_year,
        premium=campaign.premium_jkk_jkm,
    )
    covers, in_process, pace, renewed, ended = _inputs(session, campaign.id, today)
    rate = renewed / (renewed + ended) if renewed + ended else 0.0
    protected = sum(n for _, n in covers)
    base = expected(today=today, covers=covers, in_process=in_process, pace_per_month=pace, rate=rate)
    scenario = expected(
        today=today,
        covers=covers,
        in_process=in_process,
        pace_per_month=pace,
        rate=rate,
        extra_now=extra,
        budget_workers=bought,
    )
    target = campaign.target_workers
    remaining = target - protected - in_process
    outlook = payer_outlook(session=session, today=today, base=base, what_if_workers=next_allocation_workers)
    series = pd.DataFrame(
        {"month_end": base["month_end"], "baseline": base["expected"], "what_if": scenario["expected"]}
    ).assign(without_allocation=outlook.without["expected"], with_allocation=outlook.with_it["expected"])
    return Forecast(
        today=today,
        target=target,
        protected_now=protected,
        in_process=in_process,
        renewal_rate=rate,
        renewals_observed=renewed + ended,
        pace_per_month=pace,
        premium=campaign.premium_jkk_jkm,
        suggested_min_workers=campaign.suggested_min_workers,
        baseline=reached(base, target, today, remaining),
        extra_companies=extra_companies,
        city_budget_per_year=city_budget_per_year,
        extra_workers=extra,
        budget_workers=bought,
        what_if=reached(scenario, target, today, remaining - extra - bought),
        by_date=by_date,
        needed_per_month=needed_per_month(today=today, by_date=by_date, target=target, base=base, covers_rate=rate),
        series=series,
        other_payers_now=outlook.other_now,
        next_allocation=outlook.allocation,
        without_allocation=reached(outlook.without, target, today, remaining - outlook.other_now),
        with_allocation=reached(outlook.with_it, target, today, remaining - outlook.other_now),
    )


def weekly_table(
    letter_date: dt.date,
    today: dt.date,
    pledged: pd.DataFrame,
    registered: pd.DataFrame,
    cover: pd.DataFrame,
) -> pd.DataFrame:
    """Weeks since the letter (pure), each counted at the end of its last day (today, for the running week).

    `pledged` (since, until, workers): periods of live pledges by day - counted while since <= day < until;
    `registered` (day, n): workers by the day they were first sent to BPJS - cumulative;
    `cover` (since, until, start, end, n): card periods of assignments - counted while the period is in force and
    the cover runs that day."""
    n_weeks = max((today - letter_date).days // 7 + 1, 1)
    starts = [letter_date + dt.timedelta(weeks=k) for k in range(n_weeks)]
    ends = pd.to_datetime([min(s + dt.timedelta(days=6), today) for s in starts])
    out = pd.DataFrame({"week": range(1, n_weeks + 1), "week_start": pd.to_datetime(starts)})

    def periods(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Since and until as day numbers (until: far future when still open), converted once."""
        since = pd.to_datetime(df["since"]).to_numpy("datetime64[D]")
        until = pd.to_datetime(df["until"]).to_numpy("datetime64[D]")
        until[np.isnat(until)] = np.datetime64("9999-12-31")
        return since, until

    days = ends.to_numpy("datetime64[D]")
    p_since, p_until = periods(pledged)
    p_workers = pledged["workers"].to_numpy(np.int64)
    out["pledged"] = [int(p_workers[(p_since <= e) & (p_until > e)].sum()) for e in days]
    registered_on = pd.to_datetime(registered["day"]).to_numpy("datetime64[D]")
    r_n = registered["n"].to_numpy(np.int64)
    out["registered"] = [int(r_n[registered_on <= e].sum()) for e in days]
    c_since, c_until = periods(cover)
    start = pd.to_datetime(cover["start"]).to_numpy("datetime64[D]")
    end = pd.to_datetime(cover["end"]).to_numpy("datetime64[D]")
    c_n = cover["n"].to_numpy(np.int64)
    out["active"] = [int(c_n[(c_since <= e) & (c_until > e) & (start <= e) & (end >= e)].sum()) for e in days]
    return out


def weekly_progress(*, session: Session, actor: Actor, today: dt.date | None = None) -> pd.DataFrame:
    """Workers pledged, registered with BPJS (each worker once) and under running cover, per week since the letter,
    from the state history (a later renewal, cancellation or release does not change a past week).

    Aggregated in SQL per day (and per cover period), spread over weeks in pandas (a few hundred rows)."""
    require_role(actor, *CITY_ROLES, session=session, action="insight.weekly")
    campaign = active_campaign(session=session)
    if campaign is None:
        return pd.DataFrame(columns=["week", "week_start", "pledged", "registered", "active"])
    today = today or dt.date.today()
    cut = end_of_day(today)
    ph = PledgeHistory.__table__  # type: ignore[attr-defined]
    since, until = func.date(ph.c.since), func.date(ph.c.until)
    pledged = pd.DataFrame(
        session.execute(
            sa_select(since, until, func.sum(ph.c.workers))
            .join(Pledge, col(Pledge.id) == ph.c.pledge_id)
            .where(col(Pledge.campaign_id) == campaign.id, ph.c.status.in_(LIVE_PLEDGE_STATUSES), ph.c.since <= cut)
            .group_by(since, until)
        ).all(),
        columns=["since", "until", "workers"],
    )
    assert campaign.id is not None
    first_sent = (
        sa_select(func.min(H.c.since).label("first"))
        .where(H.c.status.in_(SENT_TO_BPJS), H.c.since <= cut, on_campaign(campaign.id))
        .group_by(H.c.worker_id)
        .subquery()
    )
    day = func.date(first_sent.c.first)
    registered = pd.DataFrame(session.execute(sa_select(day, func.count()).group_by(day)).all(), columns=["day", "n"])
    a_since, a_until = func.date(H.c.since), func.date(H.c.until)
    cover = pd.DataFrame(
        session.execute(
            sa_select(a_since, a_until, H.c.coverage_start, H.c.coverage_end, func.count())
            .where(
                H.c.status.in_(CARD_STATUSES),
                H.c.coverage_start.is_not(None),
                H.c.since <= cut,
                on_campaign(campaign.id),
            )
            .group_by(a_since, a_until, H.c.coverage_start, H.c.coverage_end)
        ).all(),
        columns=["since", "until", "start", "end", "n"],
    )
    return weekly_table(campaign.letter_date, today, pledged, registered, cover)
