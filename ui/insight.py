"""The city dashboard's data at the UI edge, cached per data version (`state.data_version()`, stored in the
database and raised by every commit, in any process, that changes what the figures count: a CLI import or another
replica invalidates it too) and per role, not per user: a crowd of city staff reading the dashboard costs one set of
queries per change. The services check the role of the user who fills an entry (the pages require a city role before
asking). The key also holds today's date: the figures are counted as of today.

The read model is refreshed on write, off the viewer's path (`services.insight.refresher`, issue 26): in a running
server a background thread sees the data version move within a second of a write (in any process) and computes the
new figures, charts and maps of each role viewed lately; a viewer takes the newest version once it is ready and
never waits for it. During a burst of writes (the morning the leaderboard is announced: a pledge every few seconds)
the refresh runs at most every REFRESH_S seconds per role, so figures are at most that old (plus one refresh) and a
crowd of staff costs one recomputation per REFRESH_S, not one per pledge.

The read model is also stored in the database (`services.insight.snapshots`): whoever computes a version stores it,
and every process reads it back instead of computing it - a restarted server, a second replica, a cleared cache.
A role's first view in a server after a restart that followed a write shows the newest stored version, labelled
as being refreshed, while the refresher computes the latest. Where no version is stored and no refresh ran (the
first view of a fresh install without warm-up, AppTest) the viewer computes the version it takes."""

import datetime as dt
import logging
import threading
import time
from typing import Any

import pandas as pd
import streamlit as st
from streamlit import runtime

from services import insight
from services.insight import figures as fig
from services.insight import snapshots
from services.insight.catalogue import figure as catalogued
from services.insight.forecast_payers import allocation_figures
from services.insight.refresher import REFRESHER_THREAD, Refresher, Stamp, stamp
from services.platform import dataversion, fmt
from services.platform.authz import Actor
from services.platform.errors import DatabaseBusy
from services.platform.settings import get_settings, resolve_cookie_key
from ui import charts, state, widgets
from ui.login import configured_cookie_key
from ui.tables import indonesian_styler

log = logging.getLogger(__name__)
REFRESH_S = 15.0
_shown: dict[str, tuple[Stamp, float]] = {}  # role -> (data version and day the dashboard shows, since when)
_shown_lock = threading.Lock()
_actors: dict[str, Actor] = {}  # role -> the last viewer of that role (the refresher computes as them)


def _refresh(role: str, stamp: Stamp) -> None:
    """Fill the cache of one role at one (data version, day) - figures, chart specs, maps, baseline forecast - from
    the store if another process computed it, else computed here and stored for every process."""
    _bundle(_actors[role], role, *stamp)


refresher = Refresher(_refresh, min_interval_s=REFRESH_S)
# The refresher's thread fills st.cache_data outside any script run, by design: without this, Streamlit logs
# "missing ScriptRunContext" for every cached call it makes.
logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
    lambda record: record.threadName != REFRESHER_THREAD
)


BACKGROUND = False  # set by scripts/serve.py (`make run`): refresh in a thread of the server


def in_server() -> bool:
    """A server started by scripts/serve.py, serving (not AppTest, whose mock runtime also "exists"; not the warm-up
    before the port opens)."""
    return BACKGROUND and runtime.exists()


_probed: dict[tuple[str, Stamp], float] = {}  # (role, version) -> when the store was last asked for it


def _stored_elsewhere(role: str, latest: Stamp) -> bool:
    """Whether another process (a replica, the warm-up of a restarted server) stored the latest version of this role:
    asked at most once per PROBE_S per (role, version), a primary-key probe."""
    now = time.monotonic()
    with _shown_lock:
        last = _probed.get((role, latest))
        if last is not None and now - last < dataversion.PROBE_S:
            return False
        if len(_probed) > 64:
            _probed.clear()
        _probed[(role, latest)] = now
    return snapshots.stored(state.engine(), role, *latest)


