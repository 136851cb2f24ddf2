"""The city dashboard's data at the UI edge: each service call cached for a short while (st.cache_data, keyed on
the acting user and the inputs). Every page that writes calls `st.cache_data.clear()` after its command, so a
change shows at once; the TTL bounds what another process's writes can leave stale."""

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from services import insight
from services.platform import fmt
from services.platform.authz import Actor
from ui import charts, state

TTL = dt.timedelta(seconds=60)


@st.cache_data(ttl=TTL, show_spinner=False)
def overview(actor: Actor) -> dict[str, Any]:
    """Everything the overview page draws, read in one Session."""
    with state.db() as s:
        headline = insight.headline(session=s, actor=actor)
        coverage = insight.coverage_by_kelurahan(session=s, actor=actor)
        return {
            "headline": headline,
            "funnel": insight.funnel(session=s, actor=actor),
            "weekly": insight.weekly_progress(session=s, actor=actor),
            "coverage": coverage,
            "gaps": insight.gaps(session=s, actor=actor, coverage=coverage),
            "expiring": insight.expiring_cover(session=s, actor=actor),
        }


@st.cache_data(ttl=TTL, show_spinner=False)
def chart_specs(actor: Actor) -> dict[str, dict]:
    """Vega-Lite specs of the funnel, weekly and forecast charts, built once per cache period (building an Altair
    chart costs more than rendering the page)."""
    data = overview(actor)
    fc = forecast(actor, 0, 0, None)  # the same cache entry as the page's first run
    specs = {
        "funnel": charts.funnel(data["funnel"].steps).to_dict(),
        "weekly": charts.weekly_progress(data["weekly"], data["headline"].target).to_dict(),
    }
    if fc is not None:
        reached = fc.baseline.reached_on.isoformat() if fc.baseline.reached_on and fc.baseline.remaining else None
        specs["forecast"] = charts.forecast(
            data["weekly"],
            today=fc.today.isoformat(),
            protected_now=fc.protected_now,
            target=fc.target,
            reached_on=reached,
            expected=fc.series.head(fc.baseline.months + 1 if fc.baseline.months is not None else 60),
        ).to_dict()
    return specs


@st.cache_data(ttl=TTL, show_spinner=False)
def map_spec(actor: Actor, metric: str) -> dict:
    """The choropleth's Vega-Lite spec for one metric (the GeoJSON is inlined once per cache period)."""
    return charts.coverage_map(insight.kelurahan_features(overview(actor)["coverage"]), metric).to_dict()


def chart(spec: dict) -> None:
    st.vega_lite_chart(spec=spec, width="stretch")


@st.cache_data(ttl=TTL, show_spinner=False)
def forecast(
    actor: Actor, extra_companies: int, city_budget_per_year: int, by_date: dt.date | None = None
) -> insight.Forecast | None:
    """A bad what-if raises ValidationError (not cached); the page shows its message."""
    with state.db() as s:
        return insight.forecast(
            session=s,
            actor=actor,
            extra_companies=extra_companies,
            city_budget_per_year=city_budget_per_year,
            by_date=by_date,
        )


COUNT = st.column_config.NumberColumn(format="localized")  # 1.195 in an id-ID browser; stays a number
SHARE = st.column_config.NumberColumn(format="percent")
KM = st.column_config.NumberColumn(format="localized")  # 4,1 in an id-ID browser; the header says km
DATE = st.column_config.DateColumn(format="D MMM YYYY")


def table(df: pd.DataFrame, headers: dict[str, str], *, shares: tuple[str, ...] = (), km: tuple[str, ...] = ()) -> None:
    """A sortable table: columns renamed and picked by `headers`, numbers numeric and formatted."""
    shown = df[list(headers)].rename(columns=headers)
    config: dict[str, Any] = {}
    for key, label in headers.items():
        if key in shares:
            config[label] = SHARE
        elif key in km:
            config[label] = KM
        elif pd.api.types.is_numeric_dtype(df[key]):
            config[label] = COUNT
        elif len(df) and isinstance(df[key].iloc[0], dt.date):
            config[label] = DATE
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)


