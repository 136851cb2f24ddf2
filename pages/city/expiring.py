"""Cover ending soon (city): by company and by month, with the 60/30/7-day level. Admins can write expiry down
now (the same refresh as the daily `python -m services.coverage refresh`)."""

import streamlit as st

from models import Role
from services import coverage
from services.platform import fmt
from ui import state
from ui.tables import indonesian_styler

actor = state.require(Role.ADMIN, Role.VIEWER)
st.title("Masa perlindungan")
st.caption("Kepesertaan aktif yang berakhir dalam 60 hari (pengingat 60/30/7 hari). Yang berakhir tanpa "
           "perpanjangan kembali ke daftar pekerja belum terlindungi.")  # fmt: skip
if actor.is_admin and st.button("Perbarui status berakhir sekarang", icon=":material/update:"):
    counts = state.act(coverage.refresh, actor=actor)
    if counts is not None:
        st.success(
            f"{fmt.number(counts['assignments_expired'])} kepesertaan dan {fmt.number(counts['pledges_expired'])} "
            f"ikrar berakhir; {fmt.number(counts['covered_lapsed'])} tanggungan pihak lain selesai."
        )

by_company = state.load(coverage.expiring_by_company, actor=actor)
st.subheader("Per perusahaan")
if by_company.empty:
    st.success("Tidak ada perlindungan yang berakhir dalam 60 hari.")
else:
    headers = {
        "company": "Perusahaan",
        "pledge_id": "Ikrar",
        "coverage_end": "Berakhir",
        "workers": "Pekerja",
        "days_left": "Sisa hari",
        "level": "Pengingat",
    }
    st.dataframe(indonesian_styler(by_company, headers, ids=("pledge_id",)), hide_index=True, width="stretch")
by_month = state.load(coverage.expiring_by_month, actor=actor)
st.subheader("Per bulan (12 bulan ke depan)")
if by_month.empty:
    st.caption("Belum ada kepesertaan aktif.")
else:
    st.dataframe(
        indonesian_styler(
            by_month.assign(month=by_month["month"].map(fmt.month)), {"month": "Bulan", "workers": "Pekerja"}
        ),
        hide_index=True,
        width="stretch",
    )
