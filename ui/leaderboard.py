"""Builders for the public leaderboard (pure: data in, HTML text or Altair chart out; no Streamlit calls).

The board is an HTML table of real text, so the browser's find and screen readers reach every company name
(st.dataframe draws into a canvas). Every value is HTML-escaped here: a company called
`<img src=x onerror=alert(1)>` shows literally, and Markdown in a name stays text (st.html renders no Markdown).
"""

from html import escape

import altair as alt
import pandas as pd

from services.insight import BADGES, SORT_KEYS, badge_label, badge_rule, suppression
from services.insight import figures as fig
from services.platform import fmt
from ui.charts import AMBER, GREEN, GREY, indonesian

PUBLIC_COMPANY_URL = "perusahaan-publik"  # the url_path of pages/public/company.py in app.py's PAGES
BOARD_URL = "beranda"  # the url_path of pages/public/home.py

_STYLE = """<style>
.payung-board{border-collapse:collapse;width:100%;font-size:0.875rem}
.payung-board caption{text-align:left;caption-side:bottom;color:#5b6b70;font-size:0.8rem;padding-top:0.4rem}
.payung-board th,.payung-board td{padding:0.3rem 0.45rem;border-bottom:1px solid #e3e8ea;vertical-align:top}
.payung-board th{text-align:left;font-weight:600;background:#f5f7f8}
.payung-board td.c{min-width:12rem}
.payung-board span.w{color:#5b6b70;font-size:0.78rem}
.payung-board td.b{min-width:5.5rem}
.payung-scroll{overflow-x:auto}
.payung-index p{font-size:0.8rem;line-height:1.6}
.payung-index a{color:#0b6e4f}
.payung-board td.n,.payung-board th.n{text-align:right;font-variant-numeric:tabular-nums}
.payung-board td.n{white-space:nowrap}
.payung-board a{color:#0b6e4f}
.payung-badge{display:inline-block;border-radius:0.6rem;padding:0 0.45rem;margin:0 0.15rem 0.15rem 0;color:#fff;
font-size:0.75rem;white-space:nowrap}
.payung-legend span.sw{display:inline-block;width:0.9rem;height:0.9rem;border-radius:2px;vertical-align:-0.1rem;
margin-right:0.3rem}
.payung-legend span.item{margin-right:1.2rem;white-space:nowrap}
.payung-bar{display:flex;height:2.2rem;border-radius:3px;overflow:hidden;background:#d9dee0;margin:0.4rem 0}
.payung-bar span{display:block;height:100%}
</style>"""

# (column, short header, numeric?) in display order; the full name (the service's sort label) is the header's
# title, so the table fits the page without hiding a column.
BOARD_COLUMNS: list[tuple[str, str, bool]] = [
    ("rank", "#", True),
    ("company", "Perusahaan · kecamatan · sektor", False),
    ("workers_protected", "Pernah dilindungi", True),
    ("workers_pledged", "Diikrarkan", True),
    ("share_fulfilled", "Terpenuhi", True),
    ("rupiah", "Komitmen", True),
    ("days_to_answer", "Hari menjawab", True),
    ("months", "Bulan", True),
    ("renewed", "Diperpanjang", False),
    ("per_100", "Per 100 karyawan", True),
    ("badges", "Lencana", False),
]
_CLASS = {"company": " class=c", "badges": " class=b"}
# Board columns that are catalogued figures: written (and titled) by the catalogue.
CATALOGUED_COLUMNS = {
    "workers_protected": "company.protected_ever",
    "workers_pledged": "company.workers_pledged",
    "share_fulfilled": "company.share_fulfilled",
    "days_to_answer": "company.days_to_answer",
    "months": "company.cover_months",
    "per_100": "company.per_100",
}


def company_url(slug: str) -> str:
    """Relative link to a company's public page (works under any base path)."""
    return f"{PUBLIC_COMPANY_URL}?id={escape(slug, quote=True)}"


def company_header_html(name: str, subtitle: str) -> str:
    return f'<h1 style="margin-bottom:0.2rem">{escape(name)}</h1><p style="color:#5b6b70">{escape(subtitle)}</p>'


def back_link_html() -> str:
    return f'<p><a href="{BOARD_URL}" target="_self">← Kembali ke papan peringkat</a></p>'


