"""City overview (admin and viewer): progress toward the target and coverage per kecamatan."""

import streamlit as st

from models import Role
from services.insight import dashboard
from services.platform import fmt
from ui import charts, state, widgets

state.require(Role.ADMIN, Role.VIEWER)
with state.db() as s:
    progress = dashboard.campaign_progress(session=s)
    by_kecamatan = dashboard.coverage_by_kecamatan(session=s)

st.title("Ringkasan kota")
if progress is None:
    st.info("Belum ada surat edaran aktif.")
    st.stop()
widgets.progress_block(progress)
st.metric("Tingkat respons perusahaan", fmt.percent(progress.response_rate))

st.subheader("Cakupan per kecamatan")
st.altair_chart(charts.coverage_by_kecamatan(by_kecamatan), width="stretch")
st.dataframe(
    by_kecamatan.rename(
        columns={
            "kecamatan": "Kecamatan",
            "workers": "Pekerja terdaftar",
            "protected": "Terlindungi",
            "in_process": "Dalam proses",
            "uncovered": "Belum terlindungi",
        }
    ).drop(columns=["kecamatan_code", "lat", "lon"]),
    hide_index=True,
    width="stretch",
)
uncovered = int(by_kecamatan["uncovered"].sum())
st.caption(
    f"{fmt.number(uncovered)} pekerja belum terlindungi; menutup semuanya selama 12 bulan membutuhkan "
    f"{fmt.rupiah(uncovered * 12 * progress.premium_jkk_jkm)}."
)
