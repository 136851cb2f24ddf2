"""Audit log (admin): who did or saw what. Opening this page is itself audited."""

import streamlit as st

from models import Role
from services.platform import audit_log, fmt
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
    "match.": "Pencocokan",
    "worker.": "Data pekerja",
}
prefix = st.selectbox("Jenis kegiatan", options=list(KINDS), format_func=KINDS.__getitem__)
rows = state.load(audit_log.recent, actor=actor, action_prefix=prefix)
rows["at"] = rows["at"].map(lambda t: f"{fmt.date(t)} {t:%H:%M}")
rows["detail"] = rows["detail"].map(lambda d: ", ".join(f"{k}={v}" for k, v in d.items()))
st.dataframe(
    rows.rename(
        columns={
            "at": "Waktu (UTC)",
            "username": "Pengguna",
            "action": "Kegiatan",
            "entity": "Objek",
            "entity_id": "ID",
            "success": "Berhasil",
            "detail": "Rincian",
        }
    ),
    hide_index=True,
    width="stretch",
)
