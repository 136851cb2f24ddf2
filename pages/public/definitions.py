"""Definisi angka (public): every figure Payung shows, from the catalogue — what it counts, its unit and how it is
rounded. Each figure elsewhere links or tooltips here; the anchors are the catalogue keys (#protected_now)."""

from html import escape

import streamlit as st

from services import insight

st.title("Definisi angka")
st.markdown(
    "Setiap angka di Payung didefinisikan sekali di sini dan dihitung dengan satu cara, sehingga nilainya sama di "
    "Beranda, halaman perusahaan, ringkasan kota, laporan dampak, dan laporan triwulan (PDF dan Excel). Bila dua "
    "arti sama-sama berguna, keduanya menjadi dua angka dengan dua nama, misalnya *Terlindungi saat ini* dan "
    "*Pernah dilindungi*."
)
rows = "".join(
    f'<tr id="{escape(g["key"], quote=True)}"><th scope="row">{escape(g["label"])}</th><td>{escape(g["definition"])}'
    f"</td><td>{escape(g['unit'])}</td><td>{escape(g['rounding'])}</td><td>{escape(g['shown_to'])}</td></tr>"
    for g in insight.glossary()
)
st.html(
    '<table class="payung-definitions" style="border-collapse:collapse;width:100%;font-size:0.9rem">'
    "<thead><tr><th scope='col'>Angka</th><th scope='col'>Definisi</th><th scope='col'>Satuan</th>"
    "<th scope='col'>Pembulatan</th><th scope='col'>Ditampilkan untuk</th></tr></thead>"
    f"<tbody>{rows}</tbody></table>"
    "<style>.payung-definitions th,.payung-definitions td{text-align:left;vertical-align:top;padding:0.35rem;"
    "border-bottom:1px solid #e3e8ea}</style>"
)
st.caption(
    "Angka ditulis dengan cara Indonesia di semua halaman, apa pun bahasa peramban Anda: 1.234 · 76,6 % · "
    "Rp16.800 · 15 Nov 2024. Tanda – berarti belum ada nilainya (misalnya belum ada surat terkirim)."
)