def badges_html(codes: tuple[str, ...] | list[str], suggested_min: int) -> str:
    return "".join(
        f'<span class="payung-badge" style="background:{BADGES[c].colour}" '
        f'title="{escape(badge_rule(c, suggested_min), quote=True)}">{escape(badge_label(c, suggested_min))}</span>'
        for c in codes
    )


def badge_rules_html(suggested_min: int) -> str:
    """Every badge with the rule that earns it, as a table of text."""
    body = "".join(
        f"<tr><td>{badges_html([code], suggested_min)}</td><td>{escape(badge_rule(code, suggested_min))}</td></tr>"
        for code in BADGES
    )
    return (
        f'{_STYLE}<table class="payung-board"><thead><tr><th scope="col">Lencana</th><th scope="col">Aturan</th>'
        f"</tr></thead><tbody>{body}</tbody></table>"
    )


def _cell(column: str, row: pd.Series, suggested_min: int) -> str:
    value = row[column] if column != "rank" else row["peringkat"]
    if column == "company":
        where = f"{escape(str(row['kecamatan']))} · {escape(str(row['sector']))}"
        return (
            f'<a href="{company_url(str(row["slug"]))}" target="_self">{escape(str(value))}</a>'
            f'<br><span class="w">{where}</span>'
        )
    if column == "badges":
        return badges_html(value, suggested_min)
    if column == "renewed":
        return "Ya" if value else "Belum"
    if column == "rupiah":
        return "Dirahasiakan" if row["hidden"] else escape(fmt.rupiah(int(value)))
    if column == "workers_protected":
        return escape(suppression.shown(int(value)))
    if column in ("share_fulfilled", "per_100") and suppression.is_small(int(row["workers_protected"])):
        return "–"  # a share of a small count gives the count back
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if column in CATALOGUED_COLUMNS:
        return escape(fig.show(CATALOGUED_COLUMNS[column], value))
    if isinstance(value, int | float) or hasattr(value, "__int__"):
        return escape(fmt.number(int(value)))
    return escape(str(value))


def _header_title(column: str, label: str) -> str:
    """A header's tooltip: the full name, and the figure's definition when it is catalogued."""
    name = SORT_KEYS.get(column, label)
    key = CATALOGUED_COLUMNS.get(column)
    return f"{name}: {fig.helptext(key)}" if key else name


