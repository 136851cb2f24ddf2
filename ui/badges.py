"""The company's own badges on its pages: each earned badge with its rule, a preview and an SVG download."""

import streamlit as st

from services import insight
from services.platform.authz import Actor
from services.platform.errors import PayungError
from services.platform.text import safe_filename
from ui import state
from ui.leaderboard import company_url


@st.cache_data(ttl=300, show_spinner=False, max_entries=512)
def _badges(_actor: Actor, company_id: int, data_version: int) -> list[insight.EarnedBadge]:
    """Per company and data version (ranking a company against the board reads every company): the key is the
    acting company's own id, and the service checks the actor that fills the entry."""
    with state.db(write=False) as s:
        return insight.company_badges(session=s, actor=_actor, company_id=company_id)


def badge_section(actor: Actor) -> None:
    """A small section for a company page (the report): badges are public facts, so plain bytes are fine."""
    st.subheader("Lencana Payung")
    try:
        badges = _badges(actor, actor.company_id or 0, state.data_version())
    except PayungError as exc:
        st.error(str(exc))
        return
    if not badges:
        st.caption("Belum ada lencana. Aturan setiap lencana ada di papan peringkat di Beranda.")
        return
    st.caption("Pasang lencana di situs web atau laporan CSR/TJSL Anda (gambar SVG).")
    st.html(
        f'<p><a href="{company_url(badges[0].slug)}" target="_self">Halaman publik perusahaan Anda</a> '
        "— alamat yang dapat dibagikan.</p>"
    )
    for badge in badges:
        left, right = st.columns([2, 1])
        left.image(badge.svg, width=320)
        right.markdown(f"**{badge.label}** — {badge.rule}")
        right.download_button(
            f"Unduh lencana {badge.label} (SVG)",
            badge.svg.encode("utf-8"),
            file_name=safe_filename(badge.file_name),
            mime="image/svg+xml",
            key=f"badge_{badge.code}",
            icon=":material/workspace_premium:",
            on_click="ignore",
        )
