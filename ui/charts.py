"""Pure Altair chart builders (no Streamlit): data in, chart out, tested through `chart.to_dict()`."""

import altair as alt
import pandas as pd

GREEN, AMBER, GREY = "#0b6e4f", "#f2a541", "#c9d1d3"
# d3-format/d3-time-format locale for Indonesian: 20.000, 12,5%, Rp16.800, Nov 2024.
ID_LOCALE = alt.Locale(
    number=alt.NumberLocale(decimal=",", thousands=".", grouping=[3], currency=["Rp", ""]),
    time=alt.TimeLocale(
        dateTime="%A, %e %B %Y %X",
        date="%d/%m/%Y",
        time="%H:%M:%S",
        periods=["AM", "PM"],
        days=["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
        shortDays=["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
        months=[
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ],
        shortMonths=["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    ),
)


def indonesian(chart: alt.Chart) -> alt.Chart:
    """Apply the Indonesian number/time locale (call last: a configured chart can no longer be layered)."""
    return chart.configure(locale=ID_LOCALE)


def target_progress(protected: int, in_process: int, target: int) -> alt.Chart:
    """One stacked bar: workers protected, in process, and what is left to the city's target."""
    remaining = max(target - protected - in_process, 0)
    data = pd.DataFrame(
        {
            "bagian": ["Terlindungi", "Dalam proses", "Sisa menuju target"],
            "pekerja": [protected, in_process, remaining],
            "urutan": [0, 1, 2],
        }
    )
    return indonesian(
        alt.Chart(data)
        .mark_bar(height=36)
        .encode(
            x=alt.X("sum(pekerja):Q", title="Pekerja", stack="zero"),
            color=alt.Color(
                "bagian:N",
                scale=alt.Scale(domain=list(data["bagian"]), range=[GREEN, AMBER, GREY]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            order=alt.Order("urutan:Q"),
            tooltip=[alt.Tooltip("bagian:N", title="Bagian"), alt.Tooltip("pekerja:Q", title="Pekerja", format=",")],
        )
        .properties(height=90)
    )


def coverage_by_kecamatan(df: pd.DataFrame) -> alt.Chart:
    """Horizontal stacked bars per kecamatan: protected, in process, uncovered (long format from the service)."""
    long = df.melt(
        id_vars=["kecamatan"],
        value_vars=["protected", "in_process", "uncovered"],
        var_name="status",
        value_name="pekerja",
    )
    labels = {"protected": "Terlindungi", "in_process": "Dalam proses", "uncovered": "Belum terlindungi"}
    long["status"] = long["status"].map(labels)
    return indonesian(
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("kecamatan:N", title=None, sort="-x", axis=alt.Axis(labelOverlap=False)),
            x=alt.X("sum(pekerja):Q", title="Pekerja rentan terdaftar"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(labels.values()), range=[GREEN, AMBER, GREY]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["kecamatan:N", "status:N", alt.Tooltip("sum(pekerja):Q", title="Pekerja", format=",")],
        )
        .properties(height=alt.Step(30))
    )