def board_html(
    df: pd.DataFrame, *, suggested_min: int, caption: str, sort_by: str = "rank", descending: bool = False
) -> str:
    """An accessible HTML table of the board rows (already filtered and sorted by the service)."""
    direction = "descending" if descending else "ascending"
    head = "".join(
        f'<th scope="col"{" class=n" if numeric else ""}{f" aria-sort={direction}" if col == sort_by else ""}'
        f' title="{escape(_header_title(col, label), quote=True)}">{escape(label)}</th>'
        for col, label, numeric in BOARD_COLUMNS
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if numeric else _CLASS.get(col, '')}>{_cell(col, row, suggested_min)}</td>"
            for col, _label, numeric in BOARD_COLUMNS
        )
        + "</tr>"
        for _, row in df.iterrows()
    )
    return (
        f'{_STYLE}<div class="payung-scroll"><table class="payung-board payung-ranking">'
        f"<caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def name_index_html(df: pd.DataFrame) -> str:
    """Every participating company's name, A–Z, as links to its page: the browser's find reaches any company
    even when the table shows another page. Compact (one link per name), so 2.000 names stay light."""
    ordered = df.assign(_k=df["company"].str.casefold()).sort_values("_k")
    links = " · ".join(
        f'<a href="{company_url(str(slug))}" target="_self">{escape(str(name))}</a>'
        for slug, name in zip(ordered["slug"], ordered["company"], strict=True)
    )
    return f'{_STYLE}<nav class="payung-index" aria-label="Semua perusahaan A–Z"><p>{links}</p></nav>'


def facts_html(rows: list[tuple[str, str]]) -> str:
    """A two-column table of label → value (a company's public page); every text escaped."""
    body = "".join(f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>' for k, v in rows)
    return f'{_STYLE}<table class="payung-board" style="width:auto"><tbody>{body}</tbody></table>'


def counts_html(df: pd.DataFrame, label: str, header: str) -> str:
    """A small aggregate table (name, pekerja) as text; `tampil` (the suppressed text) when the service gave it."""
    texts = df["tampil"] if "tampil" in df else df["pekerja"].map(lambda n: fmt.number(int(n)))
    body = "".join(
        f'<tr><td>{escape(str(name))}</td><td class="n">{escape(str(text))}</td></tr>'
        for name, text in zip(df[label], texts, strict=True)
    )
    return (
        f'{_STYLE}<table class="payung-board"><thead><tr><th scope="col">{escape(header)}</th>'
        f'<th scope="col" class="n">Pekerja</th></tr></thead><tbody>{body}</tbody></table>'
    )


def progress_parts(protected: int, in_process: int, target: int) -> list[tuple[str, str, int]]:
    """(colour, label, workers) of the city's progress bar: protected now, in process, and the rest of the target
    not yet in process (never negative)."""
    return [
        (GREEN, "Terlindungi saat ini", protected),
        (AMBER, "Dalam proses", in_process),
        (GREY, "Belum dalam proses", max(target - protected - in_process, 0)),
    ]


def progress_bar_html(protected: int, in_process: int, target: int) -> str:
    """The city's progress toward the target as one stacked bar in plain HTML (issue 26: a chart above the fold
    made every new visitor's browser load and start the Vega libraries before the page was usable). Widths are
    shares of the target (or of the total, when the target is passed); the numbers are in the legend below it and
    in the bar's accessible name."""
    parts = progress_parts(protected, in_process, target)
    whole = max(sum(n for _c, _l, n in parts), 1)
    spans = "".join(
        f'<span style="width:{100 * n / whole:.3f}%;background:{colour}" title="{escape(label)}: '
        f'{escape(fmt.number(n))}"></span>'
        for colour, label, n in parts
        if n > 0
    )
    name = "; ".join(f"{label}: {fmt.number(n)} pekerja" for _c, label, n in parts)
    return f'{_STYLE}<div class="payung-bar" role="img" aria-label="{escape(name)}">{spans}</div>'


def progress_legend_html(protected: int, in_process: int, waiting: int) -> str:
    """The colours of the city's progress bar, spelled out with their numbers (issue 9). The grey part is the
    rest of *Sisa menuju target* once the workers in process are set aside."""
    items = [
        (GREEN, "Terlindungi saat ini (kartu terbit, perlindungan berjalan)", protected),
        (AMBER, "Dalam proses (dicocokkan atau didaftarkan)", in_process),
        (GREY, "Belum dalam proses", waiting),
    ]
    spans = "".join(
        f'<span class="item"><span class="sw" style="background:{colour}"></span>'
        f"{escape(label)}: <b>{escape(fmt.number(n))}</b></span>"
        for colour, label, n in items
    )
    return f'{_STYLE}<div class="payung-legend" role="list" aria-label="Keterangan warna">{spans}</div>'


def top_companies_chart(df: pd.DataFrame, *, value: str, title: str, n: int = 15) -> alt.Chart:
    """Horizontal bars of the first `n` companies by `value` (already sorted by the service)."""
    small = df["workers_protected"].map(lambda w: suppression.is_small(int(w)))  # a bar would show 1 or 2
    data = df[~small].head(n)[["company", value]].rename(columns={"company": "perusahaan", value: "nilai"})
    return indonesian(
        alt.Chart(data)
        .mark_bar(color=GREEN)
        .encode(
            y=alt.Y("perusahaan:N", title=None, sort=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("nilai:Q", title=title),
            tooltip=[alt.Tooltip("perusahaan:N", title="Perusahaan"), alt.Tooltip("nilai:Q", title=title, format=",")],
        )
        .properties(height=alt.Step(22))
    )


def timeline_chart(df: pd.DataFrame) -> alt.Chart:
    """Cumulative workers pledged and protected, month by month."""
    return indonesian(
        alt.Chart(df)
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y")),
            y=alt.Y("workers:Q", title="Pekerja (kumulatif)"),
            color=alt.Color(
                "series:N",
                scale=alt.Scale(domain=["Pekerja diikrarkan", "Pernah dilindungi"], range=[AMBER, GREEN]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=[
                alt.Tooltip("month:T", title="Bulan", format="%B %Y"),
                alt.Tooltip("series:N", title="Seri"),
                alt.Tooltip("workers:Q", title="Pekerja", format=","),
            ],
        )
        .properties(height=260)
    )
