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
from services.insight.figures import CARD_ISSUED, SUPPORTED, cover_months, worker_months_sql
from services.insight.figures import label as label_figure
from services.insight.figures import show as show_figure
from services.platform import audit, fmt
from services.platform.authz import Actor, require_company_access
from services.platform.dates import cover_end
from services.platform.errors import NotFound
from services.platform.text import pdf_text

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
    cards_issued: int  # Pernah dilindungi: distinct workers with a card ever issued through the company
    rupiah_committed: int
    worker_months: int  # Pekerja-bulan: per matched or registered worker, its pledge's months
    cover_months: int  # Bulan perlindungan: first pledged month to the end of the last
    first_cover: dt.date | None
    last_cover_end: dt.date | None
    by_kecamatan: pd.DataFrame  # kecamatan, pekerja
    by_occupation: pd.DataFrame  # pekerjaan, pekerja
    benefits: Benefits  # what the cover did: families that received JKK/JKM benefits, Rupiah paid (no names)

    def figures(self) -> dict[str, int]:
        """The report's catalogued figures, in the order the page and the PDF show them."""
        return {
            "company.workers_supported": self.workers_supported,
            "company.protected_ever": self.cards_issued,
            "company.protected_now": self.workers_protected_now,
            "company.rupiah_committed": self.rupiah_committed,
            "company.cover_months": self.cover_months,
            "company.worker_months": self.worker_months,
        }

    def benefits_figures(self) -> dict[str, int]:
        """What the cover did, as catalogued figures: families that received benefits and the Rupiah paid."""
        return {"benefit_families": self.benefits.families, "benefits_paid": self.benefits.amount}


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
        .where(Pledge.company_id == company_id, col(Assignment.status).in_(SUPPORTED))
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
        workers_supported=_distinct_workers(col(Assignment.status).in_(SUPPORTED)),
        workers_protected_now=_distinct_workers(Assignment.status == AssignmentStatus.ACTIVE),
        cards_issued=_distinct_workers(col(Assignment.status).in_(CARD_ISSUED)),
        rupiah_committed=sum(p.workers * p.months * p.premium_per_worker_month for p in pledges),
        worker_months=int(
            session.exec(
                select(worker_months_sql())
                .select_from(Assignment)
                .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
                .where(Pledge.company_id == company_id, col(Pledge.status).in_(PAID_PLEDGE_STATUSES))
            ).one()
        ),
        cover_months=cover_months([(p.start_month, p.months) for p in pledges]),
        first_cover=min((p.start_month for p in pledges), default=None),
        last_cover_end=max((cover_end(p.start_month, p.months) for p in pledges), default=None),
        by_kecamatan=_grouped(Kecamatan.name, True).rename(columns={"nama": "kecamatan"}),
        by_occupation=_grouped(Worker.occupation, False).rename(columns={"nama": "pekerjaan"}),
        benefits=benefits_for_company(session=session, company_id=company_id),
    )
    audit.record(session=session, actor=actor, action="report.impact", entity="company", entity_id=company_id)
    session.commit()
    return report


def _bar_chart(pdf: FPDF, title: str, df: pd.DataFrame, label: str, top: int = 13) -> None:
    data = df.head(top)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, pdf_text(title), new_x="LMARGIN", new_y="NEXT")
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
        pdf.cell(label_w, row_h, pdf_text(name[:34]))
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
    pdf.set_title(pdf_text(f"Laporan dampak Payung - {report.company_name}"))
    pdf.set_author("Payung - Pemerintah Kota Tangerang")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_text_color(*GREEN)
    pdf.multi_cell(0, 8, pdf_text("Laporan dampak perlindungan pekerja rentan"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 7, pdf_text(report.company_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    period = (
        f"{fmt.month(report.first_cover)} s.d. {fmt.long_date(report.last_cover_end)}" if report.first_cover else "-"
    )
    pdf.multi_cell(
        0,
        5,
        pdf_text(
            f"Tanggapan atas {report.letter_number or 'surat edaran Wali Kota Tangerang'} - BPJS Ketenagakerjaan "
            f"program JKK dan JKM bagi pekerja rentan (Bukan Penerima Upah). Periode perlindungan: {period}. "
            f"Dibuat {fmt.long_date(report.generated_on)}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    figures = [(label_figure(k), show_figure(k, v)) for k, v in report.figures().items()]
    figures.append(("Jumlah ikrar (tanpa yang dibatalkan)", fmt.number(report.pledges)))
    figures += [(label_figure(k), show_figure(k, v)) for k, v in report.benefits_figures().items()]
    pdf.set_font("Helvetica", "", 10)
    for label, value in figures:
        pdf.set_fill_color(240, 245, 243)
        pdf.cell(95, 8, pdf_text(label), border=0, fill=True)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 8, pdf_text(value), border=0, fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.ln(1)
    for sentence in report.benefits.sentences():
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 6, pdf_text(f"{sentence}."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _bar_chart(pdf, "Pekerja didukung per kecamatan", report.by_kecamatan, "kecamatan")
    _bar_chart(pdf, "Pekerja didukung per jenis pekerjaan", report.by_occupation, "pekerjaan")
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        pdf_text(
            "Laporan ini hanya memuat angka agregat dan tidak memuat data pribadi (UU No. 27 Tahun 2022 tentang "
            "Pelindungan Data Pribadi). Sumber: Payung, Pemerintah Kota Tangerang."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
