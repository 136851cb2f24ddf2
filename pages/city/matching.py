"""Matching (admin): run a full match, see which pledges are still short of workers and why."""

import streamlit as st

from models import Role
from services import matching
from services.insight import dashboard
from services.platform import fmt
from ui import state
from ui.tables import indonesian_styler

actor = state.require(Role.ADMIN)
st.title("Pencocokan pekerja")
st.caption(
    "Pekerja rentan yang belum terlindungi dicocokkan ke ikrar perusahaan di areanya: sebanyak mungkin pekerja, "
    "yang paling rentan (desil terendah) lebih dulu, lalu yang terdekat. Pekerja yang sudah didaftarkan ke BPJS "
    "tidak pernah dipindah."
)

if st.button("Jalankan pencocokan penuh", type="primary"):
    bar = st.progress(0.0, text="Mencocokkan…")
    result = state.act(
        matching.run_full_match, actor=actor, progress=lambda done, total: bar.progress(done / max(total, 1))
    )
    if result is not None:
        bar.empty()  # the cached figures follow by the data version the commit bumped
        st.success(
            f"Selesai dalam {fmt.number(round(result.seconds * 1000))} ms: {fmt.number(result.pledges)} ikrar, "
            f"{fmt.number(result.assigned)} penugasan baru, {fmt.number(result.moved)} dipindah, "
            f"{fmt.number(result.released)} dilepas, {fmt.number(result.kept)} tetap. "
            f"{fmt.number(result.unmatched_pledges)} ikrar masih kekurangan pekerja."
        )

with state.db(write=False) as s:
    fill = dashboard.pledge_fill(session=s, actor=actor)
short = fill[fill["shortfall"] > 0]
c1, c2, c3 = st.columns(3)
c1.metric("Ikrar berjalan", fmt.number(len(fill)))
c2.metric("Pekerja ditugaskan", fmt.number(int(fill["assigned"].sum())))
c3.metric("Ikrar kekurangan pekerja", fmt.number(len(short)))

st.subheader("Ikrar yang belum terpenuhi")
if short.empty:
    st.success("Semua ikrar sudah mendapat pekerja sebanyak yang dijanjikan.")
else:
    headers = {
        "pledge_id": "ID",
        "company": "Perusahaan",
        "workers": "Diikrarkan",
        "assigned": "Ditugaskan",
        "shortfall": "Kurang",
        "start": "Mulai",
        "radius_km": "Radius (km)",
    }
    shown = short.assign(start=short["start_month"].map(fmt.month))
    st.dataframe(
        indonesian_styler(shown, headers, km=("radius_km",), ids=("pledge_id",)), hide_index=True, width="stretch"
    )
    options = dict(zip(short["pledge_id"], short["company"], strict=True))
    chosen = st.selectbox("Mengapa ikrar ini kurang?", options=list(options), format_func=options.__getitem__)
    if chosen is not None:
        why = state.act(matching.explain_shortfall, pledge_id=int(chosen), actor=actor)
        if why is not None:
            st.info(why.message)
