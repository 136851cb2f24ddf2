"""Small display helpers shared by pages."""

import streamlit as st

from services.insight.dashboard import CampaignProgress
from services.platform import fmt
from ui import charts
from ui.leaderboard import progress_legend_html


@st.cache_data(show_spinner=False, max_entries=16)
def _target_spec(protected: int, in_process: int, target: int) -> dict:
    """Built (and validated by Altair) once per set of numbers, not on every visitor's run."""
    return charts.target_progress(protected, in_process, target).to_dict()


def progress_block(progress: CampaignProgress) -> None:
    """The city's progress toward the campaign target: metrics and one stacked bar."""
    cols = st.columns(4)
    cols[0].metric(
        "Pekerja terlindungi",
        fmt.number(progress.workers_protected),
        help="Pekerja yang kartu BPJS Ketenagakerjaannya sudah terbit dan masa perlindungannya berjalan.",
    )
    cols[1].metric(
        "Target kota",
        fmt.number(progress.target_workers),
        help=f"Capaian {fmt.percent(progress.progress)} dari target.",
    )
    cols[2].metric("Pekerja yang diikrarkan", fmt.number(progress.workers_pledged))
    cols[3].metric(
        "Perusahaan merespons",
        f"{fmt.number(progress.companies_responded)} dari {fmt.number(progress.companies_invited)}",
    )
    st.vega_lite_chart(
        _target_spec(progress.workers_protected, progress.workers_in_process, progress.target_workers),
        width="stretch",
    )
    remaining = max(progress.target_workers - progress.workers_protected - progress.workers_in_process, 0)
    st.html(progress_legend_html(progress.workers_protected, progress.workers_in_process, remaining))
    st.caption(
        f"Capaian {fmt.percent(progress.progress)} dari target {fmt.number(progress.target_workers)} pekerja · "
        f"{fmt.number(progress.workers_in_process)} pekerja sedang diproses · "
        f"komitmen perusahaan {fmt.rupiah(progress.rupiah_committed)}"
    )
