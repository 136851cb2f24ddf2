"""Audit log (admin): who did or saw what. Opening this page is itself audited."""

import streamlit as st

from models import Role
from services.platform import audit_log
from ui import audit_view, state
from ui import campaign as campaign_ui

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
    "letter.": "Surat edaran",
    "recipient": "Penerima surat",
    "user.": "Pengguna",
    "password.": "Kata sandi",
}
prefix = st.selectbox("Jenis kegiatan", options=list(KINDS), format_func=KINDS.__getitem__)
# Filters by person, action, entity and time range; one page at a time, paginated in SQL; Excel export audited.
users, entities = state.load(audit_log.filter_options, actor=actor)
c1, c2, c3 = st.columns(3)
who = c1.selectbox("Pengguna", ["", *users], format_func=audit_view.everyone_or)
entity = c2.selectbox("Objek", ["", *entities], format_func=audit_view.everyone_or)
action = c3.text_input("Kegiatan diawali", placeholder="mis. letter. atau user.reset")
c4, c5, c6 = st.columns(3)
since = c4.date_input("Dari tanggal", value=None, format="DD/MM/YYYY")
until = c5.date_input("Sampai tanggal", value=None, format="DD/MM/YYYY")
page_no = int(c6.number_input("Halaman", min_value=1, value=1, step=1))
query = audit_view.query(username=who, action=action.strip() or prefix, entity=entity, since=since, until=until)
rows, total = state.load(audit_log.search, actor=actor, query=query, page=page_no, page_size=audit_view.PAGE_SIZE)
st.caption(audit_view.page_caption(total, page_no))
campaign_ui.download(
    "Ekspor ke Excel", audit_log.export_xlsx, "log-audit.xlsx", key="dl_audit", actor=actor, query=query
)
st.dataframe(
    audit_log.readable(rows),
    hide_index=True,
    width="stretch",
    column_config={
        "Waktu (WIB)": st.column_config.DatetimeColumn(format="DD/MM/YYYY HH.mm", timezone=audit_log.WIB),
        "Berhasil": st.column_config.CheckboxColumn(),
    },
)