def _first_version(role: str, latest: Stamp) -> Stamp:
    """What a role's first view in this process shows: the latest version if it is ready here or stored; in a
    server whose refresher will compute the latest, the newest version of today stored by an earlier process (a
    restart right after a write), labelled as refreshing; else the latest (computed by this viewer)."""
    if not in_server() or refresher.ready(role, latest):
        return latest
    newest = snapshots.newest(state.engine(), role, latest[1])  # the latest itself, if stored
    return latest if newest is None or newest >= latest[0] else (newest, latest[1])


def shown_version(role: str, own_write: int = -1) -> Stamp:
    """The (data version, day) the dashboard of `role` shows: the newest once the refresher has it ready here or
    another process stored it. In a server, until then, the one shown - also when the role was not viewed for a
    while or a new day began: the refresher computes the newest, the viewer never waits for it (unless its refresh
    failed). Without a refresher, the newest unless the one shown was taken less than REFRESH_S seconds ago. A viewer
    whose own write (`own_write`, the data version after it) is newer than the version shown gets the newest. If the
    refresher is computing the version taken, wait for it rather than compute it twice."""
    now, latest = time.monotonic(), stamp(state.engine())
    with _shown_lock:
        entry = _shown.get(role)
    if entry is None:
        entry = (_first_version(role, latest), now)
    version, since = entry
    if version != latest:
        if in_server():  # the refresher computes it (this view marks the role viewed): nobody waits for it
            take = refresher.ready(role, latest) or refresher.failed(role, latest)
        else:  # nobody computes it but a viewer: the first one REFRESH_S after the version shown was taken
            take = now - since >= REFRESH_S and not refresher.running(role, latest)
        # a viewer who wrote since the version shown sees their own write (computed, or waited for, if need be)
        if take or own_write > version[0] or _stored_elsewhere(role, latest):
            version, since = latest, now
    with _shown_lock:
        _shown[role] = (version, since)
    if in_server():  # keep this role's figures fresh from now on
        refresher.viewed(role, state.engine)
    refresher.wait(role, version)
    return version


def _key(actor: Actor) -> tuple[str, int, dt.date]:
    """(role, data version, day shown): the cache key of every figure; the role as plain text (an enum member and its
    value would be two keys)."""
    role = _role(actor)
    _actors[role] = actor
    return (role, *shown_version(role, state.own_write_version()))


def _role(actor: Actor) -> str:
    return str(getattr(actor.role, "value", actor.role))


def refreshing(actor: Actor) -> bool:
    """Whether the figures shown are an earlier version than the database's while the newest is being computed."""
    with _shown_lock:
        entry = _shown.get(_role(actor))
    return entry is not None and entry[0] != stamp(state.engine())


@st.cache_resource(show_spinner=False)
def _signing_key() -> bytes:
    """The server's secret (the cookie key every replica shares) signs the stored read model."""
    return resolve_cookie_key(settings=get_settings(), configured=configured_cookie_key()).encode()


@st.cache_data(show_spinner=False, max_entries=8)
def _bundle(_actor: Actor, role: str, version: int, day: dt.date) -> dict[str, Any]:  # _actor: not in the key
    """Everything the dashboard draws at one version: read from the store, or computed and stored."""
    engine, key = state.engine(), _signing_key()
    found = snapshots.load(engine, role, version, day, key)
    if found is not None:
        return found
    value = _compute(_actor)
    try:
        snapshots.store(engine, role, version, day, value, key)
    except DatabaseBusy:  # storing only spares the next process the computation: the viewer gets the figures
        log.warning("dashboard read model not stored (database busy): %s %s", role, version)
    return value


