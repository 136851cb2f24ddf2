"""The demo letter as a PDF, so the company home links the letter itself, not only its text."""

from fpdf import FPDF

from models import Campaign
from services.insight.report_pdf import pdf_text
from services.platform import fmt


def letter_pdf(campaign: Campaign) -> tuple[str, bytes]:
    """(file name, PDF) of the circular letter: the city's heading, number, date, subject, body and deadline."""
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 20, 25)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, "PEMERINTAH KOTA TANGERANG", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 6, "Jl. Satria Sudirman No. 1, Sukaasih, Kota Tangerang", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.line(25, pdf.get_y() + 2, 185, pdf.get_y() + 2)
    pdf.ln(8)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 7, "SURAT EDARAN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, pdf_text(campaign.letter_number), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 6, pdf_text(f"Tentang: {campaign.subject}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(0, 6, pdf_text(campaign.body), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(
        0,
        6,
        pdf_text(
            "Perusahaan dimohon menyampaikan tanggapan melalui portal Payung paling lambat "
            f"{fmt.long_date(campaign.response_deadline)}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(8)
    pdf.cell(0, 6, pdf_text(f"Tangerang, {fmt.long_date(campaign.letter_date)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "WALI KOTA TANGERANG", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 8)
    pdf.ln(10)
    pdf.cell(0, 5, "Salinan demo: data sintetis, bukan dokumen resmi.", new_x="LMARGIN", new_y="NEXT")
    return "surat-edaran-14422-2024.pdf", bytes(pdf.output())
