"""Issue 21, below: every catalogued figure has the same value on every surface (pages, PDFs, Excel, CLI JSON), for
the demo and for random campaigns.

Every figure on the company home, *Ikrar saya* and the impact report, read as the user reads it, for pledges in
every state (submitted, matched, registered, active, expiring, expired, renewed, cancelled), agrees with the
others: counts, the selector's label, cards and protection, Rupiah (nothing owed for a cancelled pledge)."""

import datetime as dt
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as hst
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from models import AssignmentStatus, Campaign, PledgeStatus, Role, User
from services import insight, pledges
from services.insight import catalogue
from services.platform import fmt
from services.platform.authz import Actor
from services.platform.dates import add_months, month_start
from tests import factories
from tests.ui import surfaces
from ui import state

STANDING_LABEL = {
    "Perlindungan aktif, segera berakhir": "Segera berakhir",
    "Perlindungan aktif": "Aktif",
    "Didaftarkan ke BPJS": "Didaftarkan ke BPJS",
    "Pekerja sudah dicocokkan": "Pekerja dicocokkan",
    "Ikrar terkirim": "Terkirim",
    "Perlindungan berakhir": "Berakhir",
    "Diperpanjang": "Diperpanjang",
    "Ikrar dibatalkan": "Dibatalkan",
}


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _n(text: str) -> int:
    return fmt.parse_whole(text.removeprefix("Rp"))


def _companies_covering_every_state(actor_for: Callable[[str], Actor]) -> dict[str, Actor]:
    with state.db() as s:
        users = s.exec(select(User.username).where(User.role == Role.COMPANY).order_by(User.username)).all()
    by_state: dict[str, Actor] = {}
    for username in users:
        actor = actor_for(username)
        with state.db() as s:
            for p in pledges.list_pledges(session=s, actor=actor, company_id=actor.company_id or 0):
                by_state.setdefault(p.shown_status, actor)
    return by_state


def _add_cancelled(actor: Actor) -> None:
    """A cancelled pledge next to a live one (the demo has none): pledged, matched, cancelled by the company."""
    with state.db() as s:
        out = pledges.create_pledge(
            session=s,
            actor=actor,
            company_id=actor.company_id or 0,
            draft=pledges.PledgeDraft(
                workers=5, months=3, start_month=add_months(month_start(dt.date.today()), 1), radius_km=2.0
            ),
        )
        pledges.cancel_pledge(session=s, actor=actor, pledge_id=out.pledge_id)