def _compute(actor: Actor) -> dict[str, Any]:
    """Figures (read in one Session), chart specs (building an Altair chart costs more than rendering the page), the
    map of every metric (GeoJSON inlined) and the baseline forecast."""
    with state.db(write=False) as s:
        headline = insight.headline(session=s, actor=actor)
        coverage = insight.coverage_by_kelurahan(session=s, actor=actor)
        data = {
            "headline": headline,
            "funnel": insight.funnel(session=s, actor=actor),
            "weekly": insight.weekly_progress(session=s, actor=actor),
            "coverage": coverage,
            "gaps": insight.gaps(session=s, actor=actor, coverage=coverage),
            "expiring": insight.expiring_cover(session=s, actor=actor),
            "payers": insight.payer_split(session=s),
            "benefits": insight.city_benefits(session=s, actor=actor),
        }
        fc = insight.forecast(session=s, actor=actor, extra_companies=0, city_budget_per_year=0)
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
    features = insight.kelurahan_features(coverage)
    maps = {metric: charts.coverage_map_spec(features, metric) for metric in charts.MAP_METRICS}
    return {"overview": data, "specs": specs, "maps": maps, "forecast": fc}


def overview(actor: Actor) -> dict[str, Any]:
    """Everything the overview page draws."""
    return _bundle(actor, *_key(actor))["overview"]


def chart_specs(actor: Actor) -> dict[str, dict]:
    """Vega-Lite specs of the funnel, weekly and forecast charts, built once per data version."""
    return _bundle(actor, *_key(actor))["specs"]


def map_spec(actor: Actor, metric: str) -> dict:
    """The choropleth's Vega-Lite spec for one metric (the GeoJSON is inlined once per data version)."""
    maps = _bundle(actor, *_key(actor))["maps"]
    if metric not in maps:
        raise ValueError(f"unknown map metric {metric!r}")
    return maps[metric]


def chart(spec: dict) -> None:
    st.vega_lite_chart(spec=spec, width="stretch")


def forecast(
    actor: Actor,
    extra_companies: int,
    city_budget_per_year: int,
    by_date: dt.date | None = None,
    next_allocation_workers: int | None = None,
) -> insight.Forecast | None:
    """A bad what-if raises ValidationError (not cached); the page shows its message. The baseline (no what-if) is
    the read model's."""
    key = _key(actor)
    if (extra_companies, city_budget_per_year, by_date, next_allocation_workers) == (0, 0, None, None):
        return _bundle(actor, *key)["forecast"]
    return _forecast(actor, *key, extra_companies, city_budget_per_year, by_date, next_allocation_workers)


@st.cache_data(show_spinner=False, max_entries=64)
def _forecast(
    _actor: Actor,
    role: str,
    version: int,
    day: dt.date,
    extra_companies: int,
    city_budget_per_year: int,
    by_date: dt.date | None = None,
    next_allocation_workers: int | None = None,
) -> insight.Forecast | None:
    with state.db(write=False) as s:
        return insight.forecast(
            session=s,
            actor=_actor,
            extra_companies=extra_companies,
            city_budget_per_year=city_budget_per_year,
            by_date=by_date,
            next_allocation_workers=next_allocation_workers,
        )


def table(
    df: pd.DataFrame,
    headers: dict[str, str],
    *,
    shares: tuple[str, ...] = (),
    km: tuple[str, ...] = (),
    days: tuple[str, ...] = (),
) -> None:
    """A sortable table formatted on the server, the Indonesian way whatever the browser's language: columns
    renamed and picked by `headers`, values kept numeric (they sort as numbers), shown through a pandas Styler
    (76,6 %, 1.195, 4,1, 15 Nov 2024, whole days; a dash where there is no value)."""
    st.dataframe(indonesian_styler(df, headers, shares=shares, km=km, days=days), hide_index=True, width="stretch")


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
    allocation_block(fc)
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


def allocation_block(fc: insight.Forecast) -> None:
    """Counting every payer: the date without and with next year's APBD allocation (catalogued figures, their
    definitions in the tooltips), drawn the same way on the dashboard and the quarterly report page."""
    values = allocation_figures(fc)
    for column, (key, value) in zip(st.columns(3), values.items(), strict=True):
        f = catalogued(key)
        column.metric(f.label, f.format(value), help=f.definition)
    nxt = fc.next_allocation
    source = (
        "belum ada alokasi tercatat untuk tahun depan"
        if nxt is None
        else f"{'tercatat' if nxt.recorded else 'skenario'}, mulai {fmt.month(nxt.start_month)}"
    )
    st.caption(
        f"Semua penanggung: {fmt.number(fc.other_payers_now)} pekerja bulan ini ditanggung selain ikrar (APBD Kota, "
        f"program lain, mandiri); alokasi APBD tahun depan: {source}. Tanda – berarti tidak tercapai dalam 10 tahun."
    )


