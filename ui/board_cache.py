"""The public board's data, cached once per process and data version for both public pages."""

import streamlit as st

from services import insight
from ui import state


@st.cache_data(ttl=300, show_spinner=False, max_entries=4)
def public_data(data_version: int) -> tuple:
    """(progress, board, timeline), cached per data version: a commit that changes the board in this process
    changes the key; the TTL covers writes from other processes (CLI imports, other replicas)."""
    with state.db(write=False) as s:
        return insight.campaign_progress(session=s), insight.public_board(session=s), insight.board_timeline(session=s)


@st.cache_data(ttl=300, show_spinner=False, max_entries=256)
def public_company(slug: str, data_version: int) -> insight.PublicCompany:
    """A company's public page, ranked against the cached board (no second pass over every company)."""
    board = public_data(data_version)[1]
    with state.db(write=False) as s:
        return insight.public_company(session=s, slug=slug, rows=board.rows)
