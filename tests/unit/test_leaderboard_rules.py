"""The leaderboard's pure rules and builders: badges, size bands, slugs, escaping, charts."""

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from services import insight
from services.insight import figures as fig
from services.platform.errors import ValidationError
from tests.ui.test_public_leaderboard import SIXTEEN_DIGITS
from ui import leaderboard as lb


@pytest.mark.parametrize(
    ("employees", "band"),
    [(None, "Belum diisi"), (0, "Belum diisi"), (1, "Mikro"), (4, "Mikro"), (5, "Kecil"), (19, "Kecil")]
    + [(20, "Menengah"), (99, "Menengah"), (100, "Besar"), (11_000, "Besar")],
)
def test_size_bands_follow_the_stated_rule(employees: int | None, band: str) -> None:
    assert insight.size_band(employees) == band


def test_per_100_employees() -> None:
    assert insight.per_100_employees(148, 11_000) == 100 * 148 / 11_000  # raw: rounded once, when written
    assert fig.show("company.per_100", insight.per_100_employees(148, 11_000)) == "1,3"  # not 1,35 -> 1,4
    assert fig.show("company.per_100", insight.per_100_employees(6_747, 100_000)) == "6,7"
    assert insight.per_100_employees(30, 20) == 150.0  # a small firm can lead
    assert insight.per_100_employees(10, None) is None and insight.per_100_employees(10, 0) is None


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        (dict(answer_order=10, workers_pledged=100, workers_protected_now=100, workers_protected=100, renewals=1),
         ("perintis", "tuntas", "konsisten", "saran")),
        (dict(answer_order=11, workers_pledged=100, workers_protected_now=99, workers_protected=99, renewals=0), ()),
        (dict(answer_order=None, workers_pledged=0, workers_protected_now=0, workers_protected=0, renewals=0), ()),
        (dict(answer_order=1, workers_pledged=50, workers_protected_now=50, workers_protected=50, renewals=0),
         ("perintis", "tuntas")),
        # Cards issued once but the cover has ended: not Tuntas (its page says 0 terlindungi saat ini).
        (dict(answer_order=12, workers_pledged=50, workers_protected_now=0, workers_protected=50, renewals=0), ()),
    ],
)  # fmt: skip
def test_badge_rules_at_their_edges(kw: dict, expected: tuple[str, ...]) -> None:
    assert insight.earned_badges(suggested_min=100, **kw) == expected


@pytest.mark.parametrize(
    "kw",
    [
        dict(answer_order=o, workers_pledged=p, workers_protected_now=n, workers_protected=e, renewals=r)
        for o in (None, 1, 10, 11)
        for p in (0, 50, 100)
        for n in (0, 49, 50, 100)
        for e in (0, 50, 99, 100, 150)
        for r in (0, 1)
        if n <= e
    ],
)
def test_no_earned_badge_is_contradicted_by_the_figures_beside_it(kw: dict) -> None:
    earned = insight.earned_badges(suggested_min=100, **kw)
    assert (
        insight.contradicted_badges(
            earned,
            answer_order=kw["answer_order"],
            workers_pledged=kw["workers_pledged"],
            workers_protected_now=kw["workers_protected_now"],
            workers_protected=kw["workers_protected"],
            renewed=kw["renewals"] > 0,
            suggested_min=100,
        )
        == []
    )
    if "tuntas" in earned:  # the page beside it says every pledged worker is protected now
        assert kw["workers_protected_now"] >= kw["workers_pledged"] > 0


def test_a_badge_the_figures_contradict_is_reported() -> None:
    assert insight.contradicted_badges(
        ("tuntas", "saran", "perintis", "konsisten"),
        answer_order=11, workers_pledged=148, workers_protected_now=0, workers_protected=99, renewed=False,
        suggested_min=100,
    ) == ["tuntas", "saran", "perintis", "konsisten"]  # fmt: skip


def test_the_suggestion_badge_follows_the_letter() -> None:
    assert insight.badge_label("saran", 150) == "150+"
    assert "150" in insight.badge_rule("saran", 150)
    assert insight.earned_badges(
        answer_order=None, workers_pledged=120, workers_protected_now=0, workers_protected=120, renewals=0,
        suggested_min=150,
    ) == ()  # fmt: skip


@pytest.mark.parametrize(
    ("cid", "name", "slug"),
    [
        (1, "PT Panarub Industry", "pt-panarub-industry-1"),
        (7, "<img src=x onerror=alert(1)>", "img-src-x-onerror-alert-1-7"),
        (8, "CV Śląsk & Söhne", "cv-slask-sohne-8"),
        (9, "!!!", "9"),
    ],
)
def test_slugs_are_ascii_and_resolve_to_the_id(cid: int, name: str, slug: str) -> None:
    assert insight.slug_for(cid, name) == slug
    assert insight.company_id_of(slug) == cid


@pytest.mark.parametrize("bad", ["", "abc", "pt-x-", "1 OR 1=1", "<script>", "x" * 200 + "-1", "1234567890"])
def test_malformed_slugs_resolve_to_nothing(bad: str) -> None:
    assert insight.company_id_of(bad) is None


