"""AppTest of the city allocation page: bad input refused in Indonesian and kept, record, preview, commit."""

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.platform.authz import Actor
from tests.ui.conftest import all_text


def _fill(at: AppTest, *, amount: str, perwal: str = "Perwal No. 113 Tahun 2023") -> AppTest:
    at.text_input[0].input(perwal)
    at.text_input[1].input("5.1.02.01.01")
    at.text_input[2].input(amount)
    return at.button[0].click().run()


def test_allocation_page_records_previews_and_commits(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/allocation.py", actor_for("admin"))
    assert not at.exception and "Alokasi APBD Kota" in all_text(at)
    at = _fill(at, amount="dua puluh")
    assert at.error and "tidak terbaca" in at.error[0].value
    assert at.text_input[0].value == "Perwal No. 113 Tahun 2023"  # nothing the admin typed is lost
    at = _fill(at, amount="40")
    assert not at.exception and "Alokasi tersimpan" in all_text(at)
    pratinjau = next(b for b in at.button if b.label == "Lihat pratinjau")
    at = pratinjau.click().run()
    text = all_text(at)
    assert "Akan terlindungi 40" in text and "Dibiayai 40 pekerja" in text
    run = next(b for b in at.button if b.label == "Jalankan alokasi")
    at = run.click().run()
    assert not at.exception and "40 pekerja kini ditanggung APBD Kota" in all_text(at)


def test_allocation_page_refused_to_viewer(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/allocation.py", actor_for("walikota"))
    assert at.error and not at.button
