"""Impact report for the company's CSR/TJSL report: aggregates only, as a page and as a PDF."""

import streamlit as st

from models import Role
from services import pledges
from services.platform import fmt
from ui import badges, company, state
from ui import benefits as benefits_ui

actor = state.require(Role.COMPANY)
st.title("Laporan dampak")
rep = state.load(pledges.impact_report, actor=actor, company_id=actor.company_id or 0)

st.caption("Untuk laporan CSR/TJSL perusahaan. Hanya angka agregat, tanpa data pribadi pekerja.")
c1, c2, c3, c4, c5 = st.columns(5)
# "Dilindungi" only with a card: matched workers whose card is not issued yet are "didukung".
c1.metric("Pekerja didukung", fmt.number(rep.workers_supported), help="Pernah dicocokkan ke ikrar Anda.")
c2.metric("Kartu BPJS terbit", fmt.number(rep.cards_issued))
c3.metric(
    "Terlindungi saat ini", fmt.number(rep.workers_protected_now), help="Kartu terbit, masa perlindungan berjalan."
)
c4.metric("Komitmen dana", fmt.rupiah(rep.rupiah_committed), help="Semua ikrar kecuali yang dibatalkan.")
c5.metric("Bulan perlindungan", fmt.number(rep.worker_months), help="Jumlah pekerja × bulan dari semua ikrar.")
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
    pledges.impact_pdf(rep),
    file_name="laporan-dampak-payung.pdf",
    mime="application/pdf",
    type="primary",
    icon=":material/picture_as_pdf:",
)
badges.badge_section(actor)
