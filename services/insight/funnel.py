"""The campaign funnel, counted in companies: letter sent -> logged in -> pledged -> matched -> registered ->
active -> renewed, with the conversion between steps and the days from letter to answer.

One SQL query returns one row per letter recipient with its furthest step (assignments and pledges are
aggregated per company in SQL); the breakdown by sector and kecamatan groups those at most a few thousand
rows. A step counts a company only if it also reached every step before it, so the funnel never widens.
`as_of` asks the state history how the pledges and assignments stood at the end of that day (the quarterly
report): a cancellation, a release or a renewal afterwards does not change a past funnel.
"""

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func

from models import (
    PAID_PLEDGE_STATUSES,
    AssignmentStatus,
    Campaign,
    Company,
    Kecamatan,
    Kelurahan,
    LetterRecipient,
    Pledge,
)
from services.insight.asof import CARD_STATUSES, SENT_TO_BPJS, H, end_of_day, in_force, pledge_periods
from services.insight.asof import flag as _flag
from services.insight.dashboard import active_campaign
from services.insight.headline import CITY_ROLES
from services.platform.authz import Actor, require_role

STEPS: list[tuple[str, str]] = [
    ("sent", "Surat terkirim"),
    ("logged_in", "Masuk portal"),
    ("pledged", "Berikrar"),
    ("matched", "Pekerja dicocokkan"),
    ("registered", "Didaftarkan ke BPJS"),
    ("active", "Kartu terbit"),
    ("renewed", "Diperpanjang"),
]
STEP_KEYS = [k for k, _ in STEPS]
UNKNOWN = "(tidak diketahui)"


@dataclass(frozen=True)
class Funnel:
    as_of: dt.date
    steps: pd.DataFrame  # step, label, companies, conversion (from the step before), share_of_sent
    answered: int
    median_days_to_answer: float | None
    by_sector: pd.DataFrame  # sector, one column per step, response_rate, median_days
    by_kecamatan: pd.DataFrame  # kecamatan, one column per step, response_rate, median_days


