"""Benefits BPJS paid (branch officer, admin): a claims file from the branch (previewed, refused row by row), or one
claim typed here. A claim counts only for a worker whose cover by Payung was running on the event date."""

import streamlit as st

from models import Role
from services import coverage
from ui import benefits as benefits_ui
from ui import state
from ui.imports import import_flow

actor = state.require(Role.BRANCH, Role.ADMIN)
st.title("Klaim manfaat JKK dan JKM")
file_tab, one_tab, list_tab = st.tabs(["Impor berkas klaim", "Catat satu klaim", "Klaim tercatat"])

with file_tab:
    st.caption(
        "Kolom: KPJ (atau NIK), Program (JKK/JKM), Jenis Manfaat (untuk JKK: perawatan, STMB, cacat, meninggal), "
        "Tgl Kejadian, Tgl Bayar, Jumlah (Rp). Baris yang salah ditolak dengan alasannya; baris lain tetap disimpan."
    )
    import_flow(
        "claims_file",
        coverage.import_claims,
        actor,
        upload_label="Berkas klaim dari BPJS",
        confirm_label="Simpan klaim",
        counts=("read", "inserted", "rejected", "duplicates", "blank"),
        labels={"inserted": "Klaim baru"},
    )

with one_tab, st.form("klaim_satu", clear_on_submit=True):
    worker = st.text_input("Nomor KPJ (11 digit) atau NIK (16 digit)")
    c1, c2 = st.columns(2)
    programme = c1.selectbox(
        "Program", list(coverage.PROGRAMME_LABELS), format_func=coverage.PROGRAMME_LABELS.__getitem__
    )
    kinds = {"": "— (untuk JKM)", **coverage.KIND_LABELS}  # a dict's bound method pickles, a lambda does not
    kind = c2.selectbox("Jenis manfaat (JKK)", list(kinds), format_func=kinds.__getitem__)
    c3, c4, c5 = st.columns(3)
    event = c3.date_input("Tanggal kejadian", value=None, format="DD/MM/YYYY")
    paid = c4.date_input("Tanggal bayar", value=None, format="DD/MM/YYYY")
    amount = c5.text_input("Jumlah dibayar (Rp)", placeholder="42.000.000")
    if st.form_submit_button("Catat klaim", type="primary"):
        done = state.act(
            coverage.record_claim,
            actor=actor,
            worker=worker,
            programme=programme or "",
            kind=(kind or "") if programme == "JKK" else "",
            event_date=event,
            paid_date=paid,
            amount=amount,
        )
        if done is not None:
            st.cache_data.clear()
            st.success(f"Klaim #{done} tercatat.")

with list_tab:
    claims = state.load(coverage.recorded_claims, actor=actor, branch=actor.branch)
    if claims.empty:
        st.info("Belum ada klaim tercatat.")
    else:
        names = {"kpj": "KPJ", "programme": "Program", "kind": "Jenis", "event_date": "Kejadian"}
        names |= {"paid_date": "Dibayar", "amount": "Jumlah", "payer": "Pembayar"}
        shown = claims[list(names)].rename(columns=names).set_index("KPJ")
        benefits_ui.table(shown, rupiah=("Jumlah",), dates=("Kejadian", "Dibayar"))