def test_figures_agree_across_home_pledges_and_report(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    by_state = _companies_covering_every_state(actor_for)
    assert {"submitted", "matched", "registered", "active", "expiring", "expired", "renewed"} <= set(by_state)
    _add_cancelled(by_state["active"])
    checked_states: set[str] = set()
    for actor in {a.username: a for a in by_state.values()}.values():
        home = page("company/home.py", actor)
        pl = page("company/pledges.py", actor)
        report = page("company/report.py", actor)
        assert not (home.exception or pl.exception or report.exception)
        options = pl.selectbox[0].options
        assert _n(_metrics(home)["Ikrar"]) == len(options)  # home counts the pledges Ikrar saya lists
        labels = {o.split(" · ")[-1] for o in options}
        standing = STANDING_LABEL[_metrics(home)["Status"]]
        # The home's standing is one of the pledges', or cover still running on a renewed pledge whose renewal
        # waits for its first month (Diperpanjang + Menunggu mulai: the cards of this month are the old ones).
        assert standing in labels or (standing == "Aktif" and {"Diperpanjang", "Menunggu mulai"} <= labels), labels
        cards_now = committed = 0
        for option in options:
            pid = int(option.split(" · ")[0].removeprefix("Ikrar #"))
            pl.selectbox[0].set_value(pid).run()
            assert not pl.exception
            m = _metrics(pl)
            with state.db() as s:
                p = pledges.get_pledge(session=s, actor=actor, pledge_id=pid)
            checked_states.add("cancelled" if p.status == "cancelled" else p.shown_status)
            # The selector says what the figures say, for the pledge shown.
            assert pl.selectbox[0].value == pid and f"{m['Pekerja diikrarkan']} pekerja" in option
            assert option.endswith(p.status_label)
            assert _n(m["Terlindungi saat ini"]) <= _n(m["Dicocokkan"]) <= _n(m["Pekerja diikrarkan"])
            total = _n(m["Total biaya"])
            assert total == (0 if p.status == "cancelled" else p.workers * p.months * p.premium_per_worker_month)
            committed += total
            cards_now += _n(m["Terlindungi saat ini"])
        r = _metrics(report)
        # Cards running now, summed over the pledges; with a renewal waiting for its first month they still run
        # on the renewed pledge (Diperpanjang), which counts them, and the renewal (Menunggu mulai) does not yet.
        assert _n(r["Terlindungi saat ini"]) == cards_now, (actor.username, labels)
        assert _n(r["Terlindungi saat ini"]) <= _n(r["Pernah dilindungi"]) <= _n(r["Pekerja didukung"])
        assert _n(r["Komitmen dana"]) == committed  # a cancelled pledge is owed nothing, on both pages
    assert checked_states >= {"submitted", "matched", "registered", "active", "expiring", "expired", "renewed"}
    assert "cancelled" in checked_states


def test_selector_and_figures_follow_a_raise(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    by_state = _companies_covering_every_state(actor_for)
    actor = by_state["matched"]
    at = page("company/pledges.py", actor)
    with state.db() as s:
        target = next(
            p for p in pledges.list_pledges(session=s, actor=actor, company_id=actor.company_id or 0) if p.can_raise
        )
    at.selectbox[0].set_value(target.pledge_id).run()
    next(t for t in at.text_input if t.label == "Jumlah pekerja baru").set_value(str(target.workers + 7))
    next(b for b in at.button if b.label == "Tambah").click().run()
    assert not at.exception and len(at.success) == 1
    new = fmt.number(target.workers + 7)
    assert at.selectbox[0].value == target.pledge_id
    assert f"{new} pekerja" in at.selectbox[0].options[at.selectbox[0].index]  # not the old count
    assert _metrics(at)["Pekerja diikrarkan"] == new
    assert f"Ikrar ditambah menjadi {new} pekerja" in at.success[0].value


# ---------------------------------------------------------------------------------------------------------------
# Issue 21: every catalogued figure has one value on every surface, for the demo and for random campaigns.


def _city_surfaces(url: str, viewer: Actor, admin: Actor) -> dict[str, dict[str, str]]:
    with state.db() as s:
        progress = insight.campaign_progress(session=s)
        assert progress is not None
        expected = {k: catalogue.figure(k).format(v) for k, v in progress.figures.items()}
        head = insight.headline(session=s, actor=viewer)
        assert head is not None
        files = surfaces.quarterly_files(s, viewer, dt.date.today())
        timeline = insight.board_timeline(session=s)
    # The public chart's last point per series (cumulative): what the page's own figures say.
    last = {series: int(g.sort_values("month")["workers"].iloc[-1]) for series, g in timeline.groupby("series")}
    chart = {k: catalogue.figure(k).format(last.get(catalogue.figure(k).label, 0)) for k in ("protected_ever",)}
    chart["workers_pledged"] = catalogue.figure("workers_pledged").format(last.get("Pekerja diikrarkan", 0))
    headline = {
        "protected_now": head.protected.now,
        "in_process": head.in_process.now,
        "workers_pledged": head.pledged.now,
        "rupiah_committed": head.rupiah.now,
        "companies_pledged": head.companies_participating.now,
        "letters_sent": head.letters_sent.now,
    }
    return {
        "katalog": expected,
        "headline()": {k: catalogue.figure(k).format(v) for k, v in headline.items()},
        "Beranda (grafik waktu)": chart,
        **surfaces.city_pages(viewer, admin),
        **files,
        "CLI --json": surfaces.cli(url),
    }


def _company_checks(slug: str, company_actor: Actor | None, home: AppTest) -> None:
    shown = surfaces.company_surfaces(slug, company_actor, home)
    if shown["Halaman perusahaan"].get("company.rupiah_committed", "").startswith("Dirahasiakan"):
        for values in shown.values():  # hidden on the public surfaces by the company's choice, shown to itself
            values.pop("company.rupiah_committed", None)
    assert surfaces.disagreements(shown) == []
    assert {"company.protected_ever", "company.protected_now", "company.cover_months"} <= set(
        shown["Halaman perusahaan"]
    )
    with state.db() as s:
        company = insight.public_company(session=s, slug=slug)
    assert company.contradicted_badges() == []  # no badge its own page's figures contradict
    if "tuntas" in company.badges:
        assert company.workers_protected_now >= company.workers_pledged > 0


def test_every_catalogued_figure_agrees_on_every_surface_of_the_demo(
    demo_env: str, actor_for: Callable[[str], Actor]
) -> None:
    with state.db() as s:
        users = {u.role: u.username for u in s.exec(select(User).order_by(col(User.id))).all()}
        company_users = {
            int(u.company_id): u.username
            for u in s.exec(select(User).where(User.role == Role.COMPANY, col(User.company_id).is_not(None))).all()
        }
        board = insight.public_board(session=s).rows
    shown = _city_surfaces(demo_env, actor_for(users[Role.VIEWER]), actor_for(users[Role.ADMIN]))
    assert surfaces.disagreements(shown) == []
    assert set(shown["Beranda"]) >= {"protected_now", "protected_ever", "remaining_to_target", "response_rate"}
    assert set(shown["Ringkasan kota"]) >= set(surfaces.CITY_KEYS)
    city_and_payers = set(surfaces.CITY_KEYS + surfaces.PAYER_KEYS + surfaces.FORECAST_KEYS)
    assert set(shown["Laporan triwulan (PDF)"]) == city_and_payers == set(shown["Laporan triwulan (Excel)"])
    for surface in ("Ringkasan kota", "Beranda", "Laporan triwulan (halaman)", "CLI --json"):
        assert set(shown[surface]) >= set(surfaces.PAYER_KEYS), surface  # the split by payer, compared above
    for surface in ("Ringkasan kota", "Laporan triwulan (halaman)"):
        assert set(shown[surface]) >= set(surfaces.FORECAST_KEYS), surface  # with/without next year's allocation
    home = surfaces.run_page("public/home.py")
    # The board's first, a company that hides its amount (shown to itself only), the board's last.
    picks = [board.iloc[0], board[board["hidden"]].iloc[0], board.iloc[-1]]
    for row in picks:
        username = company_users.get(int(row["company_id"]))
        _company_checks(str(row["slug"]), actor_for(username) if username else None, home)
    for slug in board["slug"]:  # every company: no badge its figures contradict (service level, fast)
        with state.db() as s:
            assert insight.public_company(session=s, slug=str(slug), rows=board).contradicted_badges() == []


ANSWERS = ("none", "pledge", "decline")
PLEDGE_STATES = tuple(factories.PLEDGE_STATES)


@hst.composite
def campaigns(draw: hst.DrawFn) -> list[dict]:
    """A few companies: letter sent or not, answer, size, hidden amount, pledges in every state."""
    companies = []
    for _ in range(draw(hst.integers(1, 3))):
        answer = draw(hst.sampled_from(ANSWERS))
        companies.append(
            {
                "sent": draw(hst.booleans()) or answer != "none",
                "answer": answer,
                "employees": draw(hst.one_of(hst.none(), hst.integers(1, 20_000))),
                "show_amount": draw(hst.booleans()),
                "pledges": [
                    (draw(hst.sampled_from(PLEDGE_STATES)), draw(hst.integers(1, 6)), draw(hst.integers(1, 24)))
                    for _ in range(draw(hst.integers(1, 2)) if answer == "pledge" else 0)
                ],
                "matched": draw(hst.floats(0, 1)),
            }
        )
    return companies


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(plan=campaigns())
@example(plan=factories.RICH_CAMPAIGN)
def test_every_catalogued_figure_agrees_on_every_surface_of_random_campaigns(
    plan: list[dict], sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("random") / "campaign.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        with state.db() as s:
            viewer, admin, company_actors = factories.campaign_world(s, plan, dt.date.today())
        shown = _city_surfaces(url, viewer, admin)
        assert surfaces.disagreements(shown) == []
        every = set(surfaces.CITY_KEYS + surfaces.PAYER_KEYS + surfaces.FORECAST_KEYS)
        assert set(shown["Laporan triwulan (PDF)"]) == every <= set(shown["Ringkasan kota"])
        assert set(surfaces.PAYER_KEYS) <= set(shown["CLI --json"])
        with state.db() as s:
            board = insight.public_board(session=s).rows
        home = surfaces.run_page("public/home.py")
        for row in board.itertuples():
            _company_checks(str(row.slug), company_actors[int(row.company_id)], home)
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


def test_a_renewal_waiting_for_its_first_month_counts_its_running_cards_once(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Renewed in its last month, by the real command: this month's cards still run on the renewed pledge
    (Diperpanjang), which counts them as protected now; the renewal is Menunggu mulai and counts none yet; the
    impact report and the home count each running card once. Before: Ikrar saya said 0 on both pledges."""
    path = tmp_path_factory.mktemp("renewal") / "campaign.db"
    shutil.copyfile(sqlite_template, path)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    st.cache_resource.clear()
    st.cache_data.clear()
    today = dt.date.today()
    try:
        with state.db() as s:
            _, _, actors = factories.campaign_world(s, [dict(factories.RICH_CAMPAIGN[3], answer="pledge")], today)
            actor = next(iter(actors.values()))
            old = factories.pledge(
                s,
                company_id=actor.company_id or 0,
                campaign_id=s.exec(select(Campaign.id).order_by(col(Campaign.id).desc())).first() or 0,
                workers=3,
                months=1,
                start_month=month_start(today),
                status=PledgeStatus.ACTIVE,
            )
            factories._assign(s, old, AssignmentStatus.ACTIVE, 3, today)  # noqa: SLF001
            s.commit()
            renewal = pledges.renew_pledge(session=s, actor=actor, pledge_id=old.id or 0, months=6).pledge_id
        pl = surfaces.run_page("company/pledges.py", actor)
        shown = {}
        for pid in (old.id, renewal):
            pl.selectbox[0].set_value(pid).run()
            label = next(o for o in pl.selectbox[0].options if o.startswith(f"Ikrar #{pid} "))
            shown[label.split(" · ")[-1]] = _n(_metrics(pl)["Terlindungi saat ini"])
        assert shown == {"Diperpanjang": 3, "Menunggu mulai": 0}
        assert _n(_metrics(surfaces.run_page("company/report.py", actor))["Terlindungi saat ini"]) == 3
        assert STANDING_LABEL[_metrics(surfaces.run_page("company/home.py", actor))["Status"]] == "Aktif"
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
