"""Public landing page: the city's progress toward the campaign target and the participating companies."""

import streamlit as st

from services.insight import dashboard
from services.platform import fmt
from ui import state, widgets


@st.cache_data(ttl=60, show_spinner=False)
def _load() -> tuple:
    with state.db() as s:
        return dashboard.campaign_progress(session=s), dashboard.participating_companies(session=s)


st.title("☂️ Payung")
st.markdown(
    "**Perlindungan BPJS Ketenagakerjaan bagi pekerja rentan Kota Tangerang, dibiayai perusahaan di sekitarnya.** "
    "Pedagang kaki lima, pengemudi ojek, buruh bangunan, juru parkir, dan pekerja informal lainnya "
    "mendapat Jaminan Kecelakaan Kerja dan Jaminan Kematian lewat dana TJSL perusahaan."
)
progress, companies = _load()
if progress is None:
    st.info("Belum ada surat edaran yang aktif. Halaman ini akan menampilkan capaian setelah kampanye dimulai.")
    st.stop()

st.subheader("Capaian kota")
widgets.progress_block(progress)
st.caption(
    f"Berdasarkan {progress.letter_number} tanggal {fmt.long_date(progress.letter_date)}: {progress.subject}. "
    f"Iuran {fmt.rupiah(progress.premium_jkk_jkm)} per pekerja per bulan."
)

st.subheader("Perusahaan yang berpartisipasi")
if companies.empty:
    st.info("Belum ada perusahaan yang berikrar. Jadilah yang pertama!")
else:
    st.dataframe(widgets.companies_table(companies), hide_index=True, width="stretch")
    hidden = int(companies["hidden"].sum())
    st.caption(
        f"{fmt.number(len(companies))} perusahaan, diurutkan dari yang pertama merespons. "
        f"{fmt.number(hidden)} perusahaan memilih tidak menampilkan nilai komitmennya."
    )
st.caption("Halaman publik ini tidak memuat data pribadi pekerja.")
