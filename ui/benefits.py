"""What the cover did (benefits BPJS paid), drawn the same way on every page: counts and Rupiah, never a name."""

import pandas as pd
import streamlit as st

from services import insight
from services.platform import fmt
from ui import widgets


def company_block(benefits: insight.Benefits) -> None:
    """The company home and impact report: '2 keluarga menerima santunan JKM, Rp84 juta'."""
    st.subheader("Manfaat yang sudah dibayar BPJS")
    sentences = benefits.sentences()
    if not sentences:
        st.caption("Belum ada klaim JKK atau JKM yang dibayar untuk pekerja yang Anda lindungi.")
        return
    for sentence in sentences:
        st.markdown(f"**{sentence}.**")
    st.caption("Jumlah keluarga dan santunan saja; nama penerima tidak ditampilkan (UU PDP).")


def city_block(data: insight.CityBenefits) -> None:
    """The city dashboard: benefits paid against premiums paid, by programme and by payer (catalogued figures)."""
    st.subheader("Santunan dibayar dan iuran dibayar")
    values = {
        "benefit_families": data.total.families,
        "benefits_paid": data.total.amount,
        "premiums_paid": data.premiums,
        "benefit_ratio": data.ratio,
    }
    for column, (key, value) in zip(st.columns(4), values.items(), strict=True):
        widgets.metric(column, key, value)
    for sentence in data.total.sentences():
        st.markdown(f"- {sentence}")
    shown = data.by_payer[(data.by_payer[["jkk_families", "jkm_families"]].sum(axis=1) > 0)]
    if not shown.empty:
        names = {"payer": "Pembayar", "jkk_families": "Keluarga JKK", "jkk_amount": "Santunan JKK"}
        names |= {"jkm_families": "Keluarga JKM", "jkm_amount": "Santunan JKM", "premiums": "Iuran dibayar"}
        table(
            shown.rename(columns=names).set_index("Pembayar"), rupiah=("Santunan JKK", "Santunan JKM", "Iuran dibayar")
        )


def table(df: pd.DataFrame, *, rupiah: tuple[str, ...] = (), dates: tuple[str, ...] = ()) -> None:
    """A real-text table (the browser's find and screen readers see it) whose numbers stay numbers and are written
    the Indonesian way on the server, whatever the browser's locale: counts 1.234, Rupiah Rp84.000.000."""
    formats = {c: fmt.number for c in df.columns if pd.api.types.is_numeric_dtype(df[c])}
    formats |= {c: fmt.rupiah for c in rupiah} | {c: fmt.date for c in dates}
    st.table(df.style.format(formats))  # type: ignore[arg-type]


def public_block(rows: list[tuple[str, int | None, int | None]]) -> None:
    """The public page: city totals only, a count under SMALL_COUNT families suppressed."""
    words = {"JKM": "santunan JKM (kematian)", "JKK": "manfaat JKK (kecelakaan kerja)"}
    lines = [
        f"{fmt.number(families)} keluarga menerima {words[p]}, {insight.rupiah_short(amount)}"
        if families is not None and amount is not None
        else f"Kurang dari {insight.SMALL_COUNT} keluarga menerima {words[p]} (angka kecil tidak ditampilkan)"
        for p, families, amount in rows
    ]
    st.markdown(
        "**Manfaat yang sudah dibayar BPJS bagi pekerja yang dilindungi**\n\n" + "\n".join(f"- {x}" for x in lines)
    )
