"""Audit log (admin): who did or saw what. Opening this page is itself audited."""

import streamlit as st

from models import Role
from services.platform import audit_log
from ui import state

actor = state.require(Role.ADMIN)
st.title("Log audit")
st.caption("Catatan pemrosesan data pribadi sesuai UU PDP: setiap tampilan dan ekspor data pribadi tercatat.")
# format_func must pickle (serializable session state under AppTest): a dict's bound method does, a lambda not.
KINDS = {
    "": "Semua",
    "auth.": "Login/keluar",
    "access.": "Akses ditolak",
    "pledge.": "Ikrar",
    "matching.": "Pencocokan",
    "company.": "Perusahaan",
    "report.": "Laporan",
}
prefix = st.selectbox("Jenis kegiatan", options=list(KINDS), format_func=KINDS.__getitem__)
rows = state.load(audit_log.recent, actor=actor, action_prefix=prefix)
st.dataframe(
    audit_log.readable(rows),
    hide_index=True,
    width="stretch",
    column_config={
        "Waktu (WIB)": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH.mm", timezone=audit_log.WIB),
        "Berhasil": st.column_config.CheckboxColumn(),
    },
)
