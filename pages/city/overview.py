"""City dashboard (admin and viewer): how far we are, where the gaps are, what closing them costs, when the target
is reached - headline with 30-day changes, funnel, weekly progress, map, gaps, forecast, expiring cover."""

import streamlit as st

from models import Role
from services import insight
from services.platform import fmt
from services.platform.errors import PayungError
from ui import charts, state
from ui import insight as view

actor = state.require(Role.ADMIN, Role.VIEWER)
data = view.overview(actor)
head = data["headline"]
st.title("Ringkasan kota")
if head is None:
    st.info("Belum ada surat edaran aktif.")
    st.stop()

st.caption(
    f"{head.letter_number} · target {fmt.number(head.target)} pekerja · per {fmt.date(head.today)}; perubahan "
    "dihitung terhadap 30 hari lalu (disusun ulang dari tanggal kartu, ikrar dan jawaban)."
)
cols = st.columns(3)
for col, (label, figure, show) in zip(
    cols * 2,
    [
        ("Pekerja terlindungi (kartu terbit)", head.protected, fmt.number),
        ("Dalam proses", head.in_process, fmt.number),
        ("Pekerja diikrarkan", head.pledged, fmt.number),
        ("Komitmen perusahaan", head.rupiah, fmt.rupiah),
        ("Perusahaan menjawab", head.companies_participating, fmt.number),
        ("Surat terkirim", head.letters_sent, fmt.number),
    ],
    strict=True,
):
    col.metric(label, show(figure.now), delta=f"{'+' if figure.change >= 0 else '−'}{show(abs(figure.change))}")
st.progress(min(head.progress, 1.0), text=f"Capaian {fmt.percent(head.progress)} dari target")

funnel_tab, map_tab, time_tab, expiry_tab = st.tabs(
    ["Corong", "Peta & celah", "Perkembangan & perkiraan", "Segera berakhir"]
)
with funnel_tab:
    fun = data["funnel"]
    specs = view.chart_specs(actor)
    view.chart(specs["funnel"])
    st.caption(
        f"{fmt.number(fun.answered)} perusahaan menjawab; median {fmt.decimal(fun.median_days_to_answer)} hari "
        "dari surat ke jawaban. Konversi = perusahaan di tahap ini dibagi tahap sebelumnya."
    )
    view.table(
        fun.steps, {"label": "Tahap", "companies": "Perusahaan", "conversion": "Konversi"}, shares=("conversion",)
    )
    step_headers = {"sent": "Surat", "pledged": "Berikrar", "active": "Kartu terbit", "renewed": "Diperpanjang"}
    for title, key, frame in [
        ("Per sektor", "sector", fun.by_sector),
        ("Per kecamatan", "kecamatan", fun.by_kecamatan),
    ]:
        st.subheader(title)
        headers = {key: title.removeprefix("Per ").capitalize(), **step_headers}
        headers |= {"response_rate": "Tingkat respons", "median_days": "Median hari menjawab"}
        view.table(frame, headers, shares=("response_rate",))

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
    gaps = data["gaps"]
    st.subheader("Celah: pekerja yang tidak terjangkau ikrar mana pun")
    st.markdown(
        f"**{fmt.number(gaps.workers)} pekerja** rentan yang memenuhi syarat berada di luar area semua ikrar yang "
        f"berjalan. Menanggung mereka {gaps.months} bulan dari APBD: **{fmt.rupiah(gaps.budget)}** "
        f"(iuran {fmt.rupiah(gaps.premium)} per pekerja per bulan)."
    )
    view.table(
        gaps.by_kelurahan,
        {
            "kelurahan": "Kelurahan",
            "kecamatan": "Kecamatan",
            "gap": "Celah (pekerja)",
            "budget": "Anggaran 12 bulan (Rp)",
        },
    )
    st.markdown("**Siapa yang dihubungi berikutnya** — perusahaan terdekat yang belum menjawab surat:")
    view.table(
        gaps.nearest,
        {
            "kelurahan": "Kelurahan",
            "rank": "Urutan",
            "company": "Perusahaan",
            "sector": "Sektor",
            "distance_km": "Jarak",
        },
        km=("distance_km",),
    )
    st.subheader("Per kecamatan")
    view.table(
        insight.by_kecamatan(data["coverage"]),
        {
            "kecamatan": "Kecamatan",
            "eligible": "Pekerja memenuhi syarat",
            "protected": "Terlindungi",
            "in_process": "Dalam proses",
            "unprotected": "Belum terlindungi",
            "gap": "Celah",
            "share_protected": "Porsi terlindungi",
        },
        shares=("share_protected",),
    )

with time_tab:
    view.chart(specs["weekly"])
    st.subheader("Kapan target tercapai?")
    with st.form("skenario"):
        c1, c2 = st.columns(2)
        companies = c1.number_input("Tambahan perusahaan (pada minimum yang disarankan)", value=0, step=1)
        budget = c2.number_input("Anggaran kota per tahun (Rp)", value=0, step=100_000_000)
        st.form_submit_button("Hitung skenario")
    try:
        fc = view.forecast(actor, int(companies), int(budget))
    except PayungError as exc:
        st.error(str(exc))
        fc = view.forecast(actor, 0, 0)
    if fc is not None:
        view.forecast_block(fc, specs.get("forecast"))

with expiry_tab:
    expiring = data["expiring"]
    if expiring.empty:
        st.success("Tidak ada perlindungan yang berakhir dalam 60 hari ke depan.")
    else:
        st.caption(
            "Hubungi perusahaan sebelum perlindungan pekerjanya berakhir; perpanjangan memakai pekerja yang sama."
        )
        view.table(
            expiring,
            {
                "company": "Perusahaan",
                "contact": "Kontak",
                "phone": "Telepon",
                "within_7": "≤ 7 hari",
                "within_30": "≤ 30 hari",
                "within_60": "≤ 60 hari",
                "first_end": "Berakhir paling awal",
            },
        )
