"""The quarterly progress report for regional heads and the Paritrana award: headline at the quarter's end and
its change over the quarter, the funnel, coverage per kecamatan and kelurahan (map), the participating
companies. Aggregates only - no worker data. Every file made is audited (`report.quarterly`).

Every figure is as it stood at the end of the quarter's last day (or today, for the running quarter), read from
the state history (`services.insight.asof`): the headline and its change, the funnel, coverage per kecamatan and
kelurahan, the gap split (a)/(b)/(c) with its costs, and the companies. So a report of a past quarter made today
equals the one made on the quarter's last day (tests/integration/test_history.py); read as they are today: whether
a worker is covered elsewhere, and the payer ledger behind the split by payer and the forecast by payer (sheet
*Penanggung*, not historised).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func

from models import (
    LIVE_PLEDGE_STATUSES,
    PAID_PLEDGE_STATUSES,
    Campaign,
    Pledge,
)
from services.insight.asof import CARD_STATUSES, H, end_of_day, in_force, pledge_periods, protected_on_day
from services.insight.benefits import CityBenefits, city_benefits
from services.insight.catalogue import figure
from services.insight.dashboard import active_campaign, company_frame
from services.insight.figures import label as label_of
from services.insight.forecast import Forecast, forecast
from services.insight.forecast_payers import allocation_figures
from services.insight.funnel import STEP_KEYS, STEPS, Funnel, funnel
from services.insight.gaps import MONTHS, PARTS, Gaps, by_kecamatan, coverage_by_kelurahan, gaps
from services.insight.headline import CITY_ROLES, Snapshot, snapshot
from services.insight.payers import PAYER_FIGURES, PayerSplit, payer_split
from services.platform.authz import Actor, require_role
from services.platform.errors import NotFound, ValidationError

# (snapshot field, catalogue key): the headline rows, labelled and written by the catalogue.
HEADLINE_ROWS = [
    ("protected", "protected_now"),
    ("in_process", "in_process"),
    ("pledged", "workers_pledged"),
    ("rupiah", "rupiah_committed"),
    ("companies_participating", "companies_pledged"),
    ("letters_sent", "letters_sent"),
]
# Catalogued figures the report's tables use besides the headline (their definitions end the report).
TABLE_FIGURES = ["target", "progress", "response_rate", "company.protected_ever", "company.rupiah_committed"]
OUTLOOK_KEYS = [
    "forecast_next_allocation_workers",
    "forecast_reached_without_allocation",
    "forecast_reached_with_allocation",
]


@dataclass(frozen=True)
class QuarterlyReport:
    year: int
    quarter: int
    start: dt.date
    end: dt.date  # quarter's last day, or today for the running quarter
    generated_on: dt.date
    letter_number: str
    target: int
    premium: int
    at_end: Snapshot
    at_start: Snapshot  # the day before the quarter began
    funnel: Funnel
    kecamatan: pd.DataFrame
    kelurahan: pd.DataFrame
    companies: pd.DataFrame
    gaps: Gaps
    benefits: CityBenefits  # benefits paid (to the quarter's end) against premiums paid, per payer
    payers: PayerSplit  # who pays the cover of the period's last month (the page shows the same split)
    outlook: dict[str, Any]  # the forecast by payer as of the period's end: next year's allocation, the dates

    @property
    def gap_workers(self) -> int:
        return self.gaps.workers

    @property
    def gap_budget(self) -> int:
        return self.gaps.budget

    @property
    def label(self) -> str:
        return f"Triwulan {self.quarter} {self.year}"

    def headline_values(self) -> dict[str, tuple[int, int]]:
        """Catalogue key -> (value at the period's end, change over the quarter)."""
        return {
            key: (getattr(self.at_end, field), getattr(self.at_end, field) - getattr(self.at_start, field))
            for field, key in HEADLINE_ROWS
        }

    def headline_table(self) -> pd.DataFrame:
        rows = [(label_of(key), end, change) for key, (end, change) in self.headline_values().items()]
        return pd.DataFrame(rows, columns=["Ukuran", "Akhir periode", "Perubahan dalam triwulan"])

    def definitions(self) -> pd.DataFrame:
        """The definitions of every catalogued figure the report uses (the report ends with them)."""
        keys = [*self.headline_values(), *TABLE_FIGURES, *PAYER_FIGURES, *self.outlook]
        return pd.DataFrame(
            [(figure(k).label, figure(k).definition, figure(k).rounding) for k in keys],
            columns=["Angka", "Definisi", "Pembulatan"],
        )


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if quarter not in (1, 2, 3, 4):
        raise ValidationError("Triwulan harus 1, 2, 3 atau 4.")
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def available_quarters(letter_date: dt.date, today: dt.date) -> list[tuple[int, int]]:
    """(year, quarter) from the letter's quarter to today's, newest first (pure)."""
    out = []
    year, quarter = letter_date.year, (letter_date.month - 1) // 3 + 1
    while (year, quarter) <= (today.year, (today.month - 1) // 3 + 1):
        out.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out[::-1]


def quarterly_report(
    *, session: Session, actor: Actor, year: int, quarter: int, today: dt.date | None = None
) -> QuarterlyReport:
    """The report's data. Refuses a quarter before the letter or after today."""
    require_role(actor, *CITY_ROLES, session=session, action="report.quarterly")
    campaign = active_campaign(session=session)
    if campaign is None or campaign.id is None:
        raise NotFound("Belum ada surat edaran aktif, jadi belum ada laporan triwulan.")
    today = today or dt.date.today()
    start, end = quarter_bounds(year, quarter)
    if (year, quarter) not in available_quarters(campaign.letter_date, today):
        raise ValidationError(
            "Triwulan itu di luar masa kampanye (sebelum surat edaran atau belum dimulai). Pilih dari daftar."
        )
    end = min(end, today)
    coverage = coverage_by_kelurahan(session=session, actor=actor, as_of=end)
    the_gaps = gaps(session=session, actor=actor, coverage=coverage, as_of=end)
    the_funnel = funnel(session=session, actor=actor, as_of=end)
    assert the_funnel is not None and the_gaps is not None
    return QuarterlyReport(
        year=year,
        quarter=quarter,
        start=start,
        end=end,
        generated_on=today,
        letter_number=campaign.letter_number,
        target=campaign.target_workers,
        premium=campaign.premium_jkk_jkm,
        at_end=snapshot(session=session, campaign=campaign, as_of=end),
        at_start=snapshot(session=session, campaign=campaign, as_of=start - dt.timedelta(days=1)),
        funnel=the_funnel,
        kecamatan=by_kecamatan(coverage),
        kelurahan=coverage,
        companies=companies_on(session=session, campaign=campaign, day=end),
        gaps=the_gaps,
        benefits=city_benefits(session=session, actor=actor, until=end),
        payers=payer_split(session=session, today=end),
        outlook=outlook_figures(quarter_outlook(session=session, actor=actor, year=year, quarter=quarter, today=today)),
    )


def quarter_outlook(
    *, session: Session, actor: Actor, year: int, quarter: int, today: dt.date | None = None
) -> Forecast | None:
    """The forecast as of the period's end (its last day, or today for the running quarter), with and without
    next year's APBD allocation: what the report page, its PDF and its Excel show."""
    today = today or dt.date.today()
    return forecast(session=session, actor=actor, today=min(quarter_bounds(year, quarter)[1], today))


def outlook_figures(fc: Forecast | None) -> dict[str, Any]:
    if fc is not None:
        return allocation_figures(fc)
    return dict.fromkeys(OUTLOOK_KEYS)


def companies_on(*, session: Session, campaign: Campaign, day: dt.date) -> pd.DataFrame:
    """Companies that had answered the letter with a pledge by the end of `day`, with their pledged workers,
    workers under running cover and Rupiah as they stood then; the amount is None where the company hides it."""
    assert campaign.id is not None
    cut = end_of_day(day)
    then = pledge_periods(campaign.id, day)
    pledged = (
        sa_select(
            then.c.company_id,
            func.sum(case((then.c.status.in_(LIVE_PLEDGE_STATUSES), then.c.workers), else_=0)).label("workers"),
            func.sum(case((then.c.status.in_(PAID_PLEDGE_STATUSES), then.c.rupiah), else_=0)).label("rupiah"),
        )
        .where(then.c.status.in_(PAID_PLEDGE_STATUSES))
        .group_by(then.c.company_id)
        .subquery()
    )
    protected = (
        sa_select(col(Pledge.company_id), func.count().label("n"))
        .select_from(H)
        .join(Pledge, col(Pledge.id) == H.c.pledge_id)
        .where(col(Pledge.campaign_id) == campaign.id, in_force(day), protected_on_day(day))
        .group_by(col(Pledge.company_id))
        .subquery()
    )
    ever = (  # a card issued by then (cover running, ended or carried on by a renewal), each worker once
        sa_select(col(Pledge.company_id), func.count(func.distinct(H.c.worker_id)).label("n"))
        .select_from(H)
        .join(Pledge, col(Pledge.id) == H.c.pledge_id)
        .where(col(Pledge.campaign_id) == campaign.id, in_force(day), H.c.status.in_(CARD_STATUSES))
        .group_by(col(Pledge.company_id))
        .subquery()
    )
    return company_frame(
        session=session,
        campaign_id=campaign.id,
        pledged=pledged,
        protected_now=(protected, protected.c.n),
        protected_ever=(ever, ever.c.n),
        responded_by=cut,
    )


# ---------------------------------------------------------------------------------------------------------------
# Tables with Indonesian headers (shared by the Excel sheets and the PDF)

COVERAGE_HEADERS = {
    "kecamatan": "Kecamatan",
    "kelurahan": "Kelurahan",
    "workers": "Pekerja terdata",
    "eligible": "Memenuhi syarat",
    "protected": "Terlindungi",
    "in_process": "Dalam proses",
    "unprotected": "Belum terlindungi",
    **{part: label for part, (label, _) in PARTS.items()},
    "share_protected": "Porsi terlindungi",
}
FUNNEL_HEADERS = {
    "label": "Tahap",
    "companies": "Perusahaan",
    "conversion": "Konversi dari tahap sebelumnya",
    "share_of_sent": "Porsi dari surat terkirim",
}


def funnel_breakdown(df: pd.DataFrame, by: str, title: str) -> pd.DataFrame:
    labels = dict(STEPS)
    rate = label_of("response_rate")
    out = df.rename(columns={by: title, **labels, "response_rate": rate, "median_days": "Median hari"})
    return out.drop(columns=["answered"])[[title, *[labels[k] for k in STEP_KEYS], rate, "Median hari"]]


def company_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Perusahaan": df["company"],
            "Kecamatan": df["kecamatan"].fillna("-"),
            "Menjawab": pd.to_datetime(df["responded_at"], utc=True).dt.date,
            "Pekerja diikrarkan": df["workers_pledged"].astype(int),
            label_of("protected_now"): df["workers_protected"].astype(int),
            label_of("protected_ever"): df["workers_protected_ever"].astype(int),
            "Komitmen (Rp)": df["rupiah"],
        }
    )


