"""The split of this month's cover by payer, drawn the same way on the dashboard, the public page and the report."""

import streamlit as st

from services.insight import PayerSplit
from services.insight.catalogue import figure
from services.platform import fmt


def split_block(split: PayerSplit, *, title: str = "Siapa yang menanggung") -> None:
    """Four metrics (APBD Kota, CSR, other programmes, mandiri), then all payers against the target and the city
    budget still needed: each a catalogued figure, its definition in the tooltip."""
    st.subheader(title)
    values = split.figures()
    keys = list(values)
    for row in (keys[:4], keys[4:]):  # the Rupiah of the second row gets a wider column
        for column, key in zip(st.columns(len(row)), row, strict=True):
            column.metric(figure(key).label, figure(key).format(values[key]), help=figure(key).definition)
    st.caption(
        f"{fmt.month(split.month)}: {fmt.number(split.total)} pekerja ditanggung semua penanggung, dari target "
        f"{fmt.number(split.target)}; anggaran kota yang masih dibutuhkan = iuran 12 bulan "
        f"({fmt.rupiah(split.premium)} per pekerja per bulan) bagi yang masih kurang. Satu pekerja satu penanggung "
        "per bulan."
    )
