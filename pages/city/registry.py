"""The worker registry (admin): search by NIK or name, filters, counts and pages computed in SQL."""

import streamlit as st

from models import Role
from services import registry
from services.platform import fmt, regions
from ui import state
from ui.tables import indonesian_styler

WORKER_KEY = "registry_worker_nik"  # the worker page opens this NIK
actor = state.require(Role.ADMIN)
st.title("Registri pekerja rentan")
counts = state.load(registry.status_counts, actor=actor)
cols = st.columns(len(registry.STATUS_LABELS))
for col, (status, label) in zip(cols, registry.STATUS_LABELS.items(), strict=True):
    col.metric(label, fmt.number(counts[status]))

kel = state.load(regions.kelurahan_options)
options = state.load(registry.filter_options)
# format_func must pickle (serializable session state): a dict's bound method does, a lambda does not.
kec_names = {"": "Semua", **dict(sorted(zip(kel["kelurahan_code"].str[:8], kel["kecamatan_name"], strict=True)))}
kel_names = {
    "": "Semua",
    **dict(zip(kel["kelurahan_code"], kel["kelurahan_name"] + " (" + kel["kecamatan_name"] + ")", strict=True)),
}
occupations = {"": "Semua", **{o: o for o in options["occupations"]}}
STATUS = {"": "Semua status", **registry.STATUS_LABELS}
DESIL = {-1: "Semua desil", 0: "Tidak diketahui", **{d: f"Desil {d}" for d in range(1, 11)}}
with st.form("registry_search"):
    query = st.text_input("Cari NIK atau nama", placeholder="3671… atau nama pekerja")
    c1, c2, c3 = st.columns(3)
    kecamatan = c1.selectbox("Kecamatan", list(kec_names), format_func=kec_names.__getitem__)
    kelurahan = c2.selectbox("Kelurahan", list(kel_names), format_func=kel_names.__getitem__)
    status = c3.selectbox("Status", list(STATUS), format_func=STATUS.__getitem__)
    c4, c5, c6 = st.columns(3)
    desil = c4.selectbox("Desil", list(DESIL), format_func=DESIL.__getitem__)
    occupation = c5.selectbox("Pekerjaan", list(occupations), format_func=occupations.__getitem__)
    page = c6.number_input("Halaman", min_value=1, value=1, step=1)
    st.form_submit_button("Cari", type="primary", icon=":material/search:")

flt = registry.RegistryFilter(
    query=query,
    kecamatan_code=kecamatan,
    kelurahan_code=kelurahan,
    status=status,
    desil=None if desil == -1 else int(desil),
    occupation=occupation,
)
result = state.load(registry.search_workers, actor=actor, flt=flt, page=int(page), page_size=50)
pages = max(1, -(-result.total // result.page_size))
st.markdown(f"**{fmt.number(result.total)} pekerja ditemukan** · halaman {result.page} dari {fmt.number(pages)}")
if result.rows.empty:
    st.info("Tidak ada pekerja yang cocok. Periksa NIK/nama atau longgarkan filter.")
    st.stop()
rows = result.rows.assign(
    status=result.rows["status"].map(registry.STATUS_LABELS),
    birth_date=result.rows["birth_date"].map(fmt.date),
    coverage_end=result.rows["coverage_end"].map(fmt.date),
)
headers = {
    "nik": "NIK",
    "name": "Nama",
    "sex": "L/P",
    "birth_date": "Tgl lahir",
    "kelurahan": "Kelurahan",
    "kecamatan": "Kecamatan",
    "occupation": "Pekerjaan",
    "desil": "Desil",
    "phone": "No HP",
    "status": "Status",
    "kpj_number": "KPJ",
    "coverage_end": "Berlaku s.d.",
}
st.dataframe(indonesian_styler(rows, headers, ids=("desil",)), hide_index=True, width="stretch")
labels = dict(zip(rows["nik"], rows["name"] + " · " + rows["nik"], strict=True))
chosen = st.selectbox("Buka data pekerja", list(labels), format_func=labels.__getitem__)
if st.button("Buka", icon=":material/person:"):
    st.session_state[WORKER_KEY] = chosen
    st.switch_page("pages/city/worker.py")
