"""AppTest of the public leaderboard and a company's public page over the seeded demo: the board is real text,
sorts numerically, filters, and no public page carries anything personal or runs a company's name as code."""

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from google.protobuf import text_format
from sqlalchemy import text
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import Company, Worker
from services import insight
from services.platform.authz import Actor
from services.platform.db import make_engine
from tests.ui.conftest import ROOT, all_text

XSS_NAME = "<img src=x onerror=alert(1)>"
MARKDOWN_NAME = "[klik](javascript:alert(1))"
SIXTEEN_DIGITS = re.compile(r"(?<![\d.])\d{16}(?!\d)")


def _every_text(at: AppTest) -> str:
    """Every element's protobuf as text: labels, values, HTML bodies, chart specs with their data."""
    parts: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def _board_html(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html if "payung-board" in h.value and "<caption>" in h.value)


def _first_company(html: str) -> str:
    match = re.search(r'<td class=c><a href="[^"]+" target="_self">([^<]+)</a>', html)
    assert match, "no company row in the board"
    return match.group(1)


def test_board_is_real_text_with_the_rules_and_hidden_amounts(page: Callable[..., AppTest]) -> None:
    at = page("public/home.py")
    assert not at.exception
    board = _board_html(at)
    assert "PT Panarub Industry" in board and 'href="perusahaan-publik?id=pt-panarub-industry-' in board
    assert not at.dataframe  # no canvas grid: find (Ctrl+F) and screen readers reach every name
    text_all = all_text(at)
    assert "Aturan peringkat (Pernah dilindungi terbanyak)" in text_all
    assert re.search(r"\d+ perusahaan memilih tidak menampilkan nilai", text_all)
    assert "Dirahasiakan" in board
    rules = " ".join(h.value for h in at.html)
    for code in insight.BADGES:
        assert insight.badge_rule(code, 100) in rules
    assert "Terlindungi saat ini (kartu terbit" in rules and "Belum dalam proses" in rules  # the bar's legend
    assert "Sisa menuju target" in text_all
    assert "payung-bar" in rules  # the progress bar: plain HTML above the fold (no chart to load first)
    assert len(at.get("vega_lite_chart")) == 2  # top companies, timeline (below the table)


def test_sorting_by_pledged_workers_is_numeric(page: Callable[..., AppTest], demo_db_url: str) -> None:
    with Session(make_engine(demo_db_url)) as s:
        rows = insight.public_board(session=s).rows
    most, fewest = rows["workers_pledged"].max(), rows["workers_pledged"].min()
    assert most >= 100 > fewest  # a text sort would put "95" above "260"
    at = page("public/home.py")
    at.selectbox(key="lb_sort").select("workers_pledged").run()
    assert at.selectbox(key="lb_dir_workers_pledged").value == "Besar ke kecil"  # natural for a count
    assert _first_company(_board_html(at)) in set(rows[rows["workers_pledged"] == most]["company"])
    at.selectbox(key="lb_dir_workers_pledged").select("Kecil ke besar").run()
    assert _first_company(_board_html(at)) in set(rows[rows["workers_pledged"] == fewest]["company"])
    at.selectbox(key="lb_sort").select("days_to_answer").run()
    assert _first_company(_board_html(at)) == "PT Panarub Industry"  # answered first, 7 days


def test_filters_and_size_view(page: Callable[..., AppTest]) -> None:
    at = page("public/home.py")
    at.selectbox(key="lb_kec").select("Jatiuwung").run()
    board = _board_html(at)
    assert "PT Panarub Industry" in board and "PT Graha Tekstil Karawaci" not in board
    assert "Jatiuwung ·" in board and "Karawaci ·" not in board
    at.selectbox(key="lb_kec").select("Semua kecamatan")
    at.selectbox(key="lb_sector").select("Tekstil & garmen").run()
    board = _board_html(at)
    assert "PT Graha Tekstil Karawaci" in board and "PT Panarub Industry" not in board
    at.selectbox(key="lb_sector").select("Semua sektor")
    at.selectbox(key="lb_view").select("ukuran").run()
    assert not at.exception
    assert "Besar: 100 karyawan atau lebih" in all_text(at)


def test_company_public_page_by_its_url(page: Callable[..., AppTest], demo_db_url: str) -> None:
    with Session(make_engine(demo_db_url)) as s:
        cid = s.exec(select(Company.id).where(Company.name == "PT Panarub Industry")).one()
    at = AppTest.from_file(str(ROOT / "pages" / "public" / "company.py"), default_timeout=30)
    at.query_params["id"] = f"pt-panarub-industry-{cid}"
    at.run()
    assert not at.exception
    html = " ".join(h.value for h in at.html)
    assert "PT Panarub Industry</h1>" in html and "Pedagang kaki lima" in html and "Jatiuwung" in html
    assert "Perintis" in html and "Konsisten" in html
    assert "Bulan perlindungan" in all_text(at)


@pytest.mark.parametrize("slug", ["", "tidak-ada-999999", "<script>"])
def test_company_page_with_a_bad_id_says_so(page: Callable[..., AppTest], slug: str) -> None:
    at = AppTest.from_file(str(ROOT / "pages" / "public" / "company.py"), default_timeout=30)
    at.query_params["id"] = slug
    at.run()
    assert not at.exception
    assert at.title[0].value == "Perusahaan tidak ditemukan" and "belum berikrar" in at.info[0].value


