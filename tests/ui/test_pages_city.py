"""AppTest of the city pages for matching."""

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.platform.authz import Actor
from tests.ui.conftest import all_text


def test_matching_page_lists_short_pledges_and_explains_them(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/matching.py", actor_for("admin"))
    assert not at.exception
    short = at.dataframe[0].value
    assert len(short) >= 1 and (short["Kurang"] > 0).all()
    assert at.info and "pekerja" in at.info[0].value  # the explanation of the first short pledge


def test_full_match_from_the_page_reports_its_result(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/matching.py", actor_for("admin"))
    at.button[0].click().run()
    assert not at.exception
    assert "Selesai dalam" in all_text(at)


def test_matching_page_refused_to_viewer(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/matching.py", actor_for("walikota"))
    assert at.error and not at.button
