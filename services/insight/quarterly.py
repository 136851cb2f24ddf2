"""The quarterly progress report for regional heads and the Paritrana award: headline at the quarter's end and
its change over the quarter, the funnel, coverage per kecamatan and kelurahan (map), the participating
companies. Aggregates only - no worker data. Every file made is audited (`report.quarterly`).

The headline and the funnel are rebuilt as they stood on the quarter's last day (or today, for the running
quarter) from timestamps; coverage per kecamatan/kelurahan and the gap are as of the day the report is made,
and the report says so.
"""

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from services.insight.benefits import CityBenefits, city_benefits
from services.insight.dashboard import active_campaign, participating_companies
from services.insight.funnel import STEP_KEYS, STEPS, Funnel, funnel
from services.insight.gaps import MONTHS, by_kecamatan, coverage_by_kelurahan
from services.insight.headline import CITY_ROLES, Snapshot, end_of_day, snapshot
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
    gap_workers: int
    gap_budget: int
    benefits: CityBenefits  # benefits paid (to the quarter's end) against premiums paid, per payer

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
    coverage = coverage_by_kelurahan(session=session, actor=actor)
    companies = participating_companies(session=session)
    responded = pd.to_datetime(companies["responded_at"], utc=True)
    companies = companies[responded <= pd.Timestamp(end_of_day(end))]
    the_funnel = funnel(session=session, actor=actor, as_of=end)
    assert the_funnel is not None
    gap = int(coverage["gap"].sum())
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
        companies=companies.reset_index(drop=True),
        gap_workers=gap,
        gap_budget=gap * MONTHS * campaign.premium_jkk_jkm,
        benefits=city_benefits(session=session, actor=actor, until=end),
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
    "gap": "Celah (tak terjangkau ikrar)",
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
        [
            ("Target kota (pekerja)", report.target, None),
            ("Celah: pekerja tak terjangkau ikrar (saat laporan dibuat)", report.gap_workers, None),
            (f"Anggaran menutup celah {MONTHS} bulan (Rp)", report.gap_budget, None),
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
        "Perusahaan": company_table(report.companies),
        "Santunan": benefits_table(report.benefits),
    }


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
