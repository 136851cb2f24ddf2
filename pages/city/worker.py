"""One worker (admin): everything stored about the NIK, its assignments, its processing history (UU PDP) with
an export for the person who asks, corrections and the covered-elsewhere action. Opening it is audited."""

import datetime as dt

import streamlit as st

from models import Role
from services import registry
from services.platform import fmt, regions
from services.platform.text import safe_filename
from ui import state

WORKER_KEY = "registry_worker_nik"
actor = state.require(Role.ADMIN)
st.title("Data pekerja")
nik = st.text_input("NIK (16 digit)", value=st.session_state.get(WORKER_KEY, ""), max_chars=16)
if not nik:
    st.info("Ketik NIK pekerja, atau buka dari halaman Registri pekerja.")
    st.stop()
st.session_state[WORKER_KEY] = nik
detail = state.load(registry.worker_detail, actor=actor, nik=nik)
w = detail.worker
st.subheader(w["name"])
st.markdown(
    f"**Status:** {registry.STATUS_LABELS[detail.status]}  \n"
    f"**NIK:** {w['nik']} · **Jenis kelamin:** {'Perempuan' if w['sex'] == 'P' else 'Laki-laki'} · "
    f"**Tanggal lahir:** {fmt.date(w['birth_date'])}  \n"
    f"**Kelurahan:** {w['kelurahan']}, Kec. {w['kecamatan']} · **Alamat:** {w['address'] or '–'}  \n"
    f"**Pekerjaan:** {w['occupation']} · **Desil:** {w['desil'] or 'tidak diketahui'} · "
    f"**No HP:** {w['phone'] or '–'}  \n"
    f"**Lokasi:** {w['lat']}, {w['lon']}{' (titik kelurahan, perkiraan)' if w['location_estimated'] else ''}  \n"
    + (
        f"**Ditanggung pihak lain:** {registry.COVERED_BY_LABELS.get(w['covered_by'], 'penanggung tak tercatat')} "
        "sampai "
        f"{fmt.date(w['covered_until']) if w['covered_until'] else 'tanpa batas'}  \n"
        if w["covered_elsewhere"]
        else ""
    )
    + f"**Tercatat sejak:** {fmt.date(w['created_at'])}"
    + (f" (impor #{detail.imports[0]['id']} {detail.imports[0]['filename']})" if detail.imports else "")
)

st.subheader("Penugasan ke ikrar")
if detail.assignments.empty:
    st.caption("Belum pernah dicocokkan ke ikrar.")
else:
    st.dataframe(
        detail.assignments.assign(
            start=detail.assignments["start"].map(fmt.date), end=detail.assignments["end"].map(fmt.date)
        ).drop(columns=["id", "created_at"]),
        hide_index=True,
        width="stretch",
    )

st.subheader("Riwayat pemrosesan data (UU PDP)")
history = detail.history.assign(at=detail.history["at"].map(lambda t: f"{fmt.date(t)} {t:%H:%M}"))
st.dataframe(
    history.rename(columns={"at": "Waktu (UTC)", "username": "Pengguna", "action": "Kegiatan", "detail": "Rincian"}),
    hide_index=True,
    width="stretch",
)


def _history_file() -> bytes:
    with state.db() as s:  # built and audited only when clicked
        return registry.history_export(session=s, actor=actor, worker_id=int(w["id"]))


st.download_button(
    "Unduh riwayat untuk pemilik data",
    data=_history_file,
    file_name=safe_filename(f"riwayat-{w['nik']}.xlsx"),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
)

with st.expander("Koreksi data"), st.form("correct"):
    kel = state.load(regions.kelurahan_options)
    kel_names = dict(
        zip(kel["kelurahan_code"], kel["kelurahan_name"] + " (" + kel["kecamatan_name"] + ")", strict=True)
    )
    name = st.text_input("Nama", value=w["name"])
    kelurahan = st.selectbox(
        "Kelurahan", list(kel_names), index=list(kel_names).index(w["kelurahan_code"]), format_func=kel_names.get
    )
    address = st.text_input("Alamat", value=w["address"])
    occupation = st.text_input("Pekerjaan", value=w["occupation"])
    desil = st.text_input("Desil (1–10, kosong bila tidak diketahui)", value=str(w["desil"] or ""))
    phone = st.text_input("No HP", value=w["phone"])
    if st.form_submit_button("Simpan koreksi", type="primary"):
        values = {"name": name, "kelurahan_code": kelurahan, "address": address, "occupation": occupation}
        values |= {"desil": desil, "phone": phone}
        changed = state.act(registry.correct_worker, actor=actor, worker_id=int(w["id"]), values=values)
        if changed is not None:
            st.success("Tidak ada yang berubah." if not changed else f"Tersimpan: {', '.join(changed)}.")

with st.expander("Ditanggung pihak lain"), st.form("covered"):
    payers = {"": "Tidak (hapus tanda)", **registry.COVERED_BY_LABELS}
    payer = st.selectbox("Penanggung", list(payers), format_func=payers.__getitem__)
    until = st.date_input("Sampai tanggal", value=dt.date.today() + dt.timedelta(days=365), format="DD/MM/YYYY")
    if st.form_submit_button("Simpan"):
        changed = state.act(
            registry.set_covered, actor=actor, worker_id=int(w["id"]), covered_by=payer or None, until=until
        )
        if changed is not None:
            st.success("Tersimpan." if changed else "Tidak ada yang berubah.")
