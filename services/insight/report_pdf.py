"""The quarterly report as PDF (fpdf2 alone: the map is drawn as polygons from the kelurahan GeoJSON, so no
browser and no network are needed) and the audited download of either format."""

import datetime as dt
import math
from collections.abc import Callable, Sequence

import pandas as pd
from fpdf import FPDF
from sqlmodel import Session

from services.insight.catalogue import figure
from services.insight.figures import label as label_of
from services.insight.figures import ratio, show
from services.insight.gaps import gap_sentence
from services.insight.headline import CITY_ROLES
from services.insight.mapdata import kelurahan_features, rings
from services.insight.quarterly import (
    BENEFIT_HEADERS,
    COVERAGE_HEADERS,
    FUNNEL_HEADERS,
    QuarterlyReport,
    benefits_table,
    company_table,
    payer_rows,
    payer_table,
    quarterly_report,
)
from services.insight.quarterly_excel import to_excel
from services.platform import audit, fmt
from services.platform.authz import Actor, require_role
from services.platform.errors import ValidationError
from services.platform.text import pdf_text

FORMATS = ("pdf", "xlsx")
GREEN = (11, 110, 79)
# Share protected in five classes, light to dark green; grey where nobody is registered.
CLASSES = [0.05, 0.10, 0.20, 0.40]
RAMP = [(237, 248, 233), (186, 228, 179), (116, 196, 118), (49, 163, 84), (0, 109, 44)]
NO_DATA = (220, 220, 220)


