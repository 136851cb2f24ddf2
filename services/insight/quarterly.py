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
from typing import Any

import pandas as pd
from openpyxl import Workbook
from sqlmodel import Session

from services.insight.benefits import CityBenefits, city_benefits
from services.insight.catalogue import figure
from services.insight.dashboard import active_campaign, participating_companies
from services.insight.figures import label as label_of
from services.insight.funnel import STEP_KEYS, STEPS, Funnel, funnel
from services.insight.gaps import MONTHS, by_kecamatan, coverage_by_kelurahan
from services.insight.headline import CITY_ROLES, Snapshot, end_of_day, snapshot
from services.platform.authz import Actor, require_role
from services.platform.errors import NotFound, ValidationError
from services.platform.exports import safe_cell

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
# Excel number formats per catalogue unit (real numbers and dates, formatted by the cell).
EXCEL_FORMATS = {
    "rupiah": '"Rp"#,##0',
    "persen": "0.0%",
    "desimal": "#,##0.0",
    "km": "#,##0.0",
    "tanggal": "d mmm yyyy",
}
WHOLE_FORMAT = "#,##0"
# Table columns that are not plain counts, by their Indonesian header.
COLUMN_UNITS = {
    "Porsi terlindungi": "persen",
    "Konversi dari tahap sebelumnya": "persen",
    "Porsi dari surat terkirim": "persen",
    "Tingkat tanggapan": "persen",
    "Komitmen (Rp)": "rupiah",
    "Menjawab": "tanggal",
    "Median hari": "hari",
}


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
        keys = [*self.headline_values(), *TABLE_FIGURES]
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
        [
            (label_of("target"), report.target, None),
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
        "Definisi angka": report.definitions(),
    }


def _unit_of(sheet: str, header: str, row_label: object) -> str | None:
    """The unit of a cell: the summary's rows carry their figure's unit, other sheets their column's."""
    if sheet == "Ringkasan" and header != "Ukuran":
        by_label = {figure(k).label: figure(k).unit for _, k in HEADLINE_ROWS}
        return "rupiah" if str(row_label).endswith("(Rp)") else by_label.get(str(row_label))
    return COLUMN_UNITS.get(header) or ("rupiah" if header.endswith("(Rp)") else None)


def _write_sheet(ws: Any, name: str, title: str, df: pd.DataFrame) -> None:
    """Title in A1, headers on row 3, then the rows: numbers as numbers with a number format, dates as dates,
    text formula-safe, a dash where there is no value."""
    ws.append([safe_cell(title)])
    ws.append([])
    ws.append([safe_cell(str(c)) for c in df.columns])
    for values in df.itertuples(index=False):
        row: list[Any] = []
        for value in values:
            if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
                row.append("–")
            elif isinstance(value, str):
                row.append(safe_cell(value))
            elif isinstance(value, pd.Timestamp):
                row.append(value.date())
            elif hasattr(value, "item"):  # numpy scalars
                row.append(value.item())
            else:
                row.append(value)
        ws.append(row)
        for header, cell in zip(df.columns, ws[ws.max_row], strict=True):
            unit = _unit_of(name, str(header), row[0])
            if isinstance(cell.value, (int, float, dt.date)) and not isinstance(cell.value, bool):
                if isinstance(cell.value, dt.date):
                    unit = "tanggal"
                cell.number_format = EXCEL_FORMATS.get(unit or "", WHOLE_FORMAT)
    for column in ws.columns:
        width = max(len(str(c.value)) for c in column if c.value is not None) if column else 10
        ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 80)


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
    """One workbook, a sheet per table, ending with the definitions: numbers stay numbers with real number formats
    (Rupiah, percent, whole numbers), dates are dates (d mmm yyyy), text cells are formula-safe."""
    book = Workbook()
    book.remove(book.active)
    for name, df in sheets(report).items():
        _write_sheet(book.create_sheet(name), name, f"{report.label} - {report.letter_number}", df)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
