"""City budget (admin): record the year's APBD allocation, preview how matching fills it, then commit it."""

import datetime as dt

import streamlit as st

from models import Role
from services.matching import allocation
from services.platform import fmt
from ui import state

actor = state.require(Role.ADMIN)
st.title("Alokasi APBD Kota")
st.caption(
    "Anggaran kota untuk BPJS Ketenagakerjaan pekerja rentan. Alokasi diisi setelah ikrar CSR perusahaan: "
    "pekerja yang sudah ditanggung perusahaan atau pihak lain pada bulan-bulan itu tidak diambil. Yang paling "
    "rentan (desil terendah) lebih dulu; kuota kecamatan bila diisi."
)

today = dt.date.today()
with st.form("alokasi"):
    c1, c2, c3 = st.columns(3)
    year = c1.number_input("Tahun anggaran", value=today.year, step=1)
    perwal = c2.text_input("Nomor Perwal", placeholder="Perwal No. 113 Tahun 2023")
    line = c3.text_input("Mata anggaran (DPA)", placeholder="5.1.02.01.01")
    c4, c5 = st.columns(2)
    start = c4.date_input("Bulan mulai", value=today.replace(day=1), format="DD/MM/YYYY")
    end = c5.date_input("Bulan berakhir", value=dt.date(today.year, 12, 1), format="DD/MM/YYYY")
    kind = st.radio("Anggaran dinyatakan dalam", ["Jumlah pekerja", "Rupiah"], horizontal=True)
    amount = st.text_input("Jumlah", placeholder="20.000")
    kec = state.load(allocation.kecamatan_options).assign(kuota=0)
    quotas = st.data_editor(
        kec,
        hide_index=True,
        disabled=["kode", "kecamatan"],
        key="kuota",
        width="stretch",
        column_config={
            "kuota": st.column_config.NumberColumn("Kuota (pekerja, boleh 0)", min_value=0, step=1, format="%d")
        },
    )
    if st.form_submit_button("Simpan alokasi", type="primary"):
        new_id = state.act(
            allocation.record_from_form,
            actor=actor,
            year=int(year),
            budget_line=line,
            perwal_number=perwal,
            start_month=start,
            end_month=end,
            by_rupiah=kind == "Rupiah",
            amount_text=amount,
            kecamatan_quotas=dict(zip(quotas["kode"], quotas["kuota"].fillna(0).astype(int), strict=True)),
        )
        if new_id is not None:
            st.session_state["alokasi_id"] = new_id
            st.success("Alokasi tersimpan. Lihat pratinjaunya di bawah, lalu jalankan bila sudah sesuai.")

rows = state.load(allocation.list_allocations, actor=actor)
st.subheader("Daftar alokasi")
if rows.empty:
    st.info("Belum ada alokasi. Isi formulir di atas.")
    st.stop()
labels = {
    int(r.id): f"{r.tahun} · {r.perwal} · {fmt.number(r.pekerja)} pekerja · "
    + ("sudah dijalankan" if r.status == "committed" else "draf")
    for r in rows.itertuples()
}
ids = list(labels)
chosen = st.selectbox(
    "Alokasi", ids, index=ids.index(st.session_state.get("alokasi_id", ids[0])), format_func=labels.__getitem__
)
committed = rows.set_index("id").at[chosen, "status"] == "committed"
if st.button("Lihat pratinjau" if not committed else "Lihat hasil & sisa kebutuhan"):
    st.session_state["pratinjau"] = int(chosen)
if st.session_state.get("pratinjau") != int(chosen):
    st.stop()
preview = state.load(allocation.preview_allocation, actor=actor, allocation_id=int(chosen))
m1, m2, m3, m4 = st.columns(4)
m1.metric("Dibiayai", f"{fmt.number(preview.places)} pekerja")
m2.metric("Terisi" if committed else "Akan terlindungi", fmt.number(preview.covered))
m3.metric("Sisa tempat", fmt.number(preview.places_left))
m4.metric("Belum ada penanggung", fmt.number(preview.unfunded_workers))
st.write(
    f"Masa: {fmt.month(preview.first_month)} – {fmt.month(preview.last_month)} ({fmt.number(preview.months)} bulan). "
    f"Menanggung {fmt.number(preview.unfunded_workers)} pekerja yang masih tersisa butuh "
    f"{fmt.rupiah(preview.unfunded_rupiah)} lagi."
)
left, right = st.columns(2)
by_kec = preview.by_kecamatan
left.table(by_kec[(by_kec["pekerja"] + by_kec["kuota"]) > 0].rename(columns=str.capitalize))
right.table(preview.by_desil.rename(columns=str.capitalize))
if not committed and st.button("Jalankan alokasi", type="primary"):
    done = state.act(allocation.commit_allocation, actor=actor, allocation_id=int(chosen))
    if done is not None:
        st.cache_data.clear()
        st.success(f"Alokasi dijalankan: {fmt.number(done.covered)} pekerja kini ditanggung APBD Kota.")
