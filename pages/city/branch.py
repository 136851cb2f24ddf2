"""The BPJS branch desk (branch officer; admins choose a branch): the registrations waiting for the branch, one
file per payer (BPJS bills each pledge apart), BPJS's answer (KPJ card numbers, refusals with reasons), and what
the branch has closed. Every service call checks the branch scope; each file is built and audited on the click."""

import pandas as pd
import streamlit as st

from models import Role
from services import coverage
from services.platform import fmt
from services.platform.text import safe_filename
from ui import benefits as benefits_ui
from ui import state
from ui.imports import import_flow

actor = state.require(Role.BRANCH, Role.ADMIN)
branch = actor.branch or st.selectbox("Cabang BPJS", coverage.branches(), key="desk_branch")
st.title(f"Meja cabang BPJS {branch}")
st.caption(f"Kecamatan yang dilayani: {', '.join(coverage.kecamatan_names(branch))}.")
waiting_tab, result_tab, closed_tab = st.tabs(["Menunggu pendaftaran", "Unggah hasil (KPJ)", "Sudah selesai"])

with waiting_tab:
    waiting = state.load(coverage.pledge_choices, actor=actor, branch=branch)
    city = state.load(coverage.allocation_choices, actor=actor, branch=branch)
    if waiting.empty and city.empty:
        st.info("Tidak ada pendaftaran yang menunggu cabang ini.")
    st.caption(
        "Satu berkas per penanggung (ikrar perusahaan, atau APBD Kota Tangerang), agar BPJS menagih kota dan setiap "
        "perusahaan terpisah."
    )
    payers = [
        (
            coverage.Selection(pledge_id=int(r.pledge_id), branch=branch),
            f"**{r.company}** · ikrar #{r.pledge_id} · mulai {fmt.month(r.start_month)}",
            r,
        )
        for r in waiting.itertuples()
    ] + [
        (
            coverage.Selection(allocation_id=int(r.allocation_id), branch=branch),
            f"**{r.payer}** · {r.basis} · mulai {fmt.month(r.start_month)}",
            r,
        )
        for r in city.itertuples()
    ]
    for selection, label, row in payers:

        def _file(selection: coverage.Selection = selection) -> bytes:
            with state.db() as s:  # on the click: registers, audits, builds the file
                return coverage.export_registration(session=s, actor=actor, selection=selection)[1]

        left, right = st.columns([3, 1])
        left.markdown(f"{label} · {fmt.number(row.to_register)} baru, {fmt.number(row.registered)} sudah didaftarkan")
        right.download_button(
            "Unduh berkas",
            data=_file,
            file_name=safe_filename(f"pendaftaran-bpjs-{selection.describe()}.xlsx"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:",
            key=f"desk_file_{selection.describe()}",
            on_click="rerun",  # the list then drops what was exported
        )

with result_tab:
    st.caption(
        "Berkas jawaban BPJS: NIK, KPJ (11 digit), Tgl Mulai, Tgl Berakhir (opsional), Kode Penanggung (opsional, "
        "seperti di berkas pendaftaran: baris untuk penanggung lain ditolak); untuk pendaftaran yang ditolak: "
        "Status = Ditolak dan Alasan. NIK di luar wilayah cabang ini ditolak."
    )
    import_flow(
        "desk_result",
        coverage.import_result,
        actor,
        upload_label="Berkas hasil pendaftaran BPJS",
        confirm_label="Simpan hasil pendaftaran",
        counts=("read", "updated", "unchanged", "rejected", "duplicates", "blank"),
        labels={"updated": "Diaktifkan/ditolak BPJS", "unchanged": "Sudah aktif"},
    )

with closed_tab:
    closed = state.load(coverage.closed_by_payer, actor=actor, branch=branch)
    if closed.empty:
        st.info("Belum ada kartu yang terbit lewat cabang ini.")
    else:
        ikrar = closed["pledge_id"].map(lambda p: "APBD" if pd.isna(p) else f"#{int(p)}")
        shown = closed.assign(Ikrar=ikrar, Mulai=closed["start_month"].map(fmt.month))
        names = {"company": "Pembayar", "cards": "Kartu terbit", "refused": "Ditolak BPJS"}
        benefits_ui.table(
            shown[["Ikrar", "company", "Mulai", "cards", "refused"]].rename(columns=names).set_index("Ikrar")
        )