def forecast_block(fc: insight.Forecast, spec: dict | None) -> None:
    """When the target is reached (baseline and what-if), what the forecast counts, and what it takes by a date."""

    def when(p: insight.Projection) -> str:
        if p.reached_on is None:
            return "tidak tercapai dalam 10 tahun"
        return "sudah tercapai" if p.months == 0 else f"{fmt.date(p.reached_on)} ({fmt.number(p.months)} bulan)"

    c1, c2, c3 = st.columns(3)
    c1.metric("Pekerja baru per bulan (laju 8 minggu)", fmt.decimal(fc.pace_per_month))
    c2.metric("Target tercapai (laju sekarang)", when(fc.baseline))
    c3.metric(
        "Dengan skenario",
        when(fc.what_if),
        help=f"Skenario menambah {fmt.number(fc.extra_workers)} pekerja ({fmt.number(fc.extra_companies)} "
        f"perusahaan x {fmt.number(fc.suggested_min_workers)}) dan {fmt.number(fc.budget_workers)} pekerja dari "
        f"anggaran {fmt.rupiah(fc.city_budget_per_year)}/tahun.",
    )
    rate = (
        f"{fmt.percent(fc.renewal_rate)} dari {fmt.number(fc.renewals_observed)} pekerja"
        if fc.renewals_observed
        else "belum teramati (dianggap tidak diperpanjang)"
    )
    st.caption(
        f"Dihitung dari {fmt.number(fc.protected_now)} pekerja terlindungi dan {fmt.number(fc.in_process)} dalam "
        f"proses; tingkat perpanjangan {rate}. Sisa menuju target (setelah yang dalam proses): "
        f"{fmt.number(fc.baseline.remaining)} pekerja; skenario menambah "
        f"{fmt.number(fc.extra_workers + fc.budget_workers)} pekerja."
    )
    if fc.needed_per_month:
        st.warning(
            f"Agar target tercapai pada {fmt.date(fc.by_date)}, dibutuhkan tambahan "
            f"**{fmt.number(fc.needed_per_month)} pekerja per bulan** mulai bulan depan, di atas laju sekarang."
        )
    else:
        st.success(f"Pada laju sekarang target tercapai paling lambat {fmt.date(fc.by_date)}.")
    st.caption(f"Metode: {fc.method}")
    if spec is not None:
        chart(spec)


def headline_block(head: insight.Headline) -> None:
    """Six headline figures, each with its change over the last 30 days, and the progress bar."""
    st.caption(
        f"{head.letter_number} · target {fmt.number(head.target)} pekerja · per {fmt.date(head.today)}; perubahan "
        "dihitung terhadap 30 hari lalu (dari riwayat status ikrar dan penugasan)."
    )
    cols = st.columns(3)
    for col, (label, figure, show) in zip(
        cols * 2,
        [
            ("Pekerja terlindungi (kartu terbit)", head.protected, fmt.number),
            ("Dalam proses", head.in_process, fmt.number),
            ("Pekerja diikrarkan", head.pledged, fmt.number),
            ("Komitmen perusahaan", head.rupiah, fmt.rupiah),
            ("Perusahaan menjawab", head.companies_participating, fmt.number),
            ("Surat terkirim", head.letters_sent, fmt.number),
        ],
        strict=True,
    ):
        moved = figure.change != 0
        col.metric(
            label,
            show(figure.now),
            delta=f"{'+' if figure.change >= 0 else '−'}{show(abs(figure.change))}",
            delta_color="normal" if moved else "off",
            delta_arrow="auto" if moved else "off",
            delta_description="30 hari terakhir",
        )
    st.progress(min(head.progress, 1.0), text=f"Capaian {fmt.percent(head.progress)} dari target")
    if head.ending_30d:
        st.warning(
            f"Perlindungan {fmt.number(head.ending_30d)} pekerja ({fmt.percent(head.ending_30d_share)} dari yang "
            "terlindungi) berakhir dalam 30 hari dan belum diperpanjang. Hubungi perusahaannya (tab *Segera "
            "berakhir*)."
        )


