"""The frame (app.py) on its first run: public navigation, and refusal to start without a proper cookie key.

After the first run AppTest loses widgets drawn by the entrypoint under st.navigation (Streamlit 1.66+), so
login → page flows are covered by the Chromium tests.
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.conftest import all_text

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_first_run_shows_the_public_page(demo_env: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Capaian kota" in all_text(at)


@pytest.mark.parametrize("key", ["", "pendek", "some_key"])
def test_outside_demo_a_weak_cookie_key_stops_the_app(demo_env: str, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    monkeypatch.setenv("PAYUNG_DEMO", "false")
    monkeypatch.setenv("PAYUNG_COOKIE_KEY", key)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.error and "belum dapat dijalankan" in at.error[0].value
    assert "Capaian kota" not in all_text(at)
