"""The quarterly progress report for regional heads and the Paritrana award: headline at the quarter's end and
its change over the quarter, the funnel, coverage per kecamatan and kelurahan (map), the participating
companies. Aggregates only - no worker data. Every file made is audited (`report.quarterly`).

Every figure is as it stood at the end of the quarter's last day (or today, for the running quarter), read from
the state history (`services.insight.asof`): the headline and its change, the funnel, coverage per kecamatan and
kelurahan, the gap split (a)/(b)/(c) with its costs, and the companies. So a report of a past quarter made today
equals the one made on the quarter's last day (tests/integration/test_history.py); the one thing read as it is
today is whether a worker is covered elsewhere (not historised).
"""

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func

from models import (
    LIVE_PLEDGE_STATUSES,
    PAID_PLEDGE_STATUSES,
    Campaign,
    Company,
    Kecamatan,
    Kelurahan,
    LetterRecipient,
    Pledge,
)
from services.insight.asof import H, end_of_day, in_force, pledge_periods, protected_on_day
from services.insight.dashboard import active_campaign
from services.insight.funnel import STEP_KEYS, STEPS, Funnel, funnel
from services.insight.gaps import MONTHS, PARTS, Gaps, by_kecamatan, coverage_by_kelurahan, gaps
from services.insight.headline import CITY_ROLES, Snapshot, snapshot
from services.platform.authz import Actor, require_role
from services.platform.errors import NotFound, ValidationError
from services.platform.exports import safe_cell

HEADLINE_ROWS = [
    ("protected", "Pekerja terlindungi (kartu terbit, perlindungan berjalan)"),
    ("in_process", "Pekerja dalam proses (dicocokkan/didaftarkan)"),
    ("pledged", "Pekerja yang diikrarkan"),
    ("rupiah", "Komitmen dana perusahaan (Rp)"),
    ("companies_participating", "Perusahaan yang menjawab"),
    ("letters_sent", "Surat edaran terkirim"),
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

    @property
    def gap_workers(self) -> int:
        return self.gaps.workers

    @property
    def gap_budget(self) -> int:
        return self.gaps.budget

    @property
    def label(self) -> str:
        return f"Triwulan {self.quarter} {self.year}"

    def headline_table(self) -> pd.DataFrame:
        rows = [
            (label, getattr(self.at_end, key), getattr(self.at_end, key) - getattr(self.at_start, key))
            for key, label in HEADLINE_ROWS
        ]
        return pd.DataFrame(rows, columns=["Ukuran", "Akhir periode", "Perubahan dalam triwulan"])


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
    )


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
    rows = session.execute(
        sa_select(
            col(Company.name),
            col(Kecamatan.name),
            col(LetterRecipient.responded_at),
            pledged.c.workers,
            func.coalesce(protected.c.n, 0),
            pledged.c.rupiah,
            col(Company.show_amount),
        )
        .join(pledged, pledged.c.company_id == col(Company.id))
        .join(
            LetterRecipient,
            (col(LetterRecipient.company_id) == Company.id) & (col(LetterRecipient.campaign_id) == campaign.id),
        )
        .outerjoin(protected, protected.c.company_id == col(Company.id))
        .outerjoin(Kelurahan, col(Kelurahan.code) == Company.kelurahan_code)
        .outerjoin(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .where(col(LetterRecipient.responded_at) <= cut)
        .order_by(col(LetterRecipient.responded_at).asc(), col(Company.name))
    ).all()
    columns = ["company", "kecamatan", "responded_at", "workers_pledged", "workers_protected", "rupiah", "show"]
    df = pd.DataFrame(rows, columns=columns)
    df["hidden"] = ~df["show"].astype(bool)
    df["rupiah"] = df["rupiah"].astype(object)
    df.loc[df["hidden"], "rupiah"] = None
    return df.drop(columns=["show"]).astype({"workers_pledged": int, "workers_protected": int})


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
    out = df.rename(columns={by: title, **labels, "response_rate": "Tingkat respons", "median_days": "Median hari"})
    return out.drop(columns=["answered"])[[title, *[labels[k] for k in STEP_KEYS], "Tingkat respons", "Median hari"]]


def company_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Perusahaan": df["company"],
            "Kecamatan": df["kecamatan"].fillna("-"),
            "Menjawab": pd.to_datetime(df["responded_at"], utc=True).dt.date,
            "Pekerja diikrarkan": df["workers_pledged"].astype(int),
            "Pekerja terlindungi": df["workers_protected"].astype(int),
            "Komitmen (Rp)": df["rupiah"],
        }
    )


def sheets(report: QuarterlyReport) -> dict[str, pd.DataFrame]:
    summary = report.headline_table()
    extra = pd.DataFrame(
        [("Target kota (pekerja)", report.target, None)]
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
        "Corong": report.funnel.steps[list(FUNNEL_HEADERS)].rename(columns=FUNNEL_HEADERS),
        "Corong per sektor": funnel_breakdown(report.funnel.by_sector, "sector", "Sektor"),
        "Corong per kecamatan": funnel_breakdown(report.funnel.by_kecamatan, "kecamatan", "Kecamatan"),
        "Kecamatan": report.kecamatan.rename(columns=COVERAGE_HEADERS),
        "Kelurahan": report.kelurahan.drop(columns=["kelurahan_code"]).rename(columns=COVERAGE_HEADERS),
        "Celah per kelurahan": gap_sheet(report.gaps),
        "Perusahaan": company_table(report.companies),
    }


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


def to_excel(report: QuarterlyReport) -> bytes:
    """One workbook, a sheet per table; numbers stay numbers, text cells are formula-safe."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, df in sheets(report).items():
            safe = df.copy()
            safe.columns = [safe_cell(str(c)) for c in safe.columns]
            for column in safe.columns:
                if not pd.api.types.is_numeric_dtype(safe[column]):
                    safe[column] = safe[column].astype(object).map(safe_cell)
            title = pd.DataFrame({f"{report.label} - {report.letter_number}": []})
            title.to_excel(writer, sheet_name=name, index=False)
            safe.to_excel(writer, sheet_name=name, index=False, startrow=2)
    return buffer.getvalue()
