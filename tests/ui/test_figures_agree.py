"""Every figure on the company home, *Ikrar saya* and the impact report, read as the user reads it, for pledges in
every state (submitted, matched, registered, active, expiring, expired, renewed, cancelled), agrees with the
others: counts, the selector's label, cards and protection, Rupiah (nothing owed for a cancelled pledge)."""

import datetime as dt
from collections.abc import Callable

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from models import Role, User
from services import pledges
from services.platform import fmt
from services.platform.authz import Actor
from services.platform.dates import add_months, month_start
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
        assert STANDING_LABEL[_metrics(home)["Status"]] in labels  # the home's standing is one of the pledges'
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
        assert _n(r["Terlindungi saat ini"]) == cards_now  # cards running now, summed over the pledges
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
