"""The public leaderboard's data: one row per participating company, aggregated in SQL (`group_by`, a window for
the order of answers), then ranked and badged by the pure rules in `board` and `badges`. No personal data: only
counts per company leave the database.

A company participates when it has at least one pledge of the active campaign that is not cancelled.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Integer, case, extract
from sqlalchemy import select as sa_select  # SQLModel's typed select() stops at four columns
from sqlmodel import Session, col, func, select

from models import (
    LIVE_PLEDGE_STATUSES,
    PAID_PLEDGE_STATUSES,
    Assignment,
    AssignmentStatus,
    Company,
    Kecamatan,
    Kelurahan,
    LetterRecipient,
    Pledge,
)
from services.insight.board import rank_board
from services.insight.dashboard import active_campaign, pledge_value

# A worker counts as protected by a company once BPJS issued the card through one of its pledges: the cover is
# running (active), has run its term (expired) or was carried into the renewal (renewed).
CARD_ISSUED = (AssignmentStatus.ACTIVE, AssignmentStatus.EXPIRED, AssignmentStatus.RENEWED)
# Registered at BPJS (card pending or issued): what "Tuntas" compares with the pledged places.
REGISTERED = (AssignmentStatus.REGISTERED, AssignmentStatus.ACTIVE, AssignmentStatus.EXPIRED)
WIB = "Asia/Jakarta"

RAW_COLUMNS = [
    "company_id",
    "company",
    "kecamatan",
    "sector",
    "employees",
    "show_amount",
    "responded_at",
    "answer_order",
    "workers_pledged",
    "rupiah",
    "renewals",
    "first_month",
    "end_month",
    "workers_protected",
    "workers_protected_now",
    "workers_registered",
]


@dataclass(frozen=True)
class Board:
    """The whole board of the active campaign, ranked in every view (filter and sort with `board.board_view`)."""

    rows: pd.DataFrame
    letter_number: str = ""
    letter_date: dt.date | None = None
    suggested_min: int = 0
    kecamatan: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)

    @property
    def hidden_amounts(self) -> int:
        return int(self.rows["hidden"].sum()) if not self.rows.empty else 0


def slug_for(company_id: int, name: str) -> str:
    """A readable, stable URL key: the name in lowercase ASCII words, then the id (the part that is looked up)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:60].strip("-")
    return f"{words}-{company_id}" if words else str(company_id)


def company_id_of(slug: str) -> int | None:
    """The id at the end of a slug ("pt-panarub-industry-1" → 1); None for anything else."""
    match = re.fullmatch(r"(?:[a-z0-9-]{0,80}-)?(\d{1,9})", (slug or "").strip().lower())
    return int(match.group(1)) if match else None


def _month_index(column: Any) -> ColumnElement[int]:
    """year * 12 + month - 1 of a date column (extract() compiles for SQLite and PostgreSQL alike)."""
    return extract("year", column) * 12 + extract("month", column) - 1


