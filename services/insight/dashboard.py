"""Read side for the public page and the city dashboards: aggregates in SQL, plain rows out, no personal data."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Integer, case, cast, distinct
from sqlalchemy import select as sa_select  # SQLModel's typed select() stops at four columns
from sqlmodel import Session, col, func, select

from models import (
    LIVE_PLEDGE_STATUSES,
    OPEN_PLEDGE_STATUSES,
    PAID_PLEDGE_STATUSES,
    Assignment,
    AssignmentStatus,
    Campaign,
    Company,
    Kecamatan,
    Kelurahan,
    LetterRecipient,
    Pledge,
    Role,
    Worker,
)
from models.assignment import HOLDING_STATUSES
from services.insight.figures import CARD_ISSUED, city_figures
from services.platform.authz import Actor, require_role


@dataclass(frozen=True)
class CampaignProgress:
    """The campaign now: its letter, and every city-wide catalogued figure (`figures`, keyed as the catalogue)."""

    letter_number: str
    letter_date: dt.date
    subject: str
    figures: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.figures[key]

    @property
    def target_workers(self) -> int:
        return int(self.figures["target"])

    @property
    def premium_jkk_jkm(self) -> int:
        return int(self.figures["premium"])

    @property
    def workers_protected(self) -> int:  # cover running now (Terlindungi saat ini)
        return int(self.figures["protected_now"])

    @property
    def workers_in_process(self) -> int:
        return int(self.figures["in_process"])

    @property
    def workers_pledged(self) -> int:
        return int(self.figures["workers_pledged"])

    @property
    def rupiah_committed(self) -> int:
        return int(self.figures["rupiah_committed"])

    @property
    def companies_invited(self) -> int:
        return int(self.figures["companies_invited"])

    @property
    def companies_responded(self) -> int:  # answered with a pledge
        return int(self.figures["companies_pledged"])

    @property
    def progress(self) -> float:
        return float(self.figures["progress"] or 0.0)


def active_campaign(*, session: Session) -> Campaign | None:
    return session.exec(
        select(Campaign).where(col(Campaign.is_active).is_(True)).order_by(col(Campaign.letter_date).desc())
    ).first()


def pledge_value():  # type: ignore[no-untyped-def]
    """A pledge's Rupiah as SQL (workers × months × its frozen premium): one definition for every read side."""
    return Pledge.workers * Pledge.months * Pledge.premium_per_worker_month


def campaign_progress(*, session: Session) -> CampaignProgress | None:
    """The active campaign's catalogued figures now (the public page, the dashboard, the CLI)."""
    campaign = active_campaign(session=session)
    if campaign is None:
        return None
    return CampaignProgress(
        letter_number=campaign.letter_number,
        letter_date=campaign.letter_date,
        subject=campaign.subject,
        figures=city_figures(session=session, campaign=campaign),
    )


def participating_companies(*, session: Session) -> pd.DataFrame:
    """Companies that answered the letter with a pledge; the amount is None where the company hides it."""
    campaign = active_campaign(session=session)
    if campaign is None:
        return pd.DataFrame(columns=[*COMPANY_COLUMNS, "hidden"])
    now = case((col(Assignment.status) == AssignmentStatus.ACTIVE, col(Assignment.worker_id)), else_=None)
    protected = (
        select(
            Pledge.company_id,
            func.count(distinct(now)).label("n"),
            func.count(distinct(col(Assignment.worker_id))).label("ever"),
        )
        .join(Assignment, col(Assignment.pledge_id) == Pledge.id)
        .where(Pledge.campaign_id == campaign.id, col(Assignment.status).in_(CARD_ISSUED))
        .group_by(col(Pledge.company_id))
        .subquery()
    )
    pledged = (
        select(
            Pledge.company_id,
            func.sum(case((col(Pledge.status).in_(LIVE_PLEDGE_STATUSES), Pledge.workers), else_=0)).label("workers"),
            func.sum(pledge_value()).label("rupiah"),
        )
        .where(Pledge.campaign_id == campaign.id, col(Pledge.status).in_(PAID_PLEDGE_STATUSES))
        .group_by(col(Pledge.company_id))
        .subquery()
    )
    return company_frame(
        session=session,
        campaign_id=int(campaign.id or 0),
        pledged=pledged,
        protected_now=(protected, protected.c.n),
        protected_ever=(protected, protected.c.ever),
    )


COMPANY_COLUMNS = [
    "company",
    "kecamatan",
    "responded_at",
    "workers_pledged",
    "workers_protected",  # Terlindungi saat ini
    "workers_protected_ever",  # Pernah dilindungi
    "rupiah",
]


