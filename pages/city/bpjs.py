"""BPJS registration (admin): the collective registration file per pledge or per branch and period, and the
import of BPJS's result (KPJ card numbers). The file is built, audited and registered only when clicked."""

import datetime as dt

import streamlit as st

from models import Role
from services import coverage
from services.platform import fmt
from services.platform.text import safe_filename
from ui import state
from ui.imports import import_flow

actor = state.require(Role.ADMIN)
st.title("Pendaftaran BPJS Ketenagakerjaan")
export_tab, result_tab = st.tabs(["Berkas pendaftaran", "Hasil dari BPJS (KPJ)"])

with export_tab:
    st.caption(
        "Pekerja dalam berkas menjadi **didaftarkan** dan tidak pernah dipindah lagi oleh pencocokan. Berkas dapat "
        "diunduh ulang; setiap unduhan tercatat di riwayat setiap pekerja."
    )
    mode = st.radio("Buat berkas", ["Per penanggung", "Per cabang BPJS dan periode"], horizontal=True)
    if mode == "Per penanggung":
        pledged = state.load(coverage.pledge_choices, actor=actor)
        city = state.load(coverage.allocation_choices, actor=actor)
        labels = {
            coverage.Selection(pledge_id=int(r.pledge_id)): f"Ikrar #{r.pledge_id} · {r.company} · mulai "
            f"{fmt.month(r.start_month)} · {fmt.number(r.to_register)} baru, {fmt.number(r.registered)} sudah "
            "didaftarkan"
            for r in pledged.itertuples()
        } | {
            coverage.Selection(allocation_id=int(r.allocation_id)): f"{r.payer} · {r.basis} · "
            f"{fmt.number(r.to_register)} baru, {fmt.number(r.registered)} sudah didaftarkan"
            for r in city.itertuples()
        }
        if not labels:
            st.info(
                "Belum ada ikrar atau alokasi APBD dengan pekerja yang siap didaftarkan. Jalankan pencocokan lebih "
                "dulu."
            )
            st.stop()
        selection = st.selectbox("Penanggung", list(labels), format_func=labels.__getitem__)
    else:
        c1, c2, c3 = st.columns(3)
        branch = c1.selectbox("Cabang BPJS", coverage.branches())
        first = c2.date_input("Mulai dari bulan", value=dt.date.today().replace(day=1), format="DD/MM/YYYY")
        last = c3.date_input("sampai bulan", value=dt.date.today().replace(day=1), format="DD/MM/YYYY")
        selection = coverage.Selection(branch=branch, period_from=first, period_to=last)
    preview = state.load(coverage.registration_preview, actor=actor, selection=selection)
    st.markdown(
        f"**{fmt.number(preview.workers)} pekerja** dari {fmt.number(preview.pledges)} ikrar"
        + (f" dan {fmt.number(preview.city_workers)} pekerja APBD Kota" if preview.allocations else "")
        + f" ({fmt.number(preview.already_registered)} sudah pernah diekspor). Satu blok dan satu tagihan per "
        "penanggung."
    )

    def _file() -> bytes:
        with state.db() as s:  # runs on the click: registers, audits, builds the file
            return coverage.export_registration(session=s, actor=actor, selection=selection)[1]

    if preview.workers:
        st.download_button(
            "Unduh berkas pendaftaran (Excel)",
            data=_file,
            file_name=safe_filename(f"pendaftaran-bpjs-{selection.describe()}.xlsx"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            type="primary",
            icon=":material/download:",
            on_click="rerun",  # the page then shows these workers as exported
        )

with result_tab:
    st.caption(
        "Berkas jawaban BPJS: NIK, KPJ (11 digit), Tgl Mulai, Tgl Berakhir (opsional; bila kosong dihitung dari "
        "lama ikrar atau alokasi), Kode Penanggung (opsional, seperti di berkas pendaftaran); pendaftaran yang "
        "ditolak BPJS: Status = Ditolak dan Alasan. Baris yang NIK-nya tidak didaftarkan, KPJ-nya salah atau "
        "dipakai NIK lain, atau untuk penanggung lain dari yang didaftarkan ditolak."
    )
    import_flow(
        "import_result",
        coverage.import_result,
        actor,
        upload_label="Berkas hasil pendaftaran BPJS",
        confirm_label="Aktifkan kepesertaan",
        counts=("read", "updated", "unchanged", "rejected", "duplicates", "blank"),
        labels={"updated": "Diaktifkan", "unchanged": "Sudah aktif"},
    )
