"""Escalation (city staff, viewers too): recipients still without an answer N days after the letter was sent."""

import streamlit as st

from models import Role
from services import campaign
from services.platform import fmt
from ui import state
from ui.tables import indonesian_styler

actor = state.require(Role.ADMIN, Role.VIEWER)
st.title("Eskalasi")
days, late = state.load(campaign.escalation, actor=actor)
st.caption(
    f"Perusahaan yang belum menjawab {days} hari atau lebih setelah surat dikirim (batas eskalasi diatur pada surat "
    "edaran). Untuk ditindaklanjuti oleh pimpinan."
)
st.metric("Perlu eskalasi", fmt.number(len(late)))
if late.empty:
    st.success("Tidak ada penerima yang melewati batas eskalasi.")
else:
    headers = {
        "company": "Perusahaan",
        "status_label": "Status",
        "days_since_letter": "Hari sejak surat",
        "sector": "Sektor",
        "kecamatan": "Kecamatan",
        "employees": "Karyawan",
        "reminders": "Pengingat",
        "last_contact": "Kontak terakhir",
    }
    st.dataframe(indonesian_styler(late, headers, days=("days_since_letter",)), hide_index=True, width="stretch")
