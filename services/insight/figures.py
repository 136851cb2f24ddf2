"""The catalogued figures and the one function that computes each (issue 21).

City-wide figures (the public page, the dashboard headline, the quarterly report, the CLI) are computed by
`city_figures`, one small SQL query per family; a company's figures (leaderboard, public company page, company
impact report and its PDF) by `company_figures` over the leaderboard's grouped rows. Each figure is registered
in the catalogue (`definitions.py`) with its label, definition, unit and rounding, so every surface writes the
same value the same way and the page *Definisi angka* lists exactly what the surfaces show.

Choices made once here:
- *Terlindungi saat ini* is cover running now (status active); *Pernah dilindungi* is a card ever issued (active,
  ended or carried into a renewal). Never one label for both.
- *Sisa menuju target* = target − terlindungi saat ini (never below 0): workers in process are not protected yet.
- *Tingkat tanggapan* = companies that answered (a pledge or a decline: a refusal is an answer) ÷ letters sent;
  *Surat terkirim* = recipients whose letter has a sending date, on every surface.
- *Per 100 karyawan* is the raw ratio, rounded once when it is written (1,3 for 148 of 11.000).
- *Bulan perlindungan* is months (from the first pledged month to the end of the last); *Pekerja-bulan* is the
  sum over workers actually matched or registered of their pledge's months (never pledged places × months).
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import case
from sqlmodel import Session, col, func, select

from models import (
    LIVE_PLEDGE_STATUSES,
    PAID_PLEDGE_STATUSES,
    Assignment,
    AssignmentStatus,
    Campaign,
    LetterRecipient,
    Pledge,
)
from services.insight.catalogue import figure

CARD_ISSUED = (AssignmentStatus.ACTIVE, AssignmentStatus.EXPIRED, AssignmentStatus.RENEWED)
IN_PROCESS = (AssignmentStatus.ASSIGNED, AssignmentStatus.REGISTERED)
# A worker supported by a pledge: matched, registered, or with a card (running, ended or renewed).
SUPPORTED = (*IN_PROCESS, *CARD_ISSUED)
CITY = ("publik", "kota")
COMPANY = ("publik", "kota", "perusahaan")


def _workers(session: Session, campaign_id: int) -> tuple[int, int, int]:
    """(terlindungi saat ini, pernah dilindungi, dalam proses): distinct workers, in one pass per worker."""
    status = col(Assignment.status)
    per_worker = (
        select(
            func.max(case((status == AssignmentStatus.ACTIVE, 1), else_=0)).label("now"),
            func.max(case((status.in_(CARD_ISSUED), 1), else_=0)).label("ever"),
            func.max(case((status.in_(IN_PROCESS), 1), else_=0)).label("process"),
        )
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .where(Pledge.campaign_id == campaign_id, status.in_(SUPPORTED))
        .group_by(col(Assignment.worker_id))
        .subquery()
    )
    now, ever, process = session.exec(
        select(
            func.coalesce(func.sum(per_worker.c.now), 0),
            func.coalesce(func.sum(per_worker.c.ever), 0),
            func.coalesce(func.sum(per_worker.c.process), 0),
        )
    ).one()
    return int(now), int(ever), int(process)


def remaining_to_target(*, target: int, protected_now: int) -> int:
    """*Sisa menuju target*: workers still to be protected (target − terlindungi saat ini, never below 0)."""
    return max(target - protected_now, 0)


def ratio(numerator: int | float, denominator: int | float) -> float | None:
    """A share, or None (shown as a dash) when the denominator is 0."""
    return numerator / denominator if denominator else None


def city_figures(*, session: Session, campaign: Campaign) -> dict[str, Any]:
    """Every city-wide catalogued figure of `campaign`, now. Keys are catalogue keys."""
    assert campaign.id is not None
    live = col(Pledge.status).in_(LIVE_PLEDGE_STATUSES)
    pledged, rupiah = session.exec(
        select(
            func.coalesce(func.sum(case((live, Pledge.workers), else_=0)), 0),
            func.coalesce(func.sum(Pledge.workers * Pledge.months * Pledge.premium_per_worker_month), 0),
        ).where(Pledge.campaign_id == campaign.id, col(Pledge.status).in_(PAID_PLEDGE_STATUSES))
    ).one()
    sent = col(LetterRecipient.sent_at).is_not(None)
    answered = sent & (col(LetterRecipient.responded_at).is_not(None) | col(LetterRecipient.declined_at).is_not(None))
    invited, n_sent, n_answered, n_pledged = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(case((sent, 1), else_=0)), 0),
            func.coalesce(func.sum(case((answered, 1), else_=0)), 0),
            func.count(col(LetterRecipient.responded_at)),
        ).where(LetterRecipient.campaign_id == campaign.id)
    ).one()
    protected_now, protected_ever, in_process = _workers(session, campaign.id)
    return {
        "target": campaign.target_workers,
        "protected_now": protected_now,
        "protected_ever": protected_ever,
        "in_process": in_process,
        "remaining_to_target": remaining_to_target(target=campaign.target_workers, protected_now=protected_now),
        "progress": ratio(protected_now, campaign.target_workers),
        "workers_pledged": int(pledged),
        "rupiah_committed": int(rupiah),
        "companies_invited": int(invited),
        "letters_sent": int(n_sent),
        "companies_answered": int(n_answered),
        "companies_pledged": int(n_pledged),
        "response_rate": ratio(int(n_answered), int(n_sent)),
        "premium": campaign.premium_jkk_jkm,
    }


def worker_months_sql():  # type: ignore[no-untyped-def]
    """*Pekerja-bulan* as SQL: each matched or registered worker (per assignment) times its pledge's months."""
    return func.coalesce(func.sum(case((col(Assignment.status).in_(SUPPORTED), Pledge.months), else_=0)), 0)


def cover_months(pledges: list[tuple[dt.date, int]]) -> int:
    """*Bulan perlindungan*: months from the first pledged month to the end of the last pledge ((start, months))."""
    if not pledges:
        return 0
    first = min(start.year * 12 + start.month - 1 for start, _ in pledges)
    last = max(start.year * 12 + start.month - 1 + months for start, months in pledges)
    return last - first


def company_figures(row: Mapping[str, Any]) -> dict[str, Any]:
    """A company's catalogued figures from its enriched leaderboard row (`leaderboard.enrich`)."""

    def get(key: str) -> Any:
        value = row.get(key)
        return None if value is None or value is pd.NA or value != value else value

    return {
        "company.protected_now": int(row["workers_protected_now"]),
        "company.protected_ever": int(row["workers_protected"]),
        "company.workers_pledged": int(row["workers_pledged"]),
        "company.share_fulfilled": get("share_fulfilled"),
        "company.rupiah_committed": None if row["hidden"] else int(row["rupiah"]),
        "company.cover_months": int(row["months"]),
        "company.per_100": get("per_100"),
        "company.days_to_answer": get("days_to_answer"),
        "company.answer_order": get("answer_order"),
    }


def label(key: str) -> str:
    return figure(key).label


def show(key: str, value: Any) -> str:
    """The figure's value as people read it (Indonesian, a dash when missing)."""
    return figure(key).format(value)


def helptext(key: str) -> str:
    """The tooltip of a figure: its definition and how it is rounded."""
    f = figure(key)
    return f"{f.definition} Pembulatan: {f.rounding}."