def company_frame(
    *,
    session: Session,
    campaign_id: int,
    pledged: Any,
    protected_now: tuple[Any, Any],
    protected_ever: tuple[Any, Any],
    responded_by: dt.datetime | None = None,
) -> pd.DataFrame:
    """One row per company that answered with a pledge: `pledged` (company_id, workers, rupiah) and the two
    protected counts, each a (subquery with company_id, its column), joined to the company, its kecamatan and its
    answer (answered by `responded_by` if given); the amount is None where the company hides it. Shared by the
    dashboard (now) and the quarterly report (as of a quarter's end)."""
    query = (
        sa_select(
            col(Company.name),
            col(Kecamatan.name),
            col(LetterRecipient.responded_at),
            pledged.c.workers,
            func.coalesce(protected_now[1], 0),
            func.coalesce(protected_ever[1], 0),
            pledged.c.rupiah,
            col(Company.show_amount),
        )
        .join(pledged, pledged.c.company_id == col(Company.id))
        .join(
            LetterRecipient,
            (col(LetterRecipient.company_id) == Company.id) & (col(LetterRecipient.campaign_id) == campaign_id),
        )
    )
    for subquery in {id(q): q for q, _ in (protected_now, protected_ever)}.values():
        query = query.outerjoin(subquery, subquery.c.company_id == col(Company.id))
    query = query.outerjoin(Kelurahan, col(Kelurahan.code) == Company.kelurahan_code).outerjoin(
        Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code
    )
    if responded_by is not None:
        query = query.where(col(LetterRecipient.responded_at) <= responded_by)
    rows = session.execute(query.order_by(col(LetterRecipient.responded_at).asc(), col(Company.name))).all()
    df = pd.DataFrame(rows, columns=[*COMPANY_COLUMNS, "show_amount"])
    df["hidden"] = ~df["show_amount"].astype(bool)
    df["rupiah"] = df["rupiah"].astype(object)
    df.loc[df["hidden"], "rupiah"] = None
    return df.drop(columns=["show_amount"]).astype(
        {"workers_pledged": int, "workers_protected": int, "workers_protected_ever": int}
    )


def coverage_by_kecamatan(*, session: Session) -> pd.DataFrame:
    """Per kecamatan: registry size, workers protected now, in process, and still without cover."""
    holding = (
        select(Assignment.worker_id, Assignment.status).where(col(Assignment.status).in_(HOLDING_STATUSES)).subquery()
    )
    is_active = cast(holding.c.status == AssignmentStatus.ACTIVE, Integer)
    in_process = cast(col(holding.c.status).in_([AssignmentStatus.ASSIGNED, AssignmentStatus.REGISTERED]), Integer)
    uncovered = case(
        ((holding.c.worker_id.is_(None)) & (col(Worker.covered_elsewhere).is_(False)), 1),
        else_=0,
    )
    rows = session.execute(
        sa_select(
            col(Kecamatan.code),
            col(Kecamatan.name),
            col(Kecamatan.lat),
            col(Kecamatan.lon),
            func.count(col(Worker.id)),
            func.coalesce(func.sum(is_active), 0),
            func.coalesce(func.sum(in_process), 0),
            func.coalesce(func.sum(uncovered), 0),
        )
        .join(Kelurahan, col(Kelurahan.kecamatan_code) == Kecamatan.code)
        .outerjoin(Worker, col(Worker.kelurahan_code) == Kelurahan.code)
        .outerjoin(holding, holding.c.worker_id == col(Worker.id))
        .group_by(col(Kecamatan.code), col(Kecamatan.name), col(Kecamatan.lat), col(Kecamatan.lon))
        .order_by(Kecamatan.name)
    ).all()
    df = pd.DataFrame(
        rows,
        columns=["kecamatan_code", "kecamatan", "lat", "lon", "workers", "protected", "in_process", "uncovered"],
    )
    return df.astype({c: int for c in ["workers", "protected", "in_process", "uncovered"]})


def pledge_fill(*, session: Session, actor: Actor) -> pd.DataFrame:
    """City staff: every live pledge with how many workers it holds and how many it still lacks."""
    require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="pledge.fill")
    held = (
        select(Assignment.pledge_id, func.count().label("n"))
        .where(col(Assignment.status).in_(HOLDING_STATUSES))
        .group_by(col(Assignment.pledge_id))
        .subquery()
    )
    rows = session.execute(
        sa_select(
            col(Pledge.id),
            col(Company.name),
            col(Pledge.status),
            col(Pledge.workers),
            func.coalesce(held.c.n, 0),
            col(Pledge.months),
            col(Pledge.start_month),
            col(Pledge.radius_km),
        )
        .join(Company, col(Company.id) == Pledge.company_id)
        .outerjoin(held, held.c.pledge_id == col(Pledge.id))
        .where(col(Pledge.status).in_(OPEN_PLEDGE_STATUSES))
        .order_by(col(Pledge.id))
    ).all()
    df = pd.DataFrame(
        rows, columns=["pledge_id", "company", "status", "workers", "assigned", "months", "start_month", "radius_km"]
    )
    df["shortfall"] = (df["workers"] - df["assigned"]).clip(lower=0)
    return df