def recipient_steps(*, session: Session, campaign: Campaign, as_of: dt.date) -> pd.DataFrame:
    """One row per recipient: sector, kecamatan, days to answer and a boolean per funnel step (monotone)."""
    cut = end_of_day(as_of)
    assert campaign.id is not None
    # Pledges and assignments as the history says they stood at the end of `as_of` (services.insight.asof).
    then = pledge_periods(campaign.id, as_of)
    renewal = col(Pledge.renewed_from_id).is_not(None) & then.c.status.in_(PAID_PLEDGE_STATUSES)
    pledge_flags = (
        sa_select(
            then.c.company_id,
            _flag(then.c.status.in_(PAID_PLEDGE_STATUSES)).label("pledged"),  # type: ignore[attr-defined]
            _flag(renewal).label("renewed"),  # type: ignore[attr-defined]
        )
        .join(Pledge, col(Pledge.id) == then.c.pledge_id)
        .group_by(then.c.company_id)
        .subquery()
    )
    status = H.c.status
    assignment_flags = (
        sa_select(
            col(Pledge.company_id),
            _flag(status != AssignmentStatus.RELEASED).label("matched"),  # type: ignore[attr-defined]
            _flag(status.in_(SENT_TO_BPJS)).label("registered"),  # type: ignore[attr-defined]
            _flag(status.in_(CARD_STATUSES) & (H.c.coverage_start <= as_of)).label("active"),  # type: ignore[attr-defined]
        )
        .select_from(H)
        .join(Pledge, col(Pledge.id) == H.c.pledge_id)
        .where(col(Pledge.campaign_id) == campaign.id, in_force(as_of))
        .group_by(col(Pledge.company_id))
        .subquery()
    )
    rows = session.execute(
        sa_select(
            col(Company.sector),
            col(Kecamatan.name),
            col(LetterRecipient.sent_at),
            col(LetterRecipient.first_login_at),
            col(LetterRecipient.responded_at),
            col(LetterRecipient.declined_at),
            func.coalesce(pledge_flags.c.pledged, 0),
            func.coalesce(assignment_flags.c.matched, 0),
            func.coalesce(assignment_flags.c.registered, 0),
            func.coalesce(assignment_flags.c.active, 0),
            func.coalesce(pledge_flags.c.renewed, 0),
        )
        .join(Company, col(Company.id) == LetterRecipient.company_id)
        .outerjoin(Kelurahan, col(Kelurahan.code) == Company.kelurahan_code)
        .outerjoin(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .outerjoin(pledge_flags, pledge_flags.c.company_id == col(Company.id))
        .outerjoin(assignment_flags, assignment_flags.c.company_id == col(Company.id))
        .where(col(LetterRecipient.campaign_id) == campaign.id)
    ).all()
    df = pd.DataFrame(
        rows,
        columns=["sector", "kecamatan", "sent_at", "first_login_at", "responded_at", "declined_at", *STEP_KEYS[2:]],
    )
    for column in ("sent_at", "first_login_at", "responded_at", "declined_at"):
        df[column] = pd.to_datetime(df[column], utc=True)
        df.loc[df[column] > pd.Timestamp(cut), column] = pd.NaT
    df["sector"] = df["sector"].replace("", None).fillna(UNKNOWN)
    df["kecamatan"] = df["kecamatan"].fillna(UNKNOWN)
    # Answering is the response; logging in is implied by it (a company answers from the portal).
    reached = df["sent_at"].notna()
    df["sent"] = reached
    for key in STEP_KEYS[1:]:
        logged_in = df["first_login_at"].notna() | df["responded_at"].notna()
        reached = reached & (logged_in if key == "logged_in" else df[key].astype(bool))
        df[key] = reached
    letter = pd.Timestamp(dt.datetime.combine(campaign.letter_date, dt.time(), tzinfo=dt.UTC))
    # An answer is a pledge or a decline (a refusal is an answer), to a letter that was sent: the catalogue's
    # *Perusahaan menjawab*, the numerator of *Tingkat tanggapan* (denominator: letters sent).
    answered_at = df["responded_at"].fillna(df["declined_at"]).where(df["sent"])
    df["answered"] = answered_at.notna()
    df["days_to_answer"] = (answered_at - df["sent_at"].fillna(letter)).dt.total_seconds() / 86_400
    return df[["sector", "kecamatan", "days_to_answer", "answered", *STEP_KEYS]]


def _median(series: pd.Series) -> float | None:
    values = series.dropna()
    return float(values.median()) if len(values) else None


def _breakdown(df: pd.DataFrame, by: str) -> pd.DataFrame:
    grouped = df.groupby(by, sort=True)
    out = grouped[STEP_KEYS].sum().astype(int).reset_index()
    answered = grouped["answered"].sum().astype(int).to_numpy()
    out["answered"] = answered
    out["response_rate"] = (answered / out["sent"].where(out["sent"] > 0)).astype(float)
    out["median_days"] = grouped["days_to_answer"].median().to_numpy()
    return out.sort_values(["sent", by], ascending=[False, True]).reset_index(drop=True)


def steps_table(counts: list[int]) -> pd.DataFrame:
    """Step labels with the conversion from the step before and the share of letters sent (pure)."""
    df = pd.DataFrame({"step": STEP_KEYS, "label": [label for _, label in STEPS], "companies": counts})
    previous = df["companies"].shift(1)
    df["conversion"] = (df["companies"] / previous.where(previous > 0)).astype(float)
    df.loc[0, "conversion"] = None
    sent = counts[0]
    df["share_of_sent"] = (df["companies"] / sent).astype(float) if sent else float("nan")
    return df


def funnel(*, session: Session, actor: Actor, as_of: dt.date | None = None) -> Funnel | None:
    require_role(actor, *CITY_ROLES, session=session, action="insight.funnel")
    campaign = active_campaign(session=session)
    if campaign is None:
        return None
    as_of = as_of or dt.date.today()
    df = recipient_steps(session=session, campaign=campaign, as_of=as_of)
    return Funnel(
        as_of=as_of,
        steps=steps_table([int(df[k].sum()) for k in STEP_KEYS]),
        answered=int(df["answered"].sum()),
        median_days_to_answer=_median(df["days_to_answer"]),
        by_sector=_breakdown(df, "sector"),
        by_kecamatan=_breakdown(df, "kecamatan"),
    )
