"""Escalation (city staff, viewers too): recipients still without an answer N days after the letter was sent."""

import streamlit as st

from models import Role
from services import campaign
from services.platform import fmt
from ui import state

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
    st.dataframe(
        late,
        column_config={
            "company": "Perusahaan",
            "status_label": "Status",
            "days_since_letter": st.column_config.NumberColumn("Hari sejak surat", format="%d"),
            "sector": "Sektor",
            "kecamatan": "Kecamatan",
            "employees": st.column_config.NumberColumn("Karyawan", format="localized"),
            "reminders": st.column_config.NumberColumn("Pengingat", format="%d"),
            "last_contact": st.column_config.DateColumn("Kontak terakhir", format="DD/MM/YYYY"),
        },
        hide_index=True,
        width="stretch",
    )