@pytest.fixture
def hostile_db(demo_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, int]]:
    """A copy of the demo where two participating companies carry hostile names."""
    path = tmp_path / "hostile.db"
    shutil.copyfile(demo_db_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    with Session(engine) as s:
        rows = insight.public_board(session=s).rows
        first, second = int(rows.iloc[0]["company_id"]), int(rows.iloc[1]["company_id"])
        s.execute(text("UPDATE company SET name = :n WHERE id = :i"), {"n": XSS_NAME, "i": first})
        s.execute(text("UPDATE company SET name = :n, sector = :n WHERE id = :i"), {"n": MARKDOWN_NAME, "i": second})
        s.commit()
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PAYUNG_COOKIE_KEY", "uji-" + "k" * 40)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield url, first
    st.cache_resource.clear()
    st.cache_data.clear()


def test_company_names_render_as_text_never_as_code(hostile_db: tuple[str, int]) -> None:
    url, first = hostile_db
    home = AppTest.from_file(str(ROOT / "pages" / "public" / "home.py"), default_timeout=30).run()
    assert not home.exception
    board = _board_html(home)
    assert "&lt;img src=x onerror=alert(1)&gt;" in board and "<img" not in board
    assert MARKDOWN_NAME in board and "javascript:" not in re.sub(r">[^<]*<", "><", board)  # only in text nodes
    for slug in (insight.slug_for(first, XSS_NAME), "<img src=x onerror=alert(1)>"):
        at = AppTest.from_file(str(ROOT / "pages" / "public" / "company.py"), default_timeout=30)
        at.query_params["id"] = slug
        at.run()
        assert not at.exception
        everything = _every_text(at)
        assert "<img" not in " ".join(h.value for h in at.html)
        assert "<img src=x" not in all_text(at)
        assert everything  # rendered something


def test_no_public_page_shows_anything_personal(hostile_db: tuple[str, int], page: Callable[..., AppTest]) -> None:
    """Every public page, every element (HTML bodies and chart data included): no 16-digit number, no worker's
    name, NIK, phone or address from the fixture."""
    url, _ = hostile_db
    with Session(make_engine(url)) as s:
        workers = s.exec(select(Worker.nik, Worker.name, Worker.phone, Worker.address)).all()
        rows = insight.public_board(session=s).rows
    # Company pages in every state: the top (hostile names), the bottom, a hidden amount, no card issued yet.
    picks = [rows.head(3), rows.tail(3), rows[rows["hidden"]].head(1), rows[rows["workers_protected"] == 0].head(2)]
    slugs = sorted({slug for df in picks for slug in df["slug"]})
    assert len(workers) > 1_000 and len(slugs) >= 7
    rendered = []
    home = AppTest.from_file(str(ROOT / "pages" / "public" / "home.py"), default_timeout=30).run()
    for view in insight.VIEWS:
        home.selectbox(key="lb_view").select(view).run()
        rendered.append(_every_text(home))
    for slug in slugs:
        at = AppTest.from_file(str(ROOT / "pages" / "public" / "company.py"), default_timeout=30)
        at.query_params["id"] = slug
        rendered.append(_every_text(at.run()))
    everything = "\n".join(rendered)
    assert "PT Panarub Industry" in everything  # the scan reads what is shown
    assert SIXTEEN_DIGITS.findall(everything) == []
    leaked = [
        value
        for nik, name, phone, address in workers
        for value in (nik, name, phone, address)
        if value and len(value) >= 6 and value in everything
    ]
    assert leaked == []


def test_company_downloads_its_badges_from_its_report(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("company/report.py", actor_for("panarub"))
    assert not at.exception
    assert "Lencana Payung" in all_text(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Unduh lencana Perintis (SVG)" in labels and "Unduh lencana Konsisten (SVG)" in labels
    assert any("perusahaan-publik?id=pt-panarub-industry-" in h.value for h in at.html)
    silent = page("company/report.py", actor_for("benteng"))  # has not answered: no badge, no error
    assert not silent.exception and "Belum ada lencana" in all_text(silent)


def test_a_long_board_is_paged_and_every_name_stays_in_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """150 participating companies (the benchmark's generator): 100 rows a page, the rest one choice away, and an
    A-Z index of all 150 names as links, so the browser's find still reaches every company."""
    from benchmarks.leaderboard import fill

    url = f"sqlite:///{tmp_path / 'many.db'}"
    fill(url, 150)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PAYUNG_COOKIE_KEY", "uji-" + "k" * 40)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = AppTest.from_file(str(ROOT / "pages" / "public" / "home.py"), default_timeout=60).run()
        assert not at.exception
        assert _board_html(at).count("<tr>") == 101  # header + 100 rows
        index = next(h.value for h in at.html if '<nav class="payung-index"' in h.value)
        assert index.count("perusahaan-publik?id=") == 150
        assert at.selectbox(key="lb_page").options == ["1–100", "101–150"]
        at.selectbox(key="lb_page").select_index(1).run()
        assert _board_html(at).count("<tr>") == 51
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


def test_the_cached_board_follows_a_write_at_once(hostile_db: tuple[str, int]) -> None:
    """The board is cached per data version: a committed change (a company hiding its amount) shows on the next
    render without waiting for the cache to expire."""
    url, first = hostile_db

    def hidden_count(at: AppTest) -> int:
        match = re.search(r"(\d+) perusahaan memilih tidak menampilkan nilai", all_text(at))
        assert match
        return int(match.group(1))

    at = AppTest.from_file(str(ROOT / "pages" / "public" / "home.py"), default_timeout=30).run()
    before = hidden_count(at)
    assert hidden_count(at.run()) == before  # served from the cache
    with Session(make_engine(url)) as s:
        company = s.get(Company, first)
        assert company is not None and company.show_amount
        company.show_amount = False
        s.add(company)
        s.commit()
    assert hidden_count(at.run()) == before + 1
