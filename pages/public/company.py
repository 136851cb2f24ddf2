"""A participating company's public page, shareable as `/perusahaan-publik?id=<slug>` (no login): aggregates only —
workers protected by kecamatan and occupation, months of cover, badges, when it answered the letter."""

import streamlit as st

from services import insight
from services.insight import figures as fig
from services.insight import suppression
from services.platform import fmt
from services.platform.errors import PayungError
from ui import board_cache, state, widgets
from ui import leaderboard as lb

slug = st.query_params.get("id", "")
try:
    company = board_cache.public_company(slug, state.data_version())
except PayungError as exc:
    st.title("Perusahaan tidak ditemukan")
    st.info(str(exc))
    st.html(lb.back_link_html())
    st.stop()

answered = f" pada {fmt.long_date(company.responded_at.date())}" if company.responded_at else ""
if company.days_to_answer is not None:
    answered += f", {fmt.number(company.days_to_answer)} hari setelah surat terbit"
# The name and sector are the company's own text: rendered escaped, never as Markdown.
st.html(
    lb.company_header_html(
        company.name,
        f"{company.sector} · Kecamatan {company.kecamatan} · ukuran {company.size_band.lower()} · "
        f"menjawab {company.letter_number}{answered}",
    )
)
figs = company.figures
# Counts of workers on a public page go through small-count suppression ("< 3"), see docs/security.md.
suppressed = {
    "company.protected_ever": company.workers_protected_text,
    "company.protected_now": company.workers_protected_now_text,
}
for column, key in zip(
    st.columns(4),
    ["company.protected_ever", "company.protected_now", "company.workers_pledged", "company.cover_months"],
    strict=True,
):
    widgets.metric(column, key, figs[key], shown=suppressed.get(key))
rupiah = figs["company.rupiah_committed"]
SHARES_OF_COUNT = ("company.share_fulfilled", "company.per_100")
small = suppression.is_small(int(company.workers_protected))
facts = [
    ("Peringkat se-kota (pernah dilindungi)", fmt.number(company.rank)),
    *[
        # A share of a count of 1 or 2 gives the count back: "–" as on the board (small-count suppression).
        (fig.label(k), "–" if k in SHARES_OF_COUNT and small else fig.show(k, figs[k]))
        for k in ("company.answer_order", "company.share_fulfilled", "company.per_100")
    ],
    (
        fig.label("company.rupiah_committed"),
        "Dirahasiakan oleh perusahaan" if rupiah is None else fig.show("company.rupiah_committed", rupiah),
    ),
    ("Diperpanjang", "Ya" if company.renewed else "Belum"),
]
st.html(lb.facts_html(facts))

st.subheader("Lencana")
if company.badges:
    st.html(lb.badges_html(company.badges, company.suggested_min))
    for code in company.badges:
        st.caption(
            f"{insight.badge_label(code, company.suggested_min)}: {insight.badge_rule(code, company.suggested_min)}"
        )
else:
    st.caption("Belum ada lencana. Aturan setiap lencana ada di Beranda.")

st.subheader("Pekerja yang pernah dilindungi")
if company.workers_protected == 0:
    st.info("Kartu BPJS pekerja yang diikrarkan belum terbit. Angka per kecamatan dan pekerjaan muncul setelahnya.")
elif company.by_kecamatan.empty or company.by_occupation.empty:
    st.info("Rincian per kecamatan dan pekerjaan disembunyikan: pekerjanya masih terlalu sedikit untuk ditampilkan.")
else:
    left, right = st.columns(2)
    left.html(lb.counts_html(company.by_kecamatan, "kecamatan", "Kecamatan tempat tinggal"))
    right.html(lb.counts_html(company.by_occupation, "pekerjaan", "Pekerjaan"))
st.caption(
    "Hanya angka agregat: halaman ini tidak memuat nama, NIK, nomor telepon, atau alamat pekerja. Angka 1 atau 2 "
    "ditulis « < 3 » (dan bila perlu satu angka lain « ≥ 3 ») agar tidak ada pekerja yang dapat dikenali."
)
st.html(lb.back_link_html())
widgets.definitions_link()
