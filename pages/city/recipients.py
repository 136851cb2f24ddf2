"""Recipients import (admin): the city's Excel/CSV list of letter recipients → checked, previewed, then saved."""

import hashlib

import streamlit as st

from models import Role
from services import campaign
from services.platform import fmt, sheets
from ui import campaign as campaign_ui
from ui import state
from ui.tables import indonesian_styler

actor = state.require(Role.ADMIN)
st.title("Impor penerima surat")
st.caption(
    "Unggah daftar perusahaan penerima surat edaran (.xlsx atau .csv). Judul kolom boleh bahasa Indonesia atau "
    "Inggris: Nama Perusahaan, NIB, NPP, Alamat, Kelurahan, Kecamatan, Lintang, Bujur, Sektor, Jumlah Karyawan, "
    "Nama Kontak, Email, Telepon. NIB (13 angka) harus berformat Teks di Excel. Tanpa lintang/bujur, lokasi "
    "diperkirakan dari titik di dalam kelurahan."
)
campaign_ui.show_done()
campaign_ui.passwords_block(actor)

upload = st.file_uploader("Berkas penerima", type=["xlsx", "csv"], key="recipients_file")
if upload is None:
    st.stop()
content = upload.getvalue()
digest = hashlib.sha256(content).hexdigest()
if st.session_state.get("recipients_saved") == digest:  # not checked again: every row would now be "ganda"
    st.info("Berkas ini sudah disimpan. Mengimpor ulang tidak menambah apa pun (semua NIB sudah terdaftar).")
    st.stop()
preview = state.act(campaign.import_recipients, actor=actor, content=content, filename=upload.name, dry_run=True)
if preview is None:
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric("Baris dibaca", fmt.number(preview.read))
c2.metric("Siap disimpan", fmt.number(len(preview.preview)))
c3.metric("Ditolak", fmt.number(preview.rejected))
c4.metric("Ganda (NIB)", fmt.number(preview.duplicates))
if preview.errors:
    st.subheader("Baris yang ditolak atau dilewati")
    st.dataframe(
        [e.as_dict() for e in preview.errors[:500]],
        column_config={
            "row": st.column_config.NumberColumn("Baris", format="%d"),
            "column": "Kolom",
            "value": "Nilai",
            "reason": "Alasan",
        },
        hide_index=True,
        width="stretch",
    )
    campaign_ui.download(
        "Unduh laporan baris ditolak (Excel)",
        sheets.errors_report_xlsx,
        "laporan-impor-penerima.xlsx",
        key="dl_report",
        errors=preview.errors,
    )
if not preview.preview.empty:
    st.subheader("Pratinjau baris yang akan disimpan")
    shown = preview.preview.rename(
        columns={
            "name": "Perusahaan",
            "nib": "NIB",
            "kelurahan_code": "Kode kelurahan",
            "sector": "Sektor",
            "employees": "Karyawan",
            "site_approximate": "Lokasi perkiraan",
            "contact_email": "Email",
        }
    )
    columns = ["Baris", "Perusahaan", "NIB", "Kode kelurahan", "Sektor", "Karyawan", "Lokasi perkiraan", "Email"]
    st.dataframe(
        indonesian_styler(shown.head(50), {c: c for c in columns}, ids=("Baris",)), hide_index=True, width="stretch"
    )
    if st.button(f"Simpan {fmt.number(len(preview.preview))} perusahaan dan buat akunnya", type="primary"):
        result = state.act(
            campaign.import_recipients, actor=actor, content=content, filename=upload.name, dry_run=False
        )
        if result is not None:
            st.session_state["recipients_saved"] = digest
            campaign_ui.keep_passwords(actor, result.passwords)
            campaign_ui.done(
                f"{fmt.number(result.inserted)} perusahaan disimpan dengan akunnya; {fmt.number(result.rejected)} "
                f"ditolak, {fmt.number(result.duplicates)} ganda. Unduh daftar kata sandi sekali pakai di bawah."
            )
else:
    st.warning("Tidak ada baris yang dapat disimpan. Perbaiki berkas sesuai laporan, lalu unggah lagi.")