def test_svg_badge_escapes_the_company_name() -> None:
    svg = insight.badge_svg("perintis", company="<script>alert(1)</script> & Co", suggested_min=100, campaign="SE 1")
    root = ET.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def _rows() -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "company_id": [1, 2, 3],
            "company": ["PT A", XSS := "<img src=x onerror=alert(1)>", "[klik](javascript:alert(1))"],
            "kecamatan": ["Cibodas", "Karawaci", "Cibodas"],
            "sector": ["Alas kaki", "Tekstil", "Alas kaki"],
            "employees": pd.array([11_000, 40, None], dtype="Int64"),
            "responded_at": pd.to_datetime(["2024-10-21", "2024-10-22", "2024-10-23"], utc=True),
            "answer_order": pd.array([1, 2, 3], dtype="Int64"),
            "workers_pledged": [95, 260, 100],
            "workers_protected": [95, 0, 100],
            "workers_registered": [95, 0, 100],
            "workers_protected_now": [95, 0, 100],
            "renewals": [0, 0, 1],
            "rupiah": pd.array([19_152_000, None, 20_160_000], dtype="Int64"),
            "hidden": [False, True, False],
            "share_fulfilled": [1.0, 0.0, 1.0],
            "days_to_answer": pd.array([7, 8, 9], dtype="Int64"),
            "months": [12, 12, 12],
            "renewed": [False, False, True],
            "slug": ["pt-a-1", "img-src-x-onerror-alert-1-2", "klik-javascript-alert-1-3"],
        }
    )
    assert XSS
    return insight.rank_board(df, suggested_min=100)


def test_views_sort_numbers_as_numbers_and_refuse_unknown_keys() -> None:
    rows = _rows()
    assert list(insight.board_view(rows, sort_by="workers_pledged", descending=True)["workers_pledged"]) == [
        260,
        100,
        95,
    ]
    assert list(insight.board_view(rows)["company_id"]) == [3, 1, 2]  # 100 protected, 95, 0
    assert list(insight.board_view(rows, view="per100")["company_id"]) == [1, 2, 3]  # unknown size last
    with pytest.raises(ValidationError, match="tidak dikenal"):
        insight.board_view(rows, sort_by="nik")
    with pytest.raises(ValidationError, match="tidak dikenal"):
        insight.board_view(rows, view="acak")


def test_board_html_escapes_every_name_and_links_only_to_public_pages() -> None:
    html = lb.board_html(insight.board_view(_rows()), suggested_min=100, caption="<b>judul</b>")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "&lt;b&gt;judul&lt;/b&gt;" in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("perusahaan-publik?id=") for h in hrefs)
    assert "Dirahasiakan" in html and "Rp19.152.000" in html
    assert "Perintis" in html and "Konsisten" in html


def test_sixteen_digit_scan_finds_niks_but_not_decimals() -> None:
    assert SIXTEEN_DIGITS.findall("nik 3671021501900001 x") == ["3671021501900001"]
    assert SIXTEEN_DIGITS.findall("0.35135135135135137 and 1729000000000") == []


def test_charts_are_specs_with_indonesian_titles() -> None:
    rows = insight.board_view(_rows())
    spec = lb.top_companies_chart(rows, value="workers_protected", title="Pekerja dilindungi").to_dict()
    assert spec["encoding"]["x"]["title"] == "Pekerja dilindungi"
    timeline = pd.DataFrame(
        {"month": pd.to_datetime(["2024-10-01", "2024-11-01"]), "series": ["Pekerja diikrarkan"] * 2, "workers": [1, 3]}
    )
    assert lb.timeline_chart(timeline).to_dict()["mark"]["type"] == "line"
    legend = lb.progress_legend_html(2_968, 2_049, 14_983)
    assert "2.968" in legend and "Belum dalam proses" in legend


def test_the_progress_bar_stacks_three_parts_to_the_target_in_plain_html() -> None:
    assert [n for _c, _l, n in lb.progress_parts(3_000, 2_000, 20_000)] == [3_000, 2_000, 15_000]
    assert lb.progress_parts(25_000, 0, 20_000)[2][2] == 0  # never a negative remainder
    bar = lb.progress_bar_html(3_000, 2_000, 20_000)
    assert re.findall(r"<span style=\"width:([\d.]+)%", bar) == ["15.000", "10.000", "75.000"]
    assert 'aria-label="Terlindungi saat ini: 3.000 pekerja; Dalam proses: 2.000 pekerja; Belum' in bar
    passed = lb.progress_bar_html(25_000, 0, 20_000)  # target passed: one full green part
    assert re.findall(r"<span style=\"width:([\d.]+)%", passed) == ["100.000"]
    assert "<script" not in bar and "vega" not in bar.lower()


def test_pages_of_the_board() -> None:
    rows = pd.DataFrame({"x": range(250)})
    first, pages = insight.page_of(rows, page=0, size=100)
    assert (len(first), pages) == (100, 3)
    last, _ = insight.page_of(rows, page=7, size=100)  # past the end: the last page
    assert list(last["x"])[:1] == [200] and len(last) == 50
    assert insight.page_labels(250, 100) == {0: "1–100", 1: "101–200", 2: "201–250"}
    assert insight.page_of(rows.head(0), page=0)[1] == 1


def test_name_index_lists_every_company_escaped_a_to_z() -> None:
    html = lb.name_index_html(_rows())
    assert html.count("perusahaan-publik?id=") == 3 and "<img" not in html
    names = re.findall(r'target="_self">([^<]+)</a>', html)
    assert names == sorted(names, key=str.casefold) or names[0].startswith("&lt;")