def board_rows(*, session: Session, campaign_id: int, company_id: int | None = None) -> pd.DataFrame:
    """One row of raw aggregates per participating company (or only `company_id`): three grouped subqueries."""
    live = col(Pledge.status).in_(LIVE_PLEDGE_STATUSES)
    pledged = (
        sa_select(
            col(Pledge.company_id),
            func.sum(case((live, Pledge.workers), else_=0)).label("workers"),
            func.sum(pledge_value()).label("rupiah"),
            func.count(col(Pledge.renewed_from_id)).label("renewals"),
            func.min(_month_index(Pledge.start_month)).label("first_month"),
            func.max(_month_index(Pledge.start_month) + Pledge.months).label("end_month"),
        )
        .where(col(Pledge.campaign_id) == campaign_id, col(Pledge.status).in_(PAID_PLEDGE_STATUSES))
        .group_by(col(Pledge.company_id))
        .subquery()
    )
    # Per (company, worker) first, then per company: one grouping instead of three COUNT(DISTINCT ...) sorts.
    status = col(Assignment.status)
    per_worker = (
        sa_select(
            col(Pledge.company_id).label("company_id"),
            func.max(case((status.in_(CARD_ISSUED), 1), else_=0)).label("card"),
            func.max(case((status == AssignmentStatus.ACTIVE, 1), else_=0)).label("now"),
            func.max(case((live & status.in_(REGISTERED), 1), else_=0)).label("registered"),
        )
        .join(Assignment, col(Assignment.pledge_id) == Pledge.id)
        .where(
            col(Pledge.campaign_id) == campaign_id,
            col(Pledge.status).in_(PAID_PLEDGE_STATUSES),
            status.in_(sorted({*CARD_ISSUED, *REGISTERED})),  # assigned or released count nowhere
        )
        .group_by(col(Pledge.company_id), col(Assignment.worker_id))
        .subquery()
    )
    held = (
        sa_select(
            per_worker.c.company_id,
            func.sum(per_worker.c.card).label("protected"),
            func.sum(per_worker.c.now).label("protected_now"),
            func.sum(per_worker.c.registered).label("registered"),
        )
        .group_by(per_worker.c.company_id)
        .subquery()
    )
    answered = (
        select(
            LetterRecipient.company_id,
            LetterRecipient.responded_at,
            func.row_number()
            .over(order_by=(col(LetterRecipient.responded_at), col(LetterRecipient.company_id)))
            .label("answer_order"),
        )
        .where(LetterRecipient.campaign_id == campaign_id, col(LetterRecipient.responded_at).is_not(None))
        .subquery()
    )
    stmt = (
        sa_select(
            col(Company.id),
            col(Company.name),
            col(Kecamatan.name),
            col(Company.sector),
            col(Company.employees),
            col(Company.show_amount),
            answered.c.responded_at,
            answered.c.answer_order,
            pledged.c.workers,
            pledged.c.rupiah,
            pledged.c.renewals,
            pledged.c.first_month,
            pledged.c.end_month,
            func.coalesce(held.c.protected, 0),
            func.coalesce(held.c.protected_now, 0),
            func.coalesce(held.c.registered, 0),
        )
        .join(pledged, pledged.c.company_id == col(Company.id))
        .outerjoin(answered, answered.c.company_id == col(Company.id))
        .outerjoin(held, held.c.company_id == col(Company.id))
        .outerjoin(Kelurahan, col(Kelurahan.code) == Company.kelurahan_code)
        .outerjoin(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
    )
    if company_id is not None:
        stmt = stmt.where(col(Company.id) == company_id)
    df = pd.DataFrame(session.execute(stmt).all(), columns=RAW_COLUMNS)
    ints = ["workers_pledged", "rupiah", "renewals", "first_month", "end_month"]
    ints += ["workers_protected", "workers_protected_now", "workers_registered"]
    return df.astype({c: "int64" for c in ints})


def _days_to_answer(responded_at: pd.Series, letter_date: dt.date) -> pd.Series:
    """Whole days from the letter's date to the answer, counted on the WIB calendar (stored times are UTC)."""
    answered = pd.to_datetime(responded_at, utc=True).dt.tz_convert(WIB).dt.tz_localize(None).dt.normalize()
    return (answered - pd.Timestamp(letter_date)).dt.days.astype("Int64")


def enrich(rows: pd.DataFrame, *, letter_date: dt.date, suggested_min: int) -> pd.DataFrame:
    """Derived figures of each row: slug, days to answer, months, share fulfilled, hidden amounts, badges."""
    df = rows.copy()
    df["slug"] = [slug_for(int(i), str(n)) for i, n in zip(df["company_id"], df["company"], strict=True)]
    df["days_to_answer"] = _days_to_answer(df["responded_at"], letter_date)
    df["answer_order"] = df["answer_order"].astype("Int64")
    df["employees"] = df["employees"].astype("Int64")
    df["months"] = (df["end_month"] - df["first_month"]).astype("int64")
    df["renewed"] = df["renewals"] > 0
    pledged = df["workers_pledged"].where(df["workers_pledged"] > 0)
    df["share_fulfilled"] = (df["workers_protected"] / pledged).clip(upper=1.0).astype("float64")
    df["hidden"] = ~df["show_amount"].astype(bool)
    df["rupiah"] = df["rupiah"].astype("Int64").mask(df["hidden"])
    df["kecamatan"] = df["kecamatan"].fillna("–")
    df["sector"] = df["sector"].fillna("").replace("", "–")
    return rank_board(df.drop(columns=["show_amount", "first_month", "end_month"]), suggested_min=suggested_min)


def public_board(*, session: Session) -> Board:
    """The public board of the active campaign (an empty board when there is none)."""
    campaign = active_campaign(session=session)
    if campaign is None or campaign.id is None:
        return Board(rows=enrich(pd.DataFrame(columns=RAW_COLUMNS), letter_date=dt.date.today(), suggested_min=0))
    rows = enrich(
        board_rows(session=session, campaign_id=campaign.id),
        letter_date=campaign.letter_date,
        suggested_min=campaign.suggested_min_workers,
    )
    return Board(
        rows=rows,
        letter_number=campaign.letter_number,
        letter_date=campaign.letter_date,
        suggested_min=campaign.suggested_min_workers,
        kecamatan=sorted(k for k in rows["kecamatan"].unique() if k != "–"),
        sectors=sorted(s for s in rows["sector"].unique() if s != "–"),
    )


def board_timeline(*, session: Session) -> pd.DataFrame:
    """Month by month, cumulative: workers pledged (by the day each company answered, at today's pledge sizes)
    and workers protected (by the month each worker's first card started). Columns: month, series, workers."""
    campaign = active_campaign(session=session)
    columns = ["month", "series", "workers"]
    if campaign is None:
        return pd.DataFrame(columns=columns)
    live = col(Pledge.status).in_(LIVE_PLEDGE_STATUSES)
    pledged = session.execute(
        sa_select(func.date(col(LetterRecipient.responded_at)), func.sum(Pledge.workers))
        .join(
            LetterRecipient,
            (col(LetterRecipient.company_id) == Pledge.company_id)
            & (col(LetterRecipient.campaign_id) == Pledge.campaign_id),
        )
        .where(col(Pledge.campaign_id) == campaign.id, live, col(LetterRecipient.responded_at).is_not(None))
        .group_by(func.date(col(LetterRecipient.responded_at)))
    ).all()
    first_card = (
        select(Assignment.worker_id, func.min(col(Assignment.coverage_start)).label("start"))
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .where(Pledge.campaign_id == campaign.id, col(Assignment.status).in_(CARD_ISSUED))
        .group_by(col(Assignment.worker_id))
        .subquery()
    )
    protected = session.execute(
        sa_select(first_card.c.start, func.count().cast(Integer))
        .where(first_card.c.start.is_not(None))
        .group_by(first_card.c.start)
    ).all()
    frames = []
    for label, rows in (("Pekerja diikrarkan", pledged), ("Pernah dilindungi", protected)):
        if not rows:
            continue
        df = pd.DataFrame(rows, columns=["day", "workers"])
        df["month"] = pd.to_datetime(df["day"]).dt.to_period("M").dt.to_timestamp()
        monthly = df.groupby("month", as_index=False).agg(workers=("workers", "sum")).sort_values(by="month")
        monthly["workers"] = monthly["workers"].astype("int64").cumsum()
        monthly["series"] = label
        frames.append(monthly[columns])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