def funnel_section(fun: insight.Funnel, spec: dict) -> None:
    """The funnel chart and tables: per step, per sector, per kecamatan."""
    chart(spec)
    st.caption(
        f"{fmt.number(fun.answered)} perusahaan menjawab; median {fmt.decimal(fun.median_days_to_answer)} hari "
        "dari surat ke jawaban. Konversi = perusahaan di tahap ini dibagi tahap sebelumnya."
    )
    table(fun.steps, {"label": "Tahap", "companies": "Perusahaan", "conversion": "Konversi"}, shares=("conversion",))
    step_headers = {"sent": "Surat", "pledged": "Berikrar", "active": "Kartu terbit", "renewed": "Diperpanjang"}
    for title, key, frame in [
        ("Per sektor", "sector", fun.by_sector),
        ("Per kecamatan", "kecamatan", fun.by_kecamatan),
    ]:
        st.subheader(title)
        headers = {key: title.removeprefix("Per ").capitalize(), **step_headers}
        headers |= {"response_rate": "Tingkat respons", "median_days": "Median hari menjawab"}
        table(frame, headers, shares=("response_rate",))


def expiry_section(expiring: pd.DataFrame) -> None:
    """Companies whose workers' cover ends within 60 days."""
    if expiring.empty:
        st.success("Tidak ada perlindungan yang berakhir dalam 60 hari ke depan.")
    else:
        st.caption(
            "Hubungi perusahaan sebelum perlindungan pekerjanya berakhir; perpanjangan memakai pekerja yang sama."
        )
        table(
            expiring,
            {
                "company": "Perusahaan",
                "contact": "Kontak",
                "phone": "Telepon",
                "within_7": "≤ 7 hari",
                "within_30": "≤ 30 hari",
                "within_60": "≤ 60 hari",
                "first_end": "Berakhir paling awal",
            },
        )


GAP_HEADERS = {
    "kelurahan": "Kelurahan",
    "kecamatan": "Kecamatan",
    "open_places": "(a) Terjangkau tempat kosong",
    "beyond_places": "(b) Melebihi tempat ikrar",
    "gap": "(c) Tak terjangkau ikrar",
    "beyond_places_cost": "Biaya 12 bulan (b) (Rp)",
    "gap_cost": "Biaya 12 bulan (c) (Rp)",
}


def gaps_section(gaps: insight.Gaps, coverage: pd.DataFrame) -> None:
    """The gap split (a)/(b)/(c) with its costs, who to ask next for (b) and (c), and the kecamatan table."""
    st.subheader("Celah: pekerja memenuhi syarat yang belum terlindungi")
    st.markdown(insight.gap_sentence(gaps) + f" Iuran {fmt.rupiah(gaps.premium)} per pekerja per bulan.")
    c1, c2, c3 = st.columns(3)
    for column, part, label in [
        (c1, "open_places", "(a) Terjangkau tempat kosong ikrar"),
        (c2, "beyond_places", "(b) Melebihi tempat ikrar"),
        (c3, "gap", "(c) Tak terjangkau ikrar"),
    ]:
        column.metric(label, fmt.number(gaps.parts[part]), help=f"Biaya 12 bulan: {fmt.rupiah(gaps.cost(part))}")
    table(gaps.by_kelurahan, GAP_HEADERS)
    st.markdown(
        "**Siapa yang dihubungi berikutnya** untuk (b) dan (c) — perusahaan terdekat yang belum menjawab surat:"
    )
    table(
        gaps.nearest,
        {
            "kelurahan": "Kelurahan",
            "rank": "Urutan",
            "company": "Perusahaan",
            "sector": "Sektor",
            "distance_km": "Jarak (km)",
        },
        km=("distance_km",),
    )
    st.subheader("Per kecamatan")
    table(
        insight.by_kecamatan(coverage),
        {
            "kecamatan": "Kecamatan",
            "eligible": "Pekerja memenuhi syarat",
            "protected": "Terlindungi",
            "in_process": "Dalam proses",
            "unprotected": "Belum terlindungi",
            "open_places": "(a)",
            "beyond_places": "(b)",
            "gap": "(c)",
            "share_protected": "Porsi terlindungi",
        },
        shares=("share_protected",),
    )
