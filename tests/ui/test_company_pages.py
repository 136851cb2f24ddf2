"""AppTest of the company pages over the small seeded demo (panarub: active and expiring; cisadane: matched)."""

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from streamlit.testing.v1 import AppTest

from services import pledges
from services.platform.authz import Actor
from services.platform.dates import add_months, month_start
from tests.ui.conftest import ROOT, all_text
from ui import state


def _field(at: AppTest, label: str) -> Any:
    return next(t for t in at.text_input if t.label == label)


def test_home_shows_standing_and_the_next_step(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("company/home.py", actor_for("benteng"))
    assert not at.exception
    text = all_text(at)
    assert "Belum menjawab" in text and "SE No. 14422/2024" in text and "Buat ikrar" in text


def test_pledge_form_prices_then_confirms_once(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("company/pledge.py", actor_for("graha"))
    assert not at.exception
    assert "Rp16.800" in all_text(at)
    _field(at, "Jumlah pekerja").set_value("148")
    at.selectbox[0].set_value(12)
    _field(at, "Radius di sekitar lokasi perusahaan (km)").set_value("3")
    at.button[0].click().run()  # the form's submit: price and preview only
    assert not at.exception and not at.error, [e.value for e in at.error]
    text = all_text(at)
    assert "Rp29.836.800" in text and "Rp2.486.400" in text
    nonce = at.session_state["pledge_nonce"]
    confirm = next(b for b in at.button if b.label == "Kirim ikrar")
    confirm.click().run()
    assert not at.exception
    done = at.session_state["pledge_done"]
    assert done["created"] and done["match"]["requested"] == 148
    assert "dicocokkan" in all_text(at)
    # A second submit with the same nonce (double click) returns the same pledge.
    with state.db() as s:
        again = pledges.create_pledge(
            session=s,
            actor=actor_for("graha"),
            company_id=actor_for("graha").company_id or 0,
            draft=pledges.PledgeDraft(
                workers=148, months=12, start_month=add_months(month_start(dt.date.today()), 1), radius_km=3.0
            ),
            submission_key=nonce,
        )
    assert again.pledge_id == done["pledge_id"] and not again.created


def test_pledge_form_shows_indonesian_errors(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("company/pledge.py", actor_for("graha"))
    _field(at, "Radius di sekitar lokasi perusahaan (km)").set_value("0")  # no radius and no kelurahan
    at.button[0].click().run()
    assert any("Tentukan area" in e.value for e in at.error)


def test_my_pledges_lists_masked_workers_and_offers_renewal(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("company/pledges.py", actor_for("panarub"))
    assert not at.exception
    text = all_text(at)
    assert "Segera berakhir" in text and "Pengingat" in text
    df = at.dataframe[0].value
    assert {"NIK", "Nama", "Kelurahan", "Pekerjaan", "Jarak (km)", "Status"} <= set(df.columns)
    assert not {"Tanggal lahir", "Telepon", "birth_date", "phone"} & set(df.columns)
    assert all(re.fullmatch(r"\d{4}\*{8}\d{4}", v) for v in df["NIK"])
    assert any(e.label == "Perpanjang perlindungan" for e in at.expander)


def test_tampered_pledge_id_in_state_shows_nothing_of_another_company(
    demo_env: str, actor_for: Callable[[str], Actor]
) -> None:
    panarub = actor_for("panarub")
    with state.db() as s:
        theirs = pledges.list_pledges(session=s, actor=panarub, company_id=panarub.company_id or 0)[0]
    at = AppTest.from_file(str(ROOT / "pages" / "company" / "pledges.py"), default_timeout=30)
    at.session_state[state.ACTOR_KEY] = actor_for("graha")
    at.session_state[state.VERSION_KEY] = 0
    at.session_state["pledge_pick"] = theirs.pledge_id
    at.run()
    assert not at.exception
    assert at.selectbox[0].value != theirs.pledge_id
    assert not any(o.startswith(f"Ikrar #{theirs.pledge_id} ") for o in at.selectbox[0].options)
    shown = at.dataframe[0].value if at.dataframe else None
    with state.db() as s:
        their_workers = pledges.pledge_workers(session=s, actor=panarub, pledge_id=theirs.pledge_id)
    if shown is not None:
        assert not set(shown["NIK"]) & set(their_workers["NIK"])


def test_cancel_on_a_matched_pledge(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("company/pledges.py", actor_for("cisadane"))
    assert not at.exception
    assert any(e.label == "Batalkan ikrar" for e in at.expander)
    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Batalkan ikrar").click().run()
    assert not at.exception
    assert "dibatalkan" in all_text(at).lower()


def test_profile_refuses_a_site_far_from_tangerang(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("company/profile.py", actor_for("benteng"))
    assert not at.exception
    _field(at, "Lintang").set_value("-6,9")
    _field(at, "Bujur").set_value("107.6")
    at.button[0].click().run()
    assert at.error and "Kota Tangerang" in at.error[0].value


def test_impact_report_page(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("company/report.py", actor_for("panarub"))
    assert not at.exception
    text = all_text(at)
    assert "Pekerja didukung" in text and "Terlindungi saat ini" in text and "Rp" in text
