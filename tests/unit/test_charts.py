"""Chart builders are pure: data in, Vega-Lite spec out."""

import pandas as pd

from ui import charts


def test_target_progress_stacks_three_parts_to_the_target() -> None:
    spec = charts.target_progress(protected=3_000, in_process=2_000, target=20_000).to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert [v["pekerja"] for v in values] == [3_000, 2_000, 15_000]
    assert spec["config"]["locale"]["number"]["thousands"] == "."


def test_target_progress_never_shows_a_negative_remainder() -> None:
    spec = charts.target_progress(protected=25_000, in_process=0, target=20_000).to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert values[2]["pekerja"] == 0


def test_coverage_by_kecamatan_uses_indonesian_labels() -> None:
    df = pd.DataFrame(
        {"kecamatan": ["Benda", "Cipondoh"], "protected": [5, 1], "in_process": [2, 0], "uncovered": [10, 20]}
    )
    spec = charts.coverage_by_kecamatan(df).to_dict()
    rows = spec["datasets"][next(iter(spec["datasets"]))]
    assert {r["status"] for r in rows} == {"Terlindungi", "Dalam proses", "Belum terlindungi"}
    assert sum(r["pekerja"] for r in rows if r["kecamatan"] == "Benda") == 17