def sheets(report: QuarterlyReport) -> dict[str, pd.DataFrame]:
    summary = report.headline_table()
    extra = pd.DataFrame(
        [(label_of("target"), report.target, None)]
        + [
            row
            for part, (label, _) in PARTS.items()
            for row in (
                (f"{label} (pekerja)", report.gaps.parts[part], None),
                (f"{label}: biaya {MONTHS} bulan (Rp)", report.gaps.cost(part), None),
            )
        ],
        columns=summary.columns,
    )
    return {
        "Ringkasan": pd.concat([summary, extra], ignore_index=True),
        "Penanggung": payer_table(report),
        "Corong": report.funnel.steps[list(FUNNEL_HEADERS)].rename(columns=FUNNEL_HEADERS),
        "Corong per sektor": funnel_breakdown(report.funnel.by_sector, "sector", "Sektor"),
        "Corong per kecamatan": funnel_breakdown(report.funnel.by_kecamatan, "kecamatan", "Kecamatan"),
        "Kecamatan": report.kecamatan.rename(columns=COVERAGE_HEADERS),
        "Kelurahan": report.kelurahan.drop(columns=["kelurahan_code"]).rename(columns=COVERAGE_HEADERS),
        "Celah per kelurahan": gap_sheet(report.gaps),
        "Perusahaan": company_table(report.companies),
        "Santunan": benefits_table(report.benefits),
        "Definisi angka": report.definitions(),
    }