def headline_block(head: insight.Headline) -> None:
    """Six headline figures, each with its change over the last 30 days, and the progress bar."""
    st.caption(
        f"{head.letter_number} · target {fmt.number(head.target)} pekerja · per {fmt.date(head.today)}; perubahan "
        "dihitung terhadap 30 hari lalu (dari riwayat status ikrar dan penugasan)."
    )
    widgets.definitions_link()
    cols = st.columns(3)
    for col, (key, figure) in zip(
        cols * 2,
        [
            ("protected_now", head.protected),
            ("in_process", head.in_process),
            ("workers_pledged", head.pledged),
            ("rupiah_committed", head.rupiah),
            ("companies_pledged", head.companies_participating),
            ("letters_sent", head.letters_sent),
        ],
        strict=True,
    ):
        moved = figure.change != 0
        change = fig.show(key, abs(figure.change))
        widgets.metric(
            col,
            key,
            figure.now,
            delta=f"{'+' if figure.change >= 0 else '−'}{change}",
            delta_color="normal" if moved else "off",
            delta_arrow="auto" if moved else "off",
            delta_description="30 hari terakhir",
        )
    st.progress(min(head.progress, 1.0), text=f"{fig.label('progress')} {fig.show('progress', head.progress)}")
    if head.ending_30d:
        st.warning(
            f"Perlindungan {fmt.number(head.ending_30d)} pekerja ({fmt.percent(head.ending_30d_share)} dari yang "
            "terlindungi) berakhir dalam 30 hari dan belum diperpanjang. Hubungi perusahaannya (tab *Segera "
            "berakhir*)."
        )


def _whole_days(days: float | None) -> str:
    return fmt.number(round(days)) if days is not None else "–"


def funnel_section(fun: insight.Funnel, spec: dict) -> None:
    """The funnel chart and tables: per step, per sector, per kecamatan."""
    chart(spec)
    st.caption(
        f"{fmt.number(fun.answered)} perusahaan menjawab (ikrar atau menolak); median "
        f"{_whole_days(fun.median_days_to_answer)} hari dari surat ke jawaban. Konversi = perusahaan di tahap ini "
        "dibagi tahap sebelumnya (tahap pertama tidak punya tahap sebelumnya: –)."
    )
    table(fun.steps, {"label": "Tahap", "companies": "Perusahaan", "conversion": "Konversi"}, shares=("conversion",))
    step_headers = {"sent": "Surat", "pledged": "Berikrar", "active": "Kartu terbit", "renewed": "Diperpanjang"}
    for title, key, frame in [
        ("Per sektor", "sector", fun.by_sector),
        ("Per kecamatan", "kecamatan", fun.by_kecamatan),
    ]:
        st.subheader(title)
        headers = {key: title.removeprefix("Per ").capitalize(), **step_headers}
        headers |= {"response_rate": fig.label("response_rate"), "median_days": "Median hari menjawab"}
        table(frame, headers, shares=("response_rate",), days=("median_days",))


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


def quarter_extras(actor: Actor, year: int, quarter: int) -> tuple[Any, insight.Forecast | None]:
    """The quarterly page's payer split (at the period's end) and its outlook with and without next year's
    allocation, cached per role and data version like the dashboard (a crowd of viewers reads them once)."""
    return _quarter_extras(actor, *_key(actor), year, quarter)


@st.cache_data(show_spinner=False, max_entries=32)
def _quarter_extras(
    _actor: Actor, role: str, version: int, day: dt.date, year: int, quarter: int
) -> tuple[Any, insight.Forecast | None]:
    _start, end = insight.quarter_bounds(year, quarter)
    with state.db(write=False) as s:
        split = insight.payer_split(session=s, today=min(end, day))
        return split, insight.quarter_outlook(session=s, actor=_actor, year=year, quarter=quarter)
