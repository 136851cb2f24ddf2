"""Streamlit helpers shared by the company pages: area map, status timeline, page links, impact chart."""

import math
from collections.abc import Callable
from typing import Any, TypeVar

import altair as alt
import pandas as pd
import pydeck as pdk
import streamlit as st
from streamlit.errors import StreamlitAPIException

from services import insight, matching
from services.platform import fmt
from services.platform.authz import Actor
from services.platform.errors import PayungError
from services.pledges import DraftError, TimelineStep, read_workers
from ui import state

GREEN_RGB = [11, 110, 79]
AMBER_RGB = [242, 165, 65]
T = TypeVar("T")


def link(page: str, label: str, icon: str | None = None) -> None:
    """A link to another page; plain text when the page is not registered (a page run alone, as in AppTest)."""
    try:
        st.page_link(page, label=label, icon=icon)
    except (StreamlitAPIException, KeyError):
        st.markdown(f":material/arrow_forward: {label}")


def shortfall(actor: Actor, pledge_id: int) -> matching.Shortfall | None:
    """Why a pledge's places are still empty (the city's *Pencocokan* text). It reads every worker in the pledge's
    area, so it is computed once per pledge and data version, not on every rerun; an error is shown, not cached."""
    try:
        return _shortfall(actor, actor.company_id, pledge_id, state.data_version())
    except PayungError as exc:
        st.error(str(exc))
        return None


@st.cache_data(show_spinner=False, max_entries=128)
def _shortfall(_actor: Actor, company_id: int | None, pledge_id: int, version: int) -> matching.Shortfall:
    with state.db(write=False) as s:
        return matching.explain_shortfall(session=s, pledge_id=pledge_id, actor=_actor)


def kelurahan_base_layer() -> pdk.Layer:
    """Every kelurahan of the city as a light outline with its name: the base layer of the area maps."""
    features = insight.kelurahan_features(pd.DataFrame(columns=["kelurahan_code"]))
    for f in features:
        f["properties"]["label"] = f"Kel. {f['properties'].get('kelurahan_name', '')}"
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        stroked=True,
        filled=True,
        get_fill_color=[236, 239, 234, 255],
        get_line_color=[110, 120, 115, 255],
        line_width_min_pixels=1,
        pickable=True,
    )


MAP_TOOLTIP = {"text": "{label}"}


class BuiltDeck:
    """A pydeck Deck already turned into its JSON: st.pydeck_chart reads only `to_json()` and the tooltip."""

    def __init__(self, spec: str) -> None:
        self.spec, self._tooltip = spec, MAP_TOOLTIP

    def to_json(self) -> str:
        return self.spec


@st.cache_data(ttl=3600, show_spinner=False, max_entries=256)
def area_deck(
    lat: float | None, lon: float | None, radius_km: float | None, kelurahan: tuple[tuple[str, float, float], ...]
) -> str | None:
    """The area map's deck.gl JSON for one site, radius and choice of kelurahan (label, lat, lon), or None when
    there is nothing to place. Cached: the city's boundaries and the JSON cost ≈ 0,1 s of CPU per page view."""
    layers = [kelurahan_base_layer()]
    points: list[tuple[float, float]] = []
    if lat is not None and lon is not None:
        site = pd.DataFrame({"lat": [lat], "lon": [lon], "label": ["Lokasi perusahaan"]})
        if radius_km:
            layers.append(
                pdk.Layer(
                    "ScatterplotLayer",
                    site,
                    get_position="[lon, lat]",
                    get_radius=radius_km * 1000,
                    get_fill_color=GREEN_RGB + [40],
                    get_line_color=GREEN_RGB + [200],
                    stroked=True,
                    line_width_min_pixels=2,
                )
            )
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                site,
                get_position="[lon, lat]",
                get_radius=120,
                radius_min_pixels=6,
                get_fill_color=[200, 30, 30, 230],
                pickable=True,
            )
        )
        points.append((lat, lon))
    if kelurahan:
        chosen = pd.DataFrame(list(kelurahan), columns=["label", "lat", "lon"])
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                chosen,
                get_position="[lon, lat]",
                get_radius=400,
                radius_min_pixels=5,
                get_fill_color=AMBER_RGB + [200],
                pickable=True,
            )
        )
        points.extend((k_lat, k_lon) for _label, k_lat, k_lon in kelurahan)
    if not points:
        return None
    clat = sum(p[0] for p in points) / len(points)
    clon = sum(p[1] for p in points) / len(points)
    span = max(radius_km or 0.0, 2.0)
    zoom = max(9.0, min(14.0, 13.0 - math.log2(span / 2.0)))
    deck = pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(latitude=clat, longitude=clon, zoom=zoom),
        tooltip=MAP_TOOLTIP,
        map_style=None,
    )
    return str(deck.to_json())


