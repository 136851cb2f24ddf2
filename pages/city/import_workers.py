"""Import the worker registry (admin): Dinsos's list (update by NIK) and the list of NIKs covered elsewhere."""

import streamlit as st

from models import Role
from services import registry
from ui import state
from ui.imports import import_flow

actor = state.require(Role.ADMIN)
st.title("Impor registri pekerja")
workers_tab, covered_tab = st.tabs(["Daftar pekerja (DTSEN/Dinsos)", "Ditanggung pihak lain"])
with workers_tab:
    st.caption(
        "Excel (.xlsx) atau CSV seperti dari Dinsos. Kolom: NIK, Nama, Jenis Kelamin, Tanggal Lahir, Kelurahan, "
        "Kecamatan, Alamat, Pekerjaan, Desil, No HP, Latitude/Longitude (opsional); judul Indonesia atau Inggris. "
        "NIK yang sudah ada diperbarui hanya setelah Anda melihat perubahannya dan mengonfirmasi. "
        "**Simpan kolom NIK sebagai Teks** di Excel."
    )
    import_flow(
        "import_workers",
        registry.import_workers,
        actor,
        upload_label="Berkas daftar pekerja",
        confirm_label="Simpan ke registri",
        with_token=True,
    )
with covered_tab:
    st.caption(
        "NIK yang sudah ditanggung pihak lain (APBD, Mandiri, APBD Provinsi, BAZNAS, Dana desa, Program lain) per "
        "bulan: tidak dicocokkan ke ikrar selama bulan-bulan itu. Satu pekerja satu penanggung per bulan. Kolom: "
        "NIK, Penanggung, Berlaku Mulai (opsional, kosong = bulan ini), Berlaku Sampai (opsional, kosong = 12 bulan)."
    )
    import_flow(
        "import_covered",
        registry.import_covered,
        actor,
        upload_label="Berkas tanggungan pihak lain",
        confirm_label="Tandai ditanggung pihak lain",
        counts=("read", "updated", "unchanged", "rejected", "duplicates", "blank"),
    )
