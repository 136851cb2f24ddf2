"""Quarterly progress report (admin and viewer): pick a quarter, download it as PDF or Excel in one click.
Aggregates only; each file is made when its button is clicked, and that download is audited."""

import datetime as dt

import streamlit as st

from models import Role
from services import insight
from services.platform import fmt
from services.platform.text import safe_filename
from ui import state
from ui.insight import allocation_block, quarter_extras
from ui.payers import split_block

actor = state.require(Role.ADMIN, Role.VIEWER)
st.title("Laporan triwulan")
st.caption(
    "Untuk laporan kepala daerah dan bukti Paritrana Award: capaian di akhir triwulan dan perubahannya, corong "
    "kampanye, peta dan tabel per kecamatan, serta perusahaan yang berpartisipasi. Hanya angka agregat — tanpa data "
    "pribadi pekerja. Setiap unduhan dicatat di log audit."
)
campaign = state.load(insight.active_campaign)
if campaign is None:
    st.info("Belum ada surat edaran aktif, jadi belum ada laporan triwulan.")
    st.stop()
quarters = insight.available_quarters(campaign.letter_date, dt.date.today())
labels = {f"Triwulan {q} {y}": (y, q) for y, q in quarters}
year, quarter = labels[st.selectbox("Triwulan", list(labels), key="triwulan") or next(iter(labels))]


def _file(kind: str) -> bytes:
    """Run on the click: build the file, audit the download (in the service)."""
    with state.db() as s:
        return insight.quarterly_file(session=s, actor=actor, year=year, quarter=quarter, kind=kind)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES = [
    ("Unduh PDF", "pdf", "application/pdf", ":material/picture_as_pdf:"),
    ("Unduh Excel", "xlsx", XLSX, ":material/table_view:"),
]
for column, (label, kind, mime, icon) in zip(st.columns(2), FILES, strict=True):
    column.download_button(
        label,
        data=lambda kind=kind: _file(kind),
        file_name=safe_filename(f"payung-laporan-{year}-T{quarter}.{kind}"),
        mime=mime,
        type="primary" if kind == "pdf" else "secondary",
        icon=icon,
        key=f"triwulan_{kind}",
        on_click="ignore",  # no rerun: the other button keeps its file id (ui/server_guard.py)
    )
start, end = insight.quarter_bounds(year, quarter)
split, outlook = quarter_extras(actor, year, quarter)
split_block(split, title="Siapa yang menanggung (akhir periode)")
if outlook is not None:
    st.subheader("Kapan target tercapai, dengan dan tanpa alokasi APBD tahun depan (akhir periode)")
    allocation_block(outlook)
st.caption(
    f"Periode {fmt.long_date(start)} s.d. {fmt.long_date(min(end, dt.date.today()))}. Capaian dan corong disusun "
    "ulang per akhir periode dari tanggal kartu, ikrar dan jawaban; peta, tabel kecamatan dan celah menurut "
    "keadaan saat laporan dibuat."
)
