"""The public board's data and what the public page draws from it, cached once per process and data version for
both public pages: a crowd of visitors costs one query and one build of each table and chart per change (building
the HTML tables and validating Altair charts cost more than the rest of a page run)."""

import streamlit as st

from services import insight
from ui import leaderboard as lb
from ui import state


@st.cache_data(ttl=300, show_spinner=False, max_entries=4)
def public_data(data_version: int) -> tuple:
    """(progress, board, timeline), cached per data version: a commit that changes the board, in any process
    (CLI imports, other replicas), changes the key; the TTL only bounds figures "as of today" past midnight."""
    with state.db(write=False) as s:
        return insight.campaign_progress(session=s), insight.public_board(session=s), insight.board_timeline(session=s)


@st.cache_data(ttl=300, show_spinner=False, max_entries=4)
def public_extras(data_version: int) -> tuple:
    """(benefits paid, split by payer) for the public page, cached per data version like the board."""
    with state.db(write=False) as s:
        return insight.public_benefits(session=s), insight.payer_split(session=s)


@st.cache_data(ttl=300, show_spinner=False, max_entries=256)
def public_company(slug: str, data_version: int) -> insight.PublicCompany:
    """A company's public page, ranked against the cached board (no second pass over every company)."""
    board = public_data(data_version)[1]
    with state.db(write=False) as s:
        return insight.public_company(session=s, slug=slug, rows=board.rows)


@st.cache_data(ttl=300, show_spinner=False, max_entries=64)
def board_tables(
    data_version: int,
    view: str,
    sort_by: str,
    descending: bool,
    kecamatan: str | None,
    sector: str | None,
    page: int,
    summary: str,
) -> list[tuple[str, str]]:
    """(heading, HTML table) of the board as one visitor chose to see it; the heading is "" for a single table."""
    board = public_data(data_version)[1]
    rows = insight.board_view(
        board.rows, view=view, sort_by=sort_by, descending=descending, kecamatan=kecamatan, sector=sector
    )
    shown, _ = insight.page_of(rows, page=page)
    groups = [("", summary, shown)]
    if view == "ukuran":
        groups = [
            (insight.band_rule(name, low, high), insight.band_rule(name, low, high), shown[shown["size_band"] == name])
            for name, low, high in insight.SIZE_BANDS[::-1]
        ] + [("Jumlah karyawan belum diisi",) * 2 + (shown[shown["size_band"] == insight.UNKNOWN_BAND],)]
    return [
        (
            heading,
            lb.board_html(
                part, suggested_min=board.suggested_min, caption=caption, sort_by=sort_by, descending=descending
            ),
        )  # fmt: skip
        for heading, caption, part in groups
        if not part.empty
    ]


@st.cache_data(ttl=300, show_spinner=False, max_entries=64)
def top_chart(data_version: int, view: str, metric: str, kecamatan: str | None, sector: str | None) -> dict:
    """The Vega-Lite spec of the 10 companies first by `metric` among those the filters keep."""
    board = public_data(data_version)[1]
    rows = insight.board_view(
        board.rows, view=view, sort_by=metric, descending=True, kecamatan=kecamatan, sector=sector
    )
    chart = lb.top_companies_chart(
        rows.sort_values(metric, ascending=False), value=metric, title=insight.SORT_KEYS[metric], n=10
    )
    return chart.to_dict()


@st.cache_data(ttl=300, show_spinner=False, max_entries=4)
def timeline_chart(data_version: int) -> dict:
    return lb.timeline_chart(public_data(data_version)[2]).to_dict()


@st.cache_data(ttl=300, show_spinner=False, max_entries=4)
def name_index(data_version: int) -> str:
    return lb.name_index_html(public_data(data_version)[1].rows)
