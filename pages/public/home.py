"""Public landing page (no login): the city's progress toward the target, then the leaderboard of participating
companies — fair views, badges with their rules, filters, sorting, charts. Aggregates only, no personal data."""

import streamlit as st

from services import insight
from services.platform import fmt
from ui import benefits as benefits_ui
from ui import board_cache, state, widgets
from ui import leaderboard as lb
from ui.payers import split_block

ALL_KEC, ALL_SECTOR = "Semua kecamatan", "Semua sektor"
ASCENDING_FIRST = {"rank", "company", "days_to_answer"}  # keys whose natural order is smallest first
DIRECTIONS = ["Besar ke kecil", "Kecil ke besar"]
VIEW_LABELS = {code: v.label for code, v in insight.VIEWS.items()}


st.title("☂️ Payung")
st.markdown(
    "**Perlindungan BPJS Ketenagakerjaan bagi pekerja rentan Kota Tangerang, dibiayai perusahaan di sekitarnya.** "
    "Pedagang kaki lima, pengemudi ojek, buruh bangunan, juru parkir, dan pekerja informal lainnya "
    "mendapat Jaminan Kecelakaan Kerja dan Jaminan Kematian lewat dana TJSL perusahaan."
)
version = state.data_version()
progress, board, timeline = board_cache.public_data(version)
if progress is None:
    st.info("Belum ada surat edaran yang aktif. Halaman ini akan menampilkan capaian setelah kampanye dimulai.")
    st.stop()

st.subheader("Capaian kota")
widgets.progress_block(progress)
st.caption(
    f"Berdasarkan {progress.letter_number} tanggal {fmt.long_date(progress.letter_date)}: {progress.subject}. "
    f"Iuran {fmt.rupiah(progress.premium_jkk_jkm)} per pekerja per bulan."
)
benefits_paid, split = board_cache.public_extras(version)
benefits_ui.public_block(benefits_paid)
split_block(split)

st.subheader("Papan peringkat: perusahaan yang berpartisipasi")
if board.rows.empty:
    st.info("Belum ada perusahaan yang berikrar. Jadilah yang pertama!")
    st.stop()
c1, c2, c3, c4, c5 = st.columns([3, 2, 2, 2, 2])
# format_func must pickle (serializable session state): a dict's bound method does, a lambda does not.
view = c1.selectbox("Tampilan", list(VIEW_LABELS), format_func=VIEW_LABELS.__getitem__, key="lb_view")
sort_by = c2.selectbox(
    "Urutkan menurut", list(insight.SORT_KEYS), format_func=insight.SORT_KEYS.__getitem__, key="lb_sort"
)
# One direction widget per sort key, so each key starts in its natural order (a count: largest first).
natural = 1 if sort_by in ASCENDING_FIRST else 0
direction = c3.selectbox("Arah", DIRECTIONS, index=natural, key=f"lb_dir_{sort_by}")
kecamatan = c4.selectbox("Kecamatan", [ALL_KEC, *board.kecamatan], key="lb_kec")
sector = c5.selectbox("Sektor", [ALL_SECTOR, *board.sectors], key="lb_sector")
descending = direction == DIRECTIONS[0]
kec_code, sector_name = (None if kecamatan == ALL_KEC else kecamatan), (None if sector == ALL_SECTOR else sector)
rows = insight.board_view(
    board.rows, view=view, sort_by=sort_by, descending=descending, kecamatan=kec_code, sector=sector_name
)
st.markdown(
    f"**Aturan peringkat ({insight.VIEWS[view].label}).** {insight.VIEWS[view].rule} Perusahaan dengan kurang dari "
    '3 pekerja (ditampilkan "< 3") berbagi satu peringkat dan diurutkan menurut nama, agar jumlahnya tidak terbaca.'
)
hidden = int(rows["hidden"].sum())
summary = (
    f"{fmt.number(len(rows))} perusahaan ditampilkan dari {fmt.number(len(board.rows))} yang berpartisipasi. "
    f"{fmt.number(hidden)} perusahaan memilih tidak menampilkan nilai komitmennya (tertulis Dirahasiakan). "
    "Peringkat dihitung se-kota; filter hanya menyaring baris."
)
st.caption(summary)
if rows.empty:
    st.info("Tidak ada perusahaan untuk pilihan ini. Pilih kecamatan atau sektor lain.")
else:
    labels = insight.page_labels(len(rows))
    page = 0
    if len(labels) > 1:  # 100 rows a page keeps the table fast; the A-Z index below lists every company
        page = st.selectbox("Baris", list(labels), format_func=labels.__getitem__, key="lb_page")
    # Built once per data version and choice, for every visitor (board_cache).
    tables = board_cache.board_tables(version, view, sort_by, descending, kec_code, sector_name, page, summary)
    for heading, html in tables:
        if heading:
            st.markdown(f"##### {heading}")
        st.html(html)

st.markdown("**Lencana dan aturannya**")
st.html(lb.badge_rules_html(board.suggested_min))
left, right = st.columns(2)
metric = {"per100": "per_100"}.get(view, "workers_protected")
left.markdown(f"**10 teratas: {insight.SORT_KEYS[metric].lower()}**")
left.vega_lite_chart(board_cache.top_chart(version, view, metric, kec_code, sector_name), width="stretch")
right.markdown("**Ikrar dan pekerja dilindungi dari waktu ke waktu**")
if timeline.empty:
    right.info("Belum ada data waktu.")
else:
    right.vega_lite_chart(board_cache.timeline_chart(version), width="stretch")
if len(board.rows) > insight.PAGE_SIZE:  # the table is paged: list every name, so the browser's find reaches it
    st.markdown("**Semua perusahaan yang berpartisipasi (A–Z)**")
    st.html(board_cache.name_index(version))
st.caption(
    "Klik nama perusahaan untuk membuka halamannya. Halaman publik ini hanya memuat angka agregat per perusahaan; "
    "tidak ada nama, NIK, nomor telepon, atau alamat pekerja."
)
