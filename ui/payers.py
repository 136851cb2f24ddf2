"""The split of this month's cover by payer, drawn the same way on the dashboard, the public page and the report."""

import streamlit as st

from services.insight import PayerSplit
from services.insight.catalogue import figure
from services.platform import fmt


def split_block(split: PayerSplit, *, title: str = "Siapa yang menanggung") -> None:
    """Four metrics (APBD Kota, CSR, other programmes, mandiri) and one line: all payers against the target, and
    the city budget still needed."""
    st.subheader(title)
    for column, (label, workers) in zip(st.columns(4), split.shares(), strict=True):
        column.metric(label, fmt.number(workers))
    need = figure("budget_needed_after_csr")
    st.caption(
        f"{fmt.month(split.month)}: {fmt.number(split.total)} pekerja ditanggung semua penanggung, dari target "
        f"{fmt.number(split.target)}. {need.label}: {need.format(split.budget_needed)} "
        f"({fmt.rupiah(split.premium)} per pekerja per bulan, 12 bulan). Satu pekerja satu penanggung per bulan."
    )