def area_map(
    lat: float | None, lon: float | None, radius_km: float | None, kelurahan: pd.DataFrame | None = None
) -> None:
    """The company's site, a circle of the radius, and the chosen kelurahan over the kelurahan boundaries of
    data/regions (drawn from the app's own data: the area can be judged offline; no tiles needed)."""
    chosen: tuple[tuple[str, float, float], ...] = ()
    if kelurahan is not None and not kelurahan.empty:
        chosen = tuple(
            (str(n), float(a), float(o))
            for n, a, o in zip(kelurahan["kelurahan_name"], kelurahan["lat"], kelurahan["lon"], strict=True)
        )
    spec = area_deck(lat, lon, radius_km, chosen)
    if spec is None:
        st.info("Belum ada lokasi atau kelurahan untuk ditampilkan di peta.")
        return
    st.pydeck_chart(BuiltDeck(spec), height=320)  # type: ignore[arg-type]


def timeline(steps: list[TimelineStep]) -> None:
    # Material icons, not emoji: headless/server fonts often lack emoji glyphs.
    marks = {
        "done": ":green[:material/check_circle:]",
        "current": ":blue[:material/radio_button_checked:]",
        "todo": ":gray[:material/radio_button_unchecked:]",
    }
    parts = [
        f"{marks[s.state]} **{s.label}**" if s.state == "current" else f"{marks[s.state]} {s.label}" for s in steps
    ]
    st.markdown(" :gray[:material/arrow_forward:] ".join(parts))


def impact_chart(df: pd.DataFrame, label: str, title: str) -> alt.Chart:
    """Horizontal bars: workers per kecamatan or occupation (aggregates only)."""
    return (
        alt.Chart(df)
        .mark_bar(color="#0b6e4f")
        .encode(
            # Every bar keeps its label, whole: no label dropped as overlapping, none cut to "Pekerja rumah ta…".
            y=alt.Y(f"{label}:N", title=None, sort="-x", axis=alt.Axis(labelOverlap=False, labelLimit=220)),
            x=alt.X("pekerja:Q", title="Pekerja"),
            tooltip=[alt.Tooltip(f"{label}:N", title=title), alt.Tooltip("pekerja:Q", title="Pekerja", format=",")],
        )
        .properties(height=alt.Step(24))
    )


# Widget format functions must pickle (enforceSerializableSessionState, AppTest keeps them in session state):
# module-level functions, bound to their lookup table with functools.partial, never lambdas in a page.
def km_text(value: object) -> str:
    """A distance as Indonesians write it, two decimals whatever the browser's language: 1,92 · 1,90 · 2,00."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "–"
    return fmt.km(float(value))  # type: ignore[arg-type]


def months_label(months: int) -> str:
    return f"{months} bulan"


def label_from(key: object, labels: dict) -> str:
    return str(labels.get(key, key))


def pick_many(container: Any, label: str, options: list, **kwargs: Any) -> list:
    """st.multiselect with an Indonesian placeholder (the library's default says "Choose options")."""
    kwargs.setdefault("placeholder", "Pilih satu atau lebih (boleh dikosongkan)")
    return list(container.multiselect(label, options, **kwargs))


def filter_workers(workers: pd.DataFrame, *, statuses: list, kecamatan: list, query: str) -> pd.DataFrame:
    """The matched-worker table narrowed by status, kecamatan and a name/kelurahan search (case-insensitive)."""
    shown = workers
    if statuses:
        shown = shown[shown["Status"].isin(statuses)]
    if kecamatan:
        shown = shown[shown["Kecamatan"].isin(kecamatan)]
    q = query.strip().lower()
    if q:
        shown = shown[
            shown["Nama"].str.lower().str.contains(q, regex=False)
            | shown["Kelurahan"].str.lower().str.contains(q, regex=False)
        ]
    return shown


def match_message(head: str, match: Any) -> str:
    """One sentence after a raise: the matching's own explanation only when it adds something (a shortfall);
    a filled pledge's explanation repeats the count and showed the same thing twice."""
    text = f"{head}; {fmt.number(match.assigned)} dari {fmt.number(match.requested)} pekerja dicocokkan."
    return text + (f" {match.explanation}" if match.shortfall else "")


def act_with_workers(slot: Any, service: Callable[..., T], text: str, *, minimum: int = 1, **kwargs: Any) -> T | None:
    """Run a pledge command with the number of workers typed in its form: a count that is not a whole number or
    out of range is answered under the field, in Indonesian (never rounded); other refusals as `state.act` does."""
    try:
        workers = read_workers(text, minimum=minimum)
    except DraftError as exc:
        slot.error(exc.fields["workers"], icon=":material/error:")
        return None
    return state.act(service, workers=workers, **kwargs)
