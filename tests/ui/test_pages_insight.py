"""AppTest of the city dashboard (issue 13): every section renders for the viewer, numbers stay numeric, the
what-if refuses bad input in Indonesian, and company users are refused."""

from collections.abc import Callable

import pandas as pd
from streamlit.testing.v1 import AppTest

from services.platform.authz import Actor
from tests.ui.conftest import all_text


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_dashboard_renders_every_section_for_the_viewer(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/overview.py", actor_for("walikota"))
    assert not at.exception
    text = all_text(at)
    for part in ("Ringkasan kota", "Celah", "Siapa yang dihubungi berikutnya", "Kapan target tercapai", "Per sektor"):
        assert part in text
    labels = [m.label for m in at.metric]
    assert "Terlindungi saat ini" in labels and "Surat terkirim" in labels
    assert all(m.delta for m in at.metric[:6])  # each headline figure shows its 30-day change
    kecamatan = _frame(at, "Pekerja memenuhi syarat")
    assert len(kecamatan) == 13
    assert pd.api.types.is_integer_dtype(kecamatan["Terlindungi"])  # numeric (sorts as numbers), formatted by a Styler
    kelurahan = _frame(at, "Porsi")
    assert len(kelurahan) == 104 and pd.api.types.is_float_dtype(kelurahan["Porsi"])
    steps = _frame(at, "Tahap")
    assert steps["Perusahaan"].tolist() == sorted(steps["Perusahaan"].tolist(), reverse=True)
    assert len(at.get("vega_lite_chart")) >= 4  # funnel, map, weekly, forecast


def test_map_switches_metric(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/overview.py", actor_for("walikota"))
    at.radio[0].set_value("Celah (tak terjangkau ikrar)").run()
    assert not at.exception
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert any("properties.gap" in s for s in specs)


def test_what_if_refuses_a_negative_budget_in_indonesian(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/overview.py", actor_for("walikota"))
    at.number_input[1].set_value(-5)
    at.button[0].click().run()
    assert not at.exception
    assert at.error and "tidak boleh negatif" in at.error[0].value
    at.number_input[1].set_value(2_016_000_000)  # buys 10.000 worker-years at Rp16.800
    at.number_input[0].set_value(3)
    at.button[0].click().run()
    assert not at.error
    assert "skenario menambah 10.300 pekerja" in all_text(at)


def test_dashboard_refuses_company_users(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/overview.py", actor_for("panarub"))
    assert at.error and not at.dataframe and not at.metric


def _quarterly_audits(url: str) -> int:
    from sqlmodel import Session, select

    from models import AuditLog
    from services.platform.db import make_engine

    with Session(make_engine(url)) as s:
        return len(s.exec(select(AuditLog).where(AuditLog.action == "report.quarterly")).all())


def test_quarterly_report_page_offers_both_files_and_makes_none_at_render(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], demo_db_url: str
) -> None:
    before = _quarterly_audits(demo_db_url)
    at = page("city/report.py", actor_for("walikota"))
    assert not at.exception
    options = at.selectbox[0].options
    assert options[-1] == "Triwulan 4 2024" and len(options) >= 2  # from the letter's quarter to today's
    assert [b.proto.label for b in at.get("download_button")] == ["Unduh PDF", "Unduh Excel"]
    at.selectbox[0].set_value(options[-1]).run()
    assert not at.exception and "1 Oktober 2024" in all_text(at)
    assert _quarterly_audits(demo_db_url) == before  # files are made (and audited) only on the click


def test_quarterly_report_page_refuses_company_users(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/report.py", actor_for("graha"))
    assert at.error and not at.get("download_button")
