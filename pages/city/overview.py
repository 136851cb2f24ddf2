"""City dashboard (admin and viewer): how far we are, where the gaps are, what closing them costs, when the target
is reached - headline with 30-day changes, funnel, weekly progress, map, gaps, forecast, expiring cover."""

import streamlit as st

from models import Role
from services.platform.errors import PayungError
from ui import benefits as benefits_ui
from ui import charts, state
from ui import insight as view
from ui.payers import split_block

actor = state.require(Role.ADMIN, Role.VIEWER)
data = view.overview(actor)
head = data["headline"]
st.title("Ringkasan kota")
if head is None:
    st.info("Belum ada surat edaran aktif.")
    st.stop()

if view.refreshing(actor):
    st.caption(
        "Data baru saja berubah: angka di bawah dari perhitungan sebelumnya dan diperbarui dalam beberapa detik "
        "(muat ulang halaman untuk melihat yang terbaru)."
    )
view.headline_block(head)
split_block(data["payers"])

funnel_tab, map_tab, time_tab, expiry_tab, benefit_tab = st.tabs(
    ["Corong", "Peta & celah", "Perkembangan & perkiraan", "Segera berakhir", "Santunan"]
)
specs = view.chart_specs(actor)
with funnel_tab:
    view.funnel_section(data["funnel"], specs["funnel"])

with map_tab:
    labels = {title: key for key, (title, _, _) in charts.MAP_METRICS.items()}
    metric = labels[st.radio("Warna peta", list(labels), horizontal=True) or next(iter(labels))]
    left, right = st.columns([3, 2])
    with left:
        view.chart(view.map_spec(actor, metric))
    with right:
        view.table(
            data["coverage"],
            {"kelurahan": "Kelurahan", "share_protected": "Porsi", "unprotected": "Belum", "gap": "Celah"},
            shares=("share_protected",),
        )
    view.gaps_section(data["gaps"], data["coverage"])

with time_tab:
    view.chart(specs["weekly"])
    st.subheader("Kapan target tercapai?")
    with st.form("skenario"):
        c1, c2, c3, c4 = st.columns(4)
        companies = c1.number_input("Tambahan perusahaan (pada minimum yang disarankan)", value=0, step=1)
        budget = c2.number_input("Anggaran kota per tahun (Rp)", value=0, step=100_000_000)
        by_date = c3.date_input("Target tercapai pada", value=None, format="DD/MM/YYYY")
        allocation = c4.number_input("Alokasi APBD tahun depan (pekerja; kosong: yang tercatat)", value=None, step=1)
        st.form_submit_button("Hitung skenario")
    try:
        nxt = None if allocation is None else int(allocation)
        fc = view.forecast(actor, int(companies), int(budget), by_date, nxt)
    except PayungError as exc:
        st.error(str(exc))
        fc = view.forecast(actor, 0, 0, None)
    if fc is not None:
        view.forecast_block(fc, specs.get("forecast"))

with expiry_tab:
    view.expiry_section(data["expiring"])

with benefit_tab:
    benefits_ui.city_block(data["benefits"])
