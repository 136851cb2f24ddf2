"""Impact report for the company's CSR/TJSL report: aggregates only, as a page and as a PDF."""

import streamlit as st

from models import Role
from services import pledges
from ui import badges, company, state, widgets
from ui import benefits as benefits_ui

actor = state.require(Role.COMPANY)
st.title("Laporan dampak")
rep = state.load(pledges.impact_report, actor=actor, company_id=actor.company_id or 0)

st.caption("Untuk laporan CSR/TJSL perusahaan. Hanya angka agregat, tanpa data pribadi pekerja.")
# "Dilindungi" only with a card: matched workers whose card is not issued yet are "didukung".
shown = list(rep.figures().items())
# Rows of three wide columns: a Rupiah figure of eight digits is never cut with an ellipsis (1400 px and up).
for start in range(0, len(shown), 3):
    for column, (key, value) in zip(st.columns(3), shown[start : start + 3], strict=False):
        widgets.metric(column, key, value)
widgets.definitions_link()
if rep.pledges == 0:
    st.info("Belum ada ikrar. Laporan akan terisi setelah Anda membuat ikrar dan pekerja dicocokkan.")
else:
    left, right = st.columns(2)
    left.markdown("**Per kecamatan**")
    left.altair_chart(company.impact_chart(rep.by_kecamatan, "kecamatan", "Kecamatan"), width="stretch")
    right.markdown("**Per jenis pekerjaan**")
    right.altair_chart(company.impact_chart(rep.by_occupation, "pekerjaan", "Pekerjaan"), width="stretch")
benefits_ui.company_block(rep.benefits)
st.download_button(
    "Unduh laporan (PDF)",
    lambda: pledges.impact_pdf(rep),  # built on the click, not on every view of the page
    file_name="laporan-dampak-payung.pdf",
    mime="application/pdf",
    type="primary",
    icon=":material/picture_as_pdf:",
    on_click="ignore",
)
badges.badge_section(actor)
