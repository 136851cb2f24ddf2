"""Chart builders are pure: data in, Vega-Lite spec out."""

import pandas as pd

from ui import charts


def test_coverage_by_kecamatan_uses_indonesian_labels() -> None:
    df = pd.DataFrame(
        {"kecamatan": ["Benda", "Cipondoh"], "protected": [5, 1], "in_process": [2, 0], "uncovered": [10, 20]}
    )
    spec = charts.coverage_by_kecamatan(df).to_dict()
    rows = spec["datasets"][next(iter(spec["datasets"]))]
    assert {r["status"] for r in rows} == {"Terlindungi", "Dalam proses", "Belum terlindungi"}
    assert sum(r["pekerja"] for r in rows if r["kecamatan"] == "Benda") == 17


# City dashboard builders (issue 13)


def _values(spec: dict) -> list[dict]:
    return [v for data in spec["datasets"].values() for v in data]


def test_funnel_keeps_step_order_and_conversion() -> None:
    steps = pd.DataFrame(
        {
            "label": charts.FUNNEL_ORDER[:3],
            "companies": [80, 63, 45],
            "conversion": [None, 63 / 80, 45 / 63],
            "share_of_sent": [1.0, 63 / 80, 45 / 80],
        }
    )
    spec = charts.funnel(steps).to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == charts.FUNNEL_ORDER[:3]
    assert [v["companies"] for v in _values(spec)] == [80, 63, 45]
    assert spec["config"]["locale"]["number"]["decimal"] == ","


def test_weekly_progress_has_three_series_and_the_target() -> None:
    weekly = pd.DataFrame(
        {
            "week": [1, 2],
            "week_start": pd.to_datetime(["2024-10-14", "2024-10-21"]),
            "pledged": [0, 148],
            "registered": [0, 0],
            "active": [0, 0],
        }
    )
    spec = charts.weekly_progress(weekly, target=20_000).to_dict()
    values = _values(spec)
    assert {v["series"] for v in values if "series" in v} == set(charts.WEEKLY_SERIES.values())
    assert any(v.get("target") == 20_000 for v in values)
    assert {v["week_start"] for v in values if "week_start" in v} == {"2024-10-14", "2024-10-21"}


def test_coverage_map_is_a_geoshape_coloured_by_the_chosen_metric() -> None:
    feature = {
        "type": "Feature",
        "properties": {"kelurahan_name": "Sukarasa", "kecamatan_name": "Tangerang", "gap": 7, "share_protected": 0.5},
        "geometry": {"type": "Polygon", "coordinates": [[[106.63, -6.17], [106.64, -6.17], [106.64, -6.18]]]},
    }
    for metric in charts.MAP_METRICS:
        spec = charts.coverage_map([feature], metric).to_dict()
        assert spec["mark"]["type"] == "geoshape"
        assert spec["encoding"]["color"]["field"] == f"properties.{metric}"
        assert spec["data"]["values"][0]["properties"]["gap"] == 7
        assert {t["title"] for t in spec["encoding"]["tooltip"]} >= {"Kelurahan", "Celah", "Porsi terlindungi"}
        assert (
            charts.coverage_map_spec([feature, feature], metric)
            == charts.coverage_map([feature, feature], metric).to_dict()
        )
    try:
        charts.coverage_map([feature], "nik")
    except ValueError:
        pass
    else:
        raise AssertionError("an unknown metric must be refused")


def test_forecast_draws_the_projection_only_when_reachable() -> None:
    weekly = pd.DataFrame({"week_start": pd.to_datetime(["2025-03-24"]), "active": [4]})
    reachable = charts.forecast(weekly, today="2025-03-31", protected_now=4, target=100, reached_on="2040-01-01")
    never = charts.forecast(weekly, today="2025-03-31", protected_now=4, target=100, reached_on=None)
    assert len(reachable.to_dict()["layer"]) == 3 and len(never.to_dict()["layer"]) == 2
    assert any(v.get("active") == 100 for v in _values(reachable.to_dict()))
