"""A participating company's public page (aggregates only: workers protected by kecamatan and occupation,
months, badges, when it answered) and the badges a company downloads from its own pages.

Nothing personal leaves this module: workers are only counted, grouped by kecamatan or occupation in SQL.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import distinct
from sqlmodel import Session, col, func, select

from models import Assignment, Campaign, Kecamatan, Kelurahan, Pledge, Worker
from services.insight.badges import badge_label, badge_rule, badge_svg, contradicted_badges
from services.insight.dashboard import active_campaign
from services.insight.figures import company_figures
from services.insight.leaderboard import CARD_ISSUED, board_rows, company_id_of, enrich
from services.insight.suppression import shown, suppress_frame
from services.platform.authz import Actor, require_company_access
from services.platform.errors import NotFound

NOT_FOUND = (
    "Perusahaan ini tidak ada di papan peringkat: alamatnya mungkin keliru, atau perusahaan belum berikrar. "
    "Kembali ke Beranda untuk melihat semua perusahaan yang berpartisipasi."
)


@dataclass(frozen=True)
class PublicCompany:
    slug: str
    name: str
    kecamatan: str
    sector: str
    size_band: str
    letter_number: str
    letter_date: dt.date
    responded_at: dt.datetime | None
    days_to_answer: int | None
    answer_order: int | None
    workers_protected: int  # card issued through the company (running, ended or renewed)
    workers_protected_now: int  # cover running today
    workers_pledged: int
    share_fulfilled: float | None
    rupiah: int | None  # None when the company hides its amount
    months: int
    renewed: bool
    rank: int  # among all participating companies, default view (only meaningful on the whole board)
    badges: tuple[str, ...]
    suggested_min: int
    # kecamatan | pekerjaan, pekerja (<NA> where hidden), tampil ("< 3", "≥ 3" or the number): small counts
    # suppressed (services/insight/suppression.py); empty when the breakdown must be withheld
    by_kecamatan: pd.DataFrame
    by_occupation: pd.DataFrame
    figures: dict[str, Any]  # the company's catalogued figures (keys "company.*"), as the page shows them
    workers_protected_text: str = ""  # "< 3" for 1 or 2 (small-count suppression)
    workers_protected_now_text: str = ""

    def contradicted_badges(self) -> list[str]:
        """Badges this page would show that its own figures contradict (always empty; checked by tests)."""
        return contradicted_badges(
            self.badges,
            answer_order=self.answer_order,
            workers_pledged=self.workers_pledged,
            workers_protected_now=self.workers_protected_now,
            workers_protected=self.workers_protected,
            renewed=self.renewed,
            suggested_min=self.suggested_min,
        )


@dataclass(frozen=True)
class EarnedBadge:
    code: str
    label: str
    rule: str
    svg: str
    file_name: str
    slug: str  # the company's public page: /perusahaan-publik?id=<slug>


def _none_if_na(value: object) -> object:
    return None if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else value


def _company_row(
    session: Session, company_id: int | None, rows: pd.DataFrame | None = None
) -> tuple[pd.Series, Campaign]:
    """The company's enriched board row, ranked against the whole board (the caller's `public_board().rows` when
    it has them cached); NotFound unless it participates."""
    campaign = active_campaign(session=session)
    if campaign is None or campaign.id is None or company_id is None:
        raise NotFound(NOT_FOUND)
    if rows is None:
        rows = enrich(
            board_rows(session=session, campaign_id=campaign.id),
            letter_date=campaign.letter_date,
            suggested_min=campaign.suggested_min_workers,
        )
    match = rows[rows["company_id"] == company_id]
    if match.empty:
        raise NotFound(NOT_FOUND)
    return match.iloc[0], campaign


def _protected_by(session: Session, company_id: int, campaign_id: int, label: object, name: str) -> pd.DataFrame:
    stmt = (
        select(label, func.count(distinct(col(Assignment.worker_id))))  # type: ignore[call-overload]
        .select_from(Assignment)
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .join(Worker, col(Worker.id) == Assignment.worker_id)
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .where(
            Pledge.company_id == company_id,
            Pledge.campaign_id == campaign_id,
            col(Assignment.status).in_(CARD_ISSUED),
        )
        .group_by(label)
    )
    df = pd.DataFrame(session.exec(stmt).all(), columns=[name, "pekerja"])
    df["pekerja"] = df["pekerja"].astype("int64")
    df = df.sort_values(["pekerja", name], ascending=[False, True]).reset_index(drop=True)
    return suppress_frame(df)  # public: counts of 1 or 2 never leave this module


def public_company(*, session: Session, slug: str, rows: pd.DataFrame | None = None) -> PublicCompany:
    """Anyone may read it (public page); raises NotFound for an unknown slug or a company that has not pledged.
    `rows`: the ranked board of the active campaign if the caller has it (saves computing it again)."""
    row, campaign = _company_row(session, company_id_of(slug), rows)
    company_id = int(row["company_id"])
    cid = int(campaign.id or 0)
    return PublicCompany(
        slug=str(row["slug"]),
        name=str(row["company"]),
        kecamatan=str(row["kecamatan"]),
        sector=str(row["sector"]),
        size_band=str(row["size_band"]),
        letter_number=campaign.letter_number,
        letter_date=campaign.letter_date,
        responded_at=_none_if_na(row["responded_at"]),  # type: ignore[arg-type]
        days_to_answer=_none_if_na(row["days_to_answer"]),  # type: ignore[arg-type]
        answer_order=_none_if_na(row["answer_order"]),  # type: ignore[arg-type]
        workers_protected=int(row["workers_protected"]),
        workers_protected_now=int(row["workers_protected_now"]),
        workers_pledged=int(row["workers_pledged"]),
        share_fulfilled=_none_if_na(row["share_fulfilled"]),  # type: ignore[arg-type]
        rupiah=None if row["hidden"] else int(row["rupiah"]),
        months=int(row["months"]),
        renewed=bool(row["renewed"]),
        rank=int(row["rank"]),
        badges=tuple(row["badges"]),
        suggested_min=int(campaign.suggested_min_workers),
        by_kecamatan=_protected_by(session, company_id, cid, Kecamatan.name, "kecamatan"),
        by_occupation=_protected_by(session, company_id, cid, Worker.occupation, "pekerjaan"),
        figures=company_figures({str(k): v for k, v in row.items()}),
        workers_protected_text=shown(int(row["workers_protected"])),
        workers_protected_now_text=shown(int(row["workers_protected_now"])),
    )


def company_badges(*, session: Session, actor: Actor, company_id: int) -> list[EarnedBadge]:
    """The badges a company has earned, each with its SVG image, for the company's own pages (or city staff)."""
    require_company_access(actor, company_id, session=session, action="badges.view")
    try:
        row, campaign = _company_row(session, company_id)
    except NotFound:
        return []
    minimum = int(campaign.suggested_min_workers)
    return [
        EarnedBadge(
            code=code,
            label=badge_label(code, minimum),
            rule=badge_rule(code, minimum),
            svg=badge_svg(
                code,
                company=str(row["company"]),
                suggested_min=minimum,
                campaign=campaign.letter_number,
            ),
            file_name=f"lencana-payung-{code}-{row['slug']}.svg",
            slug=str(row["slug"]),
        )
        for code in row["badges"]
    ]
