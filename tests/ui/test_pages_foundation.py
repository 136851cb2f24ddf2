"""AppTest of the foundation pages, run against a small seeded demo."""

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.platform.authz import Actor
from tests.ui.conftest import all_text


def test_public_home_shows_progress_and_companies_without_login(page: Callable[..., AppTest]) -> None:
    at = page("public/home.py")
    assert not at.exception
    text = all_text(at)
    assert "Capaian kota" in text and "Target kota" in text and "20.000" in text
    board = " ".join(h.value for h in at.html)
    assert "PT Panarub Industry" in board  # the board itself: tests/ui/test_public_leaderboard.py
    assert "NIK" not in board
    assert "memilih tidak menampilkan nilai" in text


def test_company_home_shows_the_letter_and_next_step(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("company/home.py", actor_for("panarub"))
    assert not at.exception
    text = all_text(at)
    assert "PT Panarub Industry" in text and "SE No. 14422/2024" in text
    assert "Langkah berikutnya" in text and "Perlindungan aktif" in text


def test_company_page_refuses_anonymous_visitors(page: Callable[..., AppTest]) -> None:
    at = page("company/home.py")
    assert at.error and "memerlukan login" in at.error[0].value


def test_city_overview_for_viewer(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/overview.py", actor_for("walikota"))
    assert not at.exception
    assert "Per kecamatan" in all_text(at)
    assert any(len(df.value) == 13 and "Kecamatan" in df.value.columns for df in at.dataframe)


def test_city_overview_refuses_company_users(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/overview.py", actor_for("panarub"))
    assert at.error and not at.dataframe


def test_audit_log_for_admin_records_its_own_viewing(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    admin = actor_for("admin")
    page("city/audit.py", admin)
    at = page("city/audit.py", admin)
    assert not at.exception
    table = at.dataframe[0].value
    assert "Membuka log audit" in set(table["Kegiatan"])  # readable Indonesian, not the code "audit.view"
    assert not any("." in k and k.islower() and " " not in k for k in table["Kegiatan"])
    assert str(table["Waktu (WIB)"].dt.tz) == "Asia/Jakarta"


def test_audit_log_refused_to_viewer(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/audit.py", actor_for("walikota"))
    assert at.error and not at.dataframe
