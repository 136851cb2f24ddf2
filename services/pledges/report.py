"""The company's impact report for its CSR/TJSL report: aggregates only, no personal data, as data and as PDF.

The PDF is drawn with fpdf2 alone (core Helvetica covers Latin-1, enough for Indonesian); the chart is a bar
chart drawn with fpdf2 rectangles, so nothing renders online and no browser is needed.
"""

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from fpdf import FPDF
from sqlalchemy import distinct
from sqlmodel import Session, col, func, select

from models import (
    LIVE_PLEDGE_STATUSES,
    PAID_PLEDGE_STATUSES,
    Assignment,
    AssignmentStatus,
    Campaign,
    Company,
    Kecamatan,
    Kelurahan,
    Pledge,
    Worker,
)
from services.insight.benefits import Benefits, benefits_for_company
from services.platform import audit, fmt
from services.platform.authz import Actor, require_company_access
from services.platform.dates import cover_end
from services.platform.errors import NotFound

# Assignments that mean a worker was (or is being) supported by the company.
_SUPPORTED = (
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.REGISTERED,
    AssignmentStatus.ACTIVE,
    AssignmentStatus.EXPIRED,
    AssignmentStatus.RENEWED,
)
GREEN = (11, 110, 79)
GREY = (201, 209, 211)


@dataclass(frozen=True)
class ImpactReport:
    company_name: str
    letter_number: str
    generated_on: dt.date
    pledges: int
    workers_pledged: int  # places promised in the pledges running now or last
    workers_supported: int  # distinct workers ever matched to the company
    workers_protected_now: int  # card issued, cover running
    cards_issued: int  # distinct workers with a KPJ card number through the company
    rupiah_committed: int
    worker_months: int  # workers x months promised
    first_cover: dt.date | None
    last_cover_end: dt.date | None
    by_kecamatan: pd.DataFrame  # kecamatan, pekerja
    by_occupation: pd.DataFrame  # pekerjaan, pekerja
    benefits: Benefits  # what the cover did: families that received JKK/JKM benefits, Rupiah paid (no names)


def impact_report(*, session: Session, actor: Actor, company_id: int, today: dt.date | None = None) -> ImpactReport:
    require_company_access(actor, company_id, session=session, action="report.impact")
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("Perusahaan tidak ditemukan. Hubungi Disnaker.")
    pledges = session.exec(
        select(Pledge).where(Pledge.company_id == company_id, col(Pledge.status).in_(PAID_PLEDGE_STATUSES))
    ).all()
    campaign = session.get(Campaign, pledges[0].campaign_id) if pledges else None
    live = [p for p in pledges if p.status in LIVE_PLEDGE_STATUSES]
    supported = (
        select(Assignment.worker_id)
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .where(Pledge.company_id == company_id, col(Assignment.status).in_(_SUPPORTED))
    )

    def _distinct_workers(*where: object) -> int:
        stmt = (
            select(func.count(distinct(col(Assignment.worker_id))))
            .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
            .where(Pledge.company_id == company_id, *where)  # type: ignore[arg-type]
        )
        return int(session.exec(stmt).one())

    def _grouped(label: object, join_kec: bool) -> pd.DataFrame:
        stmt = select(label, func.count(distinct(col(Worker.id)))).where(col(Worker.id).in_(supported))  # type: ignore[call-overload]
        if join_kec:
            stmt = stmt.join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code).join(
                Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code
            )
        rows = session.exec(stmt.group_by(label)).all()
        df = pd.DataFrame(rows, columns=["nama", "pekerja"])
        return df.sort_values(["pekerja", "nama"], ascending=[False, True]).reset_index(drop=True)

    report = ImpactReport(
        company_name=company.name,
        letter_number=campaign.letter_number if campaign else "",
        generated_on=today or dt.date.today(),
        pledges=len(pledges),
        workers_pledged=sum(p.workers for p in live),
        workers_supported=_distinct_workers(col(Assignment.status).in_(_SUPPORTED)),
        workers_protected_now=_distinct_workers(Assignment.status == AssignmentStatus.ACTIVE),
        cards_issued=_distinct_workers(col(Assignment.kpj_number).is_not(None)),
        rupiah_committed=sum(p.workers * p.months * p.premium_per_worker_month for p in pledges),
        worker_months=sum(p.workers * p.months for p in pledges),
        first_cover=min((p.start_month for p in pledges), default=None),
        last_cover_end=max((cover_end(p.start_month, p.months) for p in pledges), default=None),
        by_kecamatan=_grouped(Kecamatan.name, True).rename(columns={"nama": "kecamatan"}),
        by_occupation=_grouped(Worker.occupation, False).rename(columns={"nama": "pekerjaan"}),
        benefits=benefits_for_company(session=session, company_id=company_id),
    )
    audit.record(session=session, actor=actor, action="report.impact", entity="company", entity_id=company_id)
    session.commit()
    return report


