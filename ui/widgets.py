"""Small display helpers shared by pages."""

from typing import Any

import streamlit as st

from services.insight import figures as fig
from services.insight.dashboard import CampaignProgress
from ui.leaderboard import progress_bar_html, progress_legend_html

DEFINITIONS_URL = "definisi-angka"  # the url_path of pages/public/definitions.py in app.py's PAGES


def metric(column: Any, key: str, value: Any, *, shown: str | None = None, **kwargs: Any) -> None:
    """A catalogued figure as st.metric: its label, its Indonesian value, its definition as the tooltip.
    `shown` replaces the value's text where a rule hides it (small-count suppression on public pages)."""
    column.metric(fig.label(key), shown or fig.show(key, value), help=fig.helptext(key), **kwargs)


def definitions_link() -> None:
    st.caption(f"Arti setiap angka: [Definisi angka]({DEFINITIONS_URL})")


def progress_block(progress: CampaignProgress) -> None:
    """The city's progress toward the campaign target: catalogued metrics and one stacked bar."""
    cols = st.columns(5)
    for column, key in zip(
        cols, ["protected_now", "protected_ever", "target", "workers_pledged", "response_rate"], strict=True
    ):
        metric(column, key, progress[key])
    waiting = max(progress["remaining_to_target"] - progress["in_process"], 0)
    st.html(  # HTML, not a chart: nothing above the fold waits for the browser to load the Vega libraries
        progress_bar_html(progress["protected_now"], progress["in_process"], progress["target"])
        + progress_legend_html(progress["protected_now"], progress["in_process"], waiting)
    )
    shown = ["progress", "remaining_to_target", "in_process", "letters_sent", "companies_answered", "rupiah_committed"]
    st.caption(
        " · ".join(f"{fig.label(k)}: {fig.show(k, progress[k])}" for k in shown)
        + f" · [Definisi angka]({DEFINITIONS_URL})"
    )
