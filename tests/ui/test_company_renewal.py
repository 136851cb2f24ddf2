"""Renewing from *Ikrar saya*: one click, no traceback, the selector moves to the renewal, one message."""

from collections.abc import Callable

from sqlmodel import select
from streamlit.testing.v1 import AppTest

from models import Role, User
from services import pledges
from services.platform.authz import Actor
from tests.ui.conftest import all_text
from ui import state


def _renewable(actor_for: Callable[[str], Actor]) -> tuple[Actor, int]:
    """A company (not panarub: other tests read its reminder) whose pledge may be renewed today."""
    with state.db() as s:
        users = s.exec(select(User.username).where(User.role == Role.COMPANY, User.username != "panarub")).all()
    for actor in [actor_for(u) for u in sorted(users)]:
        with state.db() as s:
            mine = pledges.list_pledges(session=s, actor=actor, company_id=actor.company_id or 0)
        renewable = [p.pledge_id for p in mine if p.can_renew]
        if renewable:
            return actor, renewable[0]
    raise AssertionError("the demo has no renewable pledge besides panarub")


def test_renewal_with_one_click(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    actor, old_id = _renewable(actor_for)
    at = page("company/pledges.py", actor)
    at.selectbox[0].set_value(old_id).run()
    assert not at.exception
    next(b for b in at.button if b.label == "Perpanjang").click().run()
    assert not at.exception, at.exception  # was StreamlitWidgetAlreadyInstantiatedError (pledge_pick)
    picked = at.selectbox[0].value
    assert at.session_state["pledge_pick"] == picked
    assert picked != old_id
    with state.db() as s:
        renewal = pledges.get_pledge(session=s, actor=actor, pledge_id=picked)
    assert renewal.renewed_from_id == old_id
    assert [m.value for m in at.success] == [m for m in [at.success[0].value] if "diperpanjang" in m]
    assert all_text(at).count("diperpanjang (ikrar #") == 1
    at.run()  # the message is shown once, not again on the next interaction
    assert not at.exception and not at.success