def _latin1(text: str) -> str:
    """Core fonts are Latin-1: replace the few typographic characters outside it."""
    table = {"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "→": "->", "·": "-"}
    for a, b in table.items():
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _bar_chart(pdf: FPDF, title: str, df: pd.DataFrame, label: str, top: int = 13) -> None:
    data = df.head(top)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
    if data.empty:
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 6, "Belum ada pekerja yang dicocokkan.", new_x="LMARGIN", new_y="NEXT")
        return
    peak = max(int(data["pekerja"].max()), 1)
    label_w, bar_w, row_h = 55.0, 105.0, 6.0
    pdf.set_font("Helvetica", "", 9)
    for name, value in zip(data[label].astype(str).tolist(), data["pekerja"].astype(int).tolist(), strict=True):
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_xy(x, y)
        pdf.cell(label_w, row_h, _latin1(name[:34]))
        pdf.set_fill_color(*GREY)
        pdf.rect(x + label_w, y + 1, bar_w, row_h - 2, style="F")
        pdf.set_fill_color(*GREEN)
        pdf.rect(x + label_w, y + 1, max(bar_w * value / peak, 0.5), row_h - 2, style="F")
        pdf.set_xy(x + label_w + bar_w + 2, y)
        pdf.cell(20, row_h, fmt.number(value), new_x="LMARGIN", new_y="NEXT")
    if len(df) > top:
        pdf.set_font("Helvetica", "I", 8)
        pdf.cell(0, 5, f"dan {len(df) - top} lainnya", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def impact_pdf(report: ImpactReport, *, compress: bool = True) -> bytes:
    """A4 PDF: headline figures, bar charts by kecamatan and occupation. Aggregates only."""
    pdf = FPDF(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(_latin1(f"Laporan dampak Payung - {report.company_name}"))
    pdf.set_author("Payung - Pemerintah Kota Tangerang")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_text_color(*GREEN)
    pdf.multi_cell(0, 8, _latin1("Laporan dampak perlindungan pekerja rentan"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, _latin1(report.company_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    period = (
        f"{fmt.month(report.first_cover)} s.d. {fmt.long_date(report.last_cover_end)}" if report.first_cover else "-"
    )
    pdf.multi_cell(
        0,
        5,
        _latin1(
            f"Tanggapan atas {report.letter_number or 'surat edaran Wali Kota Tangerang'} - BPJS Ketenagakerjaan "
            f"program JKK dan JKM bagi pekerja rentan (Bukan Penerima Upah). Periode perlindungan: {period}. "
            f"Dibuat {fmt.long_date(report.generated_on)}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    figures = [
        # "Dilindungi" only once a card is issued: matched workers are "didukung" until then.
        ("Pekerja didukung (dicocokkan ke ikrar)", fmt.number(report.workers_supported)),
        ("Kartu peserta BPJS terbit", fmt.number(report.cards_issued)),
        ("Terlindungi saat ini", fmt.number(report.workers_protected_now)),
        ("Komitmen dana (Rupiah)", fmt.rupiah(report.rupiah_committed)),
        ("Bulan perlindungan (pekerja x bulan)", fmt.number(report.worker_months)),
        ("Jumlah ikrar (tanpa yang dibatalkan)", fmt.number(report.pledges)),
        ("Keluarga penerima santunan (JKK/JKM)", fmt.number(report.benefits.families)),
        ("Santunan dibayar BPJS", fmt.rupiah(report.benefits.amount)),
    ]
    pdf.set_font("Helvetica", "", 10)
    for label, value in figures:
        pdf.set_fill_color(240, 245, 243)
        pdf.cell(95, 8, _latin1(label), border=0, fill=True)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 8, _latin1(value), border=0, fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.ln(1)
    for sentence in report.benefits.sentences():
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 6, _latin1(f"{sentence}."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _bar_chart(pdf, "Pekerja didukung per kecamatan", report.by_kecamatan, "kecamatan")
    _bar_chart(pdf, "Pekerja didukung per jenis pekerjaan", report.by_occupation, "pekerjaan")
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        _latin1(
            "Laporan ini hanya memuat angka agregat dan tidak memuat data pribadi (UU No. 27 Tahun 2022 tentang "
            "Pelindungan Data Pribadi). Sumber: Payung, Pemerintah Kota Tangerang."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
