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


# ---------------------------------------------------------------------------------------------------------------
# City dashboard (issue 13)

FUNNEL_ORDER = [
    "Surat terkirim",
    "Masuk portal",
    "Berikrar",
    "Pekerja dicocokkan",
    "Didaftarkan ke BPJS",
    "Kartu terbit",
    "Diperpanjang",
]


def funnel(steps: pd.DataFrame) -> alt.Chart:
    """Companies per funnel step (columns label, companies, conversion, share_of_sent), in step order."""
    data = steps[["label", "companies", "conversion", "share_of_sent"]].copy()
    bars = (
        alt.Chart(data)
        .mark_bar(color=GREEN)
        .encode(
            y=alt.Y("label:N", title=None, sort=list(data["label"]), axis=alt.Axis(labelLimit=200)),
            x=alt.X("companies:Q", title="Perusahaan"),
            tooltip=[
                alt.Tooltip("label:N", title="Tahap"),
                alt.Tooltip("companies:Q", title="Perusahaan", format=","),
                alt.Tooltip("conversion:Q", title="Dari tahap sebelumnya", format=".1%"),
                alt.Tooltip("share_of_sent:Q", title="Dari surat terkirim", format=".1%"),
            ],
        )
    )
    labels = bars.mark_text(align="left", dx=4, color="#333").encode(text=alt.Text("companies:Q", format=","))
    return indonesian(alt.layer(bars, labels).properties(height=alt.Step(28)))


WEEKLY_SERIES = {"pledged": "Diikrarkan", "registered": "Didaftarkan ke BPJS", "active": "Perlindungan berjalan"}


def weekly_progress(weekly: pd.DataFrame, target: int | None = None) -> alt.Chart:
    """Workers pledged, registered and under running cover per week since the letter (lines), with the target."""
    long = weekly.melt(
        id_vars=["week", "week_start"], value_vars=list(WEEKLY_SERIES), var_name="series", value_name="pekerja"
    )
    long["series"] = long["series"].map(WEEKLY_SERIES)
    long["week_start"] = pd.to_datetime(long["week_start"]).dt.strftime("%Y-%m-%d")
    lines = (
        alt.Chart(long)
        .mark_line(point=False, interpolate="step-after")
        .encode(
            x=alt.X("week_start:T", title="Minggu sejak surat edaran", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("pekerja:Q", title="Pekerja"),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=list(WEEKLY_SERIES.values()), range=[AMBER, "#3b7dd8", GREEN]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[
                alt.Tooltip("week:Q", title="Minggu ke-"),
                alt.Tooltip("week_start:T", title="Mulai", format="%d %b %Y"),
                alt.Tooltip("series:N", title="Ukuran"),
                alt.Tooltip("pekerja:Q", title="Pekerja", format=","),
            ],
        )
    )
    layers: list[alt.Chart] = [lines]
    if target:
        rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[4, 4], color=GREY)
        layers.append(rule.encode(y="target:Q", tooltip=[alt.Tooltip("target:Q", title="Target", format=",")]))
    return indonesian(alt.layer(*layers).properties(height=280))


MAP_METRICS = {
    "share_protected": ("Porsi terlindungi", ".0%", "greens"),
    "unprotected": ("Pekerja belum terlindungi", ",", "oranges"),
    "gap": ("Celah (tak terjangkau ikrar)", ",", "reds"),
}


def coverage_map(features: list[dict], metric: str = "share_protected") -> alt.Chart:
    """Choropleth per kelurahan (Altair geoshape, no WebGL) from GeoJSON features whose properties carry the
    numbers; `metric` is one of MAP_METRICS. Hovering shows the kelurahan's numbers."""
    if metric not in MAP_METRICS:
        raise ValueError(f"unknown map metric {metric!r}")
    title, fmt_, scheme = MAP_METRICS[metric]
    return indonesian(
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke="white", strokeWidth=0.6)
        .encode(
            color=alt.Color(
                f"properties.{metric}:Q",
                title=title,
                scale=alt.Scale(scheme=scheme),
                legend=alt.Legend(orient="bottom", format=fmt_, gradientLength=260),
            ),
            tooltip=[
                alt.Tooltip("properties.kelurahan_name:N", title="Kelurahan"),
                alt.Tooltip("properties.kecamatan_name:N", title="Kecamatan"),
                alt.Tooltip("properties.eligible:Q", title="Pekerja memenuhi syarat", format=","),
                alt.Tooltip("properties.protected:Q", title="Terlindungi", format=","),
                alt.Tooltip("properties.in_process:Q", title="Dalam proses", format=","),
                alt.Tooltip("properties.unprotected:Q", title="Belum terlindungi", format=","),
                alt.Tooltip("properties.gap:Q", title="Celah", format=","),
                alt.Tooltip("properties.share_protected:Q", title="Porsi terlindungi", format=".1%"),
            ],
        )
        .project(type="mercator")
        .properties(height=460)
    )


def coverage_map_spec(features: list[dict], metric: str = "share_protected") -> dict:
    """`coverage_map(features, metric).to_dict()`, the same dict, built in milliseconds: the chart is built and
    validated without its data and the features are put in afterwards (Altair validating 104 polygons' coordinates
    against the schema costs about 0,3 s per metric, three times per refresh)."""
    return {**coverage_map([], metric).to_dict(), "data": {"values": features}}


def forecast(
    weekly: pd.DataFrame,
    *,
    today: str,
    protected_now: int,
    target: int,
    reached_on: str | None,
    expected: pd.DataFrame | None = None,
) -> alt.Chart:
    """Cover running per week; the expected protected per month (`expected`: month_end, baseline) when given, else
    the straight line from today to the target date."""
    history = weekly[["week_start", "active"]].copy()
    history["week_start"] = pd.to_datetime(history["week_start"]).dt.strftime("%Y-%m-%d")
    actual = (
        alt.Chart(history)
        .mark_line(color=GREEN)
        .encode(
            x=alt.X("week_start:T", title=None, axis=alt.Axis(format="%b %Y")),
            y=alt.Y("active:Q", title="Pekerja terlindungi"),
            tooltip=[
                alt.Tooltip("week_start:T", title="Minggu", format="%d %b %Y"),
                alt.Tooltip("active:Q", title="Terlindungi", format=","),
            ],
        )
    )
    layers: list[alt.Chart] = [actual]
    if expected is not None and not expected.empty:
        ahead = pd.DataFrame(
            {
                "week_start": pd.to_datetime(expected["month_end"]).dt.strftime("%Y-%m-%d"),
                "active": expected["baseline"].round().astype(int),
            }
        )
        layers.append(
            alt.Chart(ahead)
            .mark_line(color=AMBER, strokeDash=[6, 4])
            .encode(
                x="week_start:T",
                y="active:Q",
                tooltip=[
                    alt.Tooltip("week_start:T", title="Akhir bulan", format="%d %b %Y"),
                    alt.Tooltip("active:Q", title="Perkiraan terlindungi", format=","),
                ],
            )
        )
    elif reached_on is not None:
        path = pd.DataFrame({"week_start": [today, reached_on], "active": [protected_now, target]})
        layers.append(alt.Chart(path).mark_line(color=AMBER, strokeDash=[6, 4]).encode(x="week_start:T", y="active:Q"))
    rule = alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[4, 4], color=GREY)
    layers.append(rule.encode(y="target:Q"))
    return indonesian(alt.layer(*layers).properties(height=260))