def payer_rows(report: QuarterlyReport) -> dict[str, Any]:
    """Catalogue key -> value of the report's figures by payer: who pays the period's last month, the target,
    and the forecast with and without next year's APBD allocation (the Excel sheet and the PDF section)."""
    return {**report.payers.figures(), "target": report.payers.target, **report.outlook}


def payer_table(report: QuarterlyReport) -> pd.DataFrame:
    rows = [(figure(k).label, v) for k, v in payer_rows(report).items()]
    return pd.DataFrame(rows, columns=["Ukuran", f"Bulan {report.payers.month:%m/%Y}"])


BENEFIT_HEADERS = {
    "payer": "Pembayar (ikrar perusahaan)",
    "jkk_families": "Keluarga JKK",
    "jkk_amount": "Santunan JKK (Rp)",
    "jkm_families": "Keluarga JKM",
    "jkm_amount": "Santunan JKM (Rp)",
    "premiums": "Iuran dibayar (Rp)",
}


def benefits_table(benefits: CityBenefits) -> pd.DataFrame:
    """Benefits paid against premiums paid per payer, with a total row (no worker, no name of a worker)."""
    table = benefits.by_payer[list(BENEFIT_HEADERS)]
    total = pd.DataFrame([{"payer": "Jumlah", **{c: int(table[c].sum()) for c in list(BENEFIT_HEADERS)[1:]}}])
    total["jkk_families"] = benefits.total.by_programme["JKK"][0]  # a family counted once, not once per payer
    total["jkm_families"] = benefits.total.by_programme["JKM"][0]
    return pd.concat([table, total], ignore_index=True).rename(columns=BENEFIT_HEADERS)


def gap_sheet(the_gaps: Gaps) -> pd.DataFrame:
    """The gap split per kelurahan with its costs, and who to ask next for (b) and (c)."""
    headers = {"kelurahan": "Kelurahan", "kecamatan": "Kecamatan"}
    for part, (label, _) in PARTS.items():
        headers |= {part: label, f"{part}_cost": f"{label}: biaya {MONTHS} bulan (Rp)"}
    table = the_gaps.by_kelurahan[list(headers)].rename(columns=headers)
    ask = the_gaps.nearest.groupby("kelurahan", sort=False)["company"].agg(lambda names: "; ".join(names))
    table["Perusahaan terdekat yang belum menjawab (b, c)"] = (
        the_gaps.by_kelurahan["kelurahan"].map(ask).astype(object).fillna("-").to_numpy()
    )
    return table