def colour_for(share: float | None) -> tuple[int, int, int]:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return NO_DATA
    return RAMP[sum(share >= c for c in CLASSES)]


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 12)
    pdf.set_text_color(*GREEN)
    pdf.cell(0, 7, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _cell_text(value: object, formatter: Callable[[object], str] | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if formatter is not None:
        return formatter(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt.number(value)
    if isinstance(value, dt.date):
        return fmt.date(value)
    return str(value)


def _table(
    pdf: FPDF,
    df: pd.DataFrame,
    widths: Sequence[float],
    formatters: dict[str, Callable[[object], str]] | None = None,
) -> None:
    formatters = formatters or {}
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(230, 240, 236)
    for column, w in zip(df.columns, widths, strict=True):
        pdf.cell(w, 6, pdf_text(column)[:40], border=1, fill=True)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for row in df.itertuples(index=False):
        if pdf.get_y() > pdf.h - 20:
            pdf.add_page()
        for column, value, w in zip(df.columns, row, widths, strict=True):
            text = _cell_text(value, formatters.get(column))
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            pdf.cell(w, 5, pdf_text(text)[: int(w / 1.6)], border=1, align="R" if numeric else "L")
        pdf.ln()


def draw_map(pdf: FPDF, features: list[dict], x: float, y: float, width: float, height: float) -> None:
    """Kelurahan polygons coloured by share protected, fitted into the box (equirectangular at the city's lat)."""
    points = [p for f in features for ring in rings(f) for p in ring]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    kx = math.cos(math.radians(sum(lats) / len(lats)))
    span_x, span_y = (max(lons) - min(lons)) * kx, max(lats) - min(lats)
    scale = min(width / span_x, height / span_y)
    x0, y0 = min(lons), max(lats)

    def to_page(lon: float, lat: float) -> tuple[float, float]:
        return x + (lon - x0) * kx * scale, y + (y0 - lat) * scale

    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(0.15)
    for feature in features:
        pdf.set_fill_color(*colour_for(feature["properties"].get("share_protected")))
        for ring in rings(feature):
            pdf.polygon([to_page(lon, lat) for lon, lat in ring], style="DF")
    pdf.set_draw_color(0, 0, 0)
    # Legend under the map.
    ly = y + span_y * scale + 3
    labels = ["< 5%", "5-10%", "10-20%", "20-40%", ">= 40%", "tanpa data"]
    pdf.set_font("Helvetica", "", 7)
    for i, (label, colour) in enumerate(zip(labels, [*RAMP, NO_DATA], strict=True)):
        pdf.set_fill_color(*colour)
        pdf.rect(x + i * 28, ly, 5, 4, style="F")
        pdf.set_xy(x + i * 28 + 6, ly)
        pdf.cell(20, 4, pdf_text(label))
    pdf.set_xy(pdf.l_margin, ly + 7)


def quarterly_pdf(report: QuarterlyReport) -> bytes:
    """A4: headline and change over the quarter, funnel, map, kecamatan table, participating companies."""
    pdf = FPDF(format="A4")
    pdf.set_title(pdf_text(f"Laporan kemajuan {report.label} - Payung"))
    pdf.set_author("Payung - Pemerintah Kota Tangerang")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_text_color(*GREEN)
    pdf.multi_cell(
        0, 8, pdf_text(f"Laporan kemajuan perlindungan pekerja rentan - {report.label}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        pdf_text(
            f"Kota Tangerang, {report.letter_number}. Periode {fmt.date(report.start)} s.d. {fmt.date(report.end)}; "
            f"target kota {fmt.number(report.target)} pekerja; iuran JKK + JKM {fmt.rupiah(report.premium)} per "
            f"pekerja per bulan. Dibuat {fmt.long_date(report.generated_on)}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _heading(pdf, "Capaian")
    headline = pd.DataFrame(
        [
            (label_of(key), show(key, end), ("+" if change >= 0 else "-") + show(key, abs(change)))
            for key, (end, change) in report.headline_values().items()
        ],
        columns=report.headline_table().columns,
    )
    _table(pdf, headline, [100, 40, 45])
    progress = ratio(report.at_end.protected, report.target)
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        pdf_text(f"{label_of('progress')} {show('progress', progress)}. {gap_sentence(report.gaps)}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _payers_section(pdf, report)
    _heading(pdf, "Corong kampanye (perusahaan)")
    steps = report.funnel.steps[list(FUNNEL_HEADERS)].rename(columns=FUNNEL_HEADERS)
    pct = {c: (lambda v: fmt.percent(float(v))) for c in list(FUNNEL_HEADERS.values())[2:]}  # type: ignore[arg-type]
    _table(pdf, steps, [60, 30, 50, 45], pct)
    median = report.funnel.median_days_to_answer
    days = fmt.number(round(median)) if median is not None else "-"
    pdf.cell(0, 6, pdf_text(f"Median hari dari surat ke jawaban: {days}"), new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    _heading(pdf, "Peta porsi pekerja terlindungi per kelurahan (akhir periode)")
    draw_map(pdf, kelurahan_features(report.kelurahan), pdf.l_margin, pdf.get_y() + 2, 180, 150)
    _heading(pdf, "Per kecamatan (akhir periode)")
    short = {"open_places": "Celah (a)", "beyond_places": "Celah (b)", "gap": "Celah (c)"}
    kec = report.kecamatan.rename(columns=COVERAGE_HEADERS | short)
    share = {"Porsi terlindungi": lambda v: fmt.percent(float(v))}  # type: ignore[arg-type]
    _table(pdf, kec, [24, 17, 19, 17, 17, 20, 16, 16, 16, 22], share)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(
        0,
        4,
        pdf_text(
            "Celah (a): terjangkau tempat kosong ikrar berjalan; (b): terjangkau ikrar tetapi melebihi tempatnya; "
            "(c): tidak terjangkau ikrar mana pun."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )

    _benefits_section(pdf, report)

    pdf.add_page()
    _heading(pdf, f"Perusahaan yang berpartisipasi ({fmt.number(len(report.companies))})")
    companies = company_table(report.companies)
    rupiah = {"Komitmen (Rp)": lambda v: fmt.rupiah(float(v))}  # type: ignore[arg-type]
    _table(pdf, companies.fillna({"Komitmen (Rp)": float("nan")}), [52, 24, 20, 20, 22, 22, 30], rupiah)
    pdf.set_font("Helvetica", "I", 7)
    pdf.multi_cell(
        0,
        4,
        pdf_text(
            "Hanya angka agregat; tidak memuat data pribadi pekerja (UU No. 27 Tahun 2022). Komitmen '-' = "
            "perusahaan memilih merahasiakan nilainya. Sumber: Payung, Pemerintah Kota Tangerang."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _definitions(pdf, report.definitions())
    return bytes(pdf.output())


def _definitions(pdf: FPDF, definitions: pd.DataFrame) -> None:
    """The report ends with the definition of every catalogued figure it used."""
    _heading(pdf, "Definisi angka dalam laporan ini")
    for name, definition, rounding in definitions.itertuples(index=False):
        pdf.set_font("Helvetica", "B", 8)
        pdf.cell(0, 5, pdf_text(name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8)
        pdf.multi_cell(0, 4, pdf_text(f"{definition} Pembulatan: {rounding}."), new_x="LMARGIN", new_y="NEXT")


PAYERS_HEADING = "Siapa yang menanggung"


def _payers_section(pdf: FPDF, report: QuarterlyReport) -> None:
    """The catalogued figures by payer for the period's last month, as the report page shows them."""
    _heading(pdf, f"{PAYERS_HEADING} ({fmt.month(report.payers.month)})")
    table = payer_table(report)
    shown = [figure(k).format(v) for k, v in payer_rows(report).items()]
    _table(pdf, table.assign(**{table.columns[1]: shown}), [120, 50])
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(
        0,
        4,
        pdf_text(
            "Satu pekerja satu penanggung per bulan. Anggaran kota yang masih dibutuhkan: iuran 12 bulan bagi "
            "pekerja yang masih kurang dari target setelah semua penanggung (APBD Kota, CSR, program lain, mandiri). "
            "Perkiraan per akhir periode; tanda - berarti tidak tercapai dalam 10 tahun."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _benefits_section(pdf: FPDF, report: QuarterlyReport) -> None:
    _heading(pdf, f"Santunan dibayar BPJS dan iuran dibayar (s.d. {fmt.date(report.end)})")
    b = report.benefits
    pdf.set_font("Helvetica", "", 9)
    lines = b.total.sentences() or ["Belum ada klaim JKK/JKM yang dibayar"]
    ratio = f"; santunan per iuran {fmt.percent(b.ratio)}" if b.ratio is not None else ""
    text = f"{'; '.join(lines)}. Santunan {fmt.rupiah(b.total.amount)} dari iuran {fmt.rupiah(b.premiums)}{ratio}."
    pdf.multi_cell(0, 5, pdf_text(text), new_x="LMARGIN", new_y="NEXT")
    rupiah = {c: lambda v: fmt.rupiah(float(v)) for c in BENEFIT_HEADERS.values() if "(Rp)" in c}  # type: ignore[arg-type]
    _table(pdf, benefits_table(b).head(40), [60, 20, 28, 20, 28, 30], rupiah)


def quarterly_file(
    *, session: Session, actor: Actor, year: int, quarter: int, kind: str, today: dt.date | None = None
) -> bytes:
    """The quarterly report as PDF or Excel; the download is audited (and committed) with what was made."""
    require_role(actor, *CITY_ROLES, session=session, action="report.quarterly")
    if kind not in FORMATS:
        raise ValidationError("Format laporan harus PDF atau Excel.")
    report = quarterly_report(session=session, actor=actor, year=year, quarter=quarter, today=today)
    data = quarterly_pdf(report) if kind == "pdf" else to_excel(report)
    audit.record(
        session=session,
        actor=actor,
        action="report.quarterly",
        entity="campaign",
        entity_id=report.letter_number,
        quarter=f"{year}-Q{quarter}",
        format=kind,
        size=len(data),
    )
    session.commit()
    return data
