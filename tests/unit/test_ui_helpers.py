"""Pure helpers of the UI layer."""

import pandas as pd

from ui.company import filter_workers

WORKERS = pd.DataFrame(
    {
        "Nama": ["Budi Santoso", "Siti Rahayu", "Agus Hidayat"],
        "Kelurahan": ["Gandasari", "Poris Plawad", "Gandasari"],
        "Kecamatan": ["Jatiuwung", "Cipondoh", "Jatiuwung"],
        "Status": ["Aktif", "Dicocokkan", "Dicocokkan"],
    }
)


def test_no_filter_keeps_every_row() -> None:
    assert len(filter_workers(WORKERS, statuses=[], kecamatan=[], query="  ")) == 3


def test_filters_combine() -> None:
    shown = filter_workers(WORKERS, statuses=["Dicocokkan"], kecamatan=["Jatiuwung"], query="")
    assert list(shown["Nama"]) == ["Agus Hidayat"]


def test_search_matches_name_or_kelurahan_case_insensitively() -> None:
    assert list(filter_workers(WORKERS, statuses=[], kecamatan=[], query="SITI")["Nama"]) == ["Siti Rahayu"]
    assert len(filter_workers(WORKERS, statuses=[], kecamatan=[], query="gandasari")) == 2
    assert filter_workers(WORKERS, statuses=[], kecamatan=[], query="(regex[").empty  # not a regex
