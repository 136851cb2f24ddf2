"""The catalogue of figures (issue 21): every figure is defined once, in Indonesian, with a unit whose text is
Indonesian whatever the value — never "None", "NaN", a dot decimal or an English month — and the tables the pages
draw are formatted on the server, not by the browser's locale."""

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services import insight
from services.insight import catalogue
from services.insight import figures as fig
from services.insight.__main__ import figures_payload
from ui.tables import column_formatter, indonesian_styler

ROOT = Path(__file__).resolve().parents[2]
ENGLISH_MONTHS = re.compile(r"\b(January|February|March|May|June|July|August|October|December|Dec|Aug|Oct)\b")
DOT_DECIMAL = re.compile(r"\d\.\d{1,2}(?!\d)")  # 1.92 or 76.6 (a thousands dot is followed by three digits)
BAD = ("None", "NaN", "nan", "NaT", "<NA>")

SAMPLES: dict[str, list[object]] = {
    "pekerja": [0, 1, 148, 1_723, 20_000, 1_234_567],
    "perusahaan": [0, 45, 2_000],
    "surat": [0, 77, 80],
    "keluarga": [0, 12],
    "bulan": [0, 12, 24],
    "pekerja-bulan": [0, 2_472, 3_552],
    "hari": [0, 7, 27],
    "rupiah": [0, 16_800, 18_547_200, 3_780_000_000],
    "persen": [0.0, 0.5625, 0.766234, 1.0, 0.0775],
    "desimal": [0.0, 1.3454545, 6.747, 150.0],
    "tanggal": [dt.date(2024, 11, 15), dt.date(2026, 12, 31), dt.date(2025, 8, 1)],
    "km": [0.0, 1.92, 1.87, 12.345],
}


def _clean(text: str) -> None:
    assert text and not any(b in text for b in BAD), text
    assert not ENGLISH_MONTHS.search(text), text
    assert not DOT_DECIMAL.search(text), text


def test_every_figure_is_defined_once_in_indonesian() -> None:
    defs = catalogue.figures()
    assert len(defs) >= 20 and len({f.key for f in defs}) == len(defs)
    for f in defs:
        assert f.unit in catalogue.UNITS and f.label and f.rounding
        assert f.definition.endswith(".") and len(f.definition) > 30, f.key  # one sentence people can read
    city = {f.label for f in defs if "." not in f.key}
    assert len(city) == len([f for f in defs if "." not in f.key])  # one label, one city figure
    assert {"Terlindungi saat ini", "Pernah dilindungi", "Sisa menuju target", "Tingkat tanggapan"} <= city


def test_a_key_cannot_be_defined_twice_with_another_meaning() -> None:
    existing = catalogue.figure("protected_now")
    catalogue.register(existing)  # the same definition again is harmless (module reloads)
    with pytest.raises(ValueError, match="defined twice"):
        catalogue.register(catalogue.FigureDef("protected_now", "Dilindungi", "Kartu pernah terbit.", "pekerja", "x"))
    with pytest.raises(ValueError, match="unknown unit"):
        catalogue.FigureDef("x", "X", "Satu kalimat.", "dollar", "x")


@pytest.mark.parametrize("definition", catalogue.figures(), ids=lambda f: f.key)
def test_every_catalogue_figure_is_written_the_indonesian_way(definition: catalogue.FigureDef) -> None:
    for value in SAMPLES[definition.unit]:
        _clean(definition.format(value))
    for missing in (None, float("nan"), pd.NA, pd.NaT):
        assert definition.format(missing) == "–"


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(catalogue.figures()),
    st.one_of(st.integers(min_value=0, max_value=10**10), st.floats(min_value=0, max_value=10**7)),
)
def test_any_number_of_any_figure_is_written_cleanly(definition: catalogue.FigureDef, value: float) -> None:
    if definition.unit == "tanggal":
        value = dt.date(2024, 1, 1) + dt.timedelta(days=int(value) % 2_000)  # type: ignore[assignment]
    _clean(definition.format(value))


def test_examples_from_the_issue() -> None:
    assert fig.show("progress", 0.766234) == "76,6%"
    assert fig.show("company.per_100", insight.per_100_employees(148, 11_000)) == "1,3"  # rounded once
    assert fig.show("rupiah_committed", 18_547_200) == "Rp18.547.200"
    assert fig.show("remaining_to_target", fig.remaining_to_target(target=20_000, protected_now=1_723)) == "18.277"
    assert fig.remaining_to_target(target=100, protected_now=150) == 0
    assert fig.ratio(45, 0) is None and fig.show("response_rate", fig.ratio(45, 0)) == "–"
    assert fig.cover_months([(dt.date(2024, 11, 1), 12), (dt.date(2025, 11, 1), 12)]) == 24
    assert fig.cover_months([]) == 0


def test_glossary_and_cli_payload_come_from_the_catalogue() -> None:
    rows = insight.glossary()
    assert [r["key"] for r in rows] == [f.key for f in catalogue.figures()]
    public = insight.glossary(audience="publik")
    assert all("publik" in r["shown_to"] for r in public) and len(public) < len(rows)
    payload = figures_payload({"protected_now": 1_723, "response_rate": 46 / 80})
    assert payload["protected_now"] == {"label": "Terlindungi saat ini", "value": 1_723, "text": "1.723"}
    assert payload["response_rate"]["text"] == "57,5%"


def test_tables_are_formatted_on_the_server_and_stay_sortable() -> None:
    df = pd.DataFrame(
        {
            "share": [0.766234, None],
            "days": [747.667, None],
            "km": [1.92, float("nan")],
            "n": pd.array([1_195, None], dtype="Int64"),
            "when": [dt.date(2026, 12, 31), None],
            "name": ["Cibodas", None],
        }
    )
    styler = indonesian_styler(
        df,
        {"share": "Porsi", "days": "Hari", "km": "Jarak (km)", "n": "Pekerja", "when": "Berakhir", "name": "Nama"},
        shares=("share",),
        days=("days",),
        km=("km",),
    )
    assert pd.api.types.is_float_dtype(styler.data["Porsi"])  # the values stay numbers: sorted as numbers
    html = styler.to_html()
    for text in ("76,6%", "748", "1,9", "1.195", "31 Des 2026", "Cibodas"):
        assert text in html
    assert "Dec" not in html and "None" not in html and "nan" not in html.lower().replace("nama", "")
    assert column_formatter(pd.Series([True]))(True) == "Ya"


def test_no_page_formats_numbers_with_the_browsers_locale() -> None:
    """Guard the class: NumberColumn presets ("localized", "percent", ...) follow the browser's language."""
    offenders = []
    for path in [*(ROOT / "pages").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"""format=["'](localized|percent|dollar|euro|accounting|compact|plain)["']""", line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == [], f"format these on the server (ui/tables.py): {offenders}"


def test_nan_is_a_dash_not_text() -> None:
    assert catalogue.format_value("pekerja", math.nan) == "–"
