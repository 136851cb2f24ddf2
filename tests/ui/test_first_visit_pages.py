"""AppTest of issue 22's page fixes: what the browser is sent to show, whatever its language."""

import re
from collections.abc import Callable

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from services.platform.authz import Actor
from ui.company import km_text


def _shown(at: AppTest, index: int = 0) -> list[dict]:
    """The display values the browser draws (a Styler's), not the raw numbers it sorts by."""
    styler = at.dataframe[index].proto.arrow_data.styler
    return pa.ipc.open_stream(styler.display_values).read_all().to_pylist()


def test_distances_are_written_with_a_comma_and_two_decimals(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("company/pledges.py", actor_for("graha"))
    assert not at.exception
    distances = [row["Jarak (km)"] for row in _shown(at)]
    assert distances and all(re.fullmatch(r"\d+,\d\d|–", d) for d in distances), distances[:5]
    assert at.dataframe[0].value["Jarak (km)"].dtype.kind == "f"  # still sorted as numbers
    assert [km_text(1.92), km_text(1.9), km_text(2), km_text(None), km_text(1234.5)] == [
        "1,92",
        "1,90",
        "2,00",
        "–",
        "1.234,50",
    ]
