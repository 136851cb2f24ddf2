"""Issue 23 on the pages: a city user made without touching *Peran* is not an admin; an admin grant is explicit."""

from collections.abc import Callable

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import AuditLog, User
from services.platform.authz import Actor
from tests.ui.conftest import ROOT as ROOTDIR
from tests.ui.conftest import all_text
from ui import state


def _new_user_form(at: AppTest, username: str) -> None:
    at.text_input[0].set_value(username)
    at.text_input[1].set_value("Pengguna Baru")


def _role_box(at: AppTest):  # type: ignore[no-untyped-def]
    """The role box of the new-user form (the page's first box filters the list)."""
    return [s for s in at.selectbox if s.label == "Peran"][1]


def _create(at: AppTest) -> AppTest:
    return next(b for b in at.button if b.label == "Buat akun").click().run()


def _user(username: str) -> User | None:
    with Session(state.engine()) as s:
        return s.exec(select(User).where(User.username == username)).first()


def test_a_city_user_created_without_touching_the_role_is_not_an_admin(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/users.py", actor_for("admin"))
    assert _role_box(at).value is None, "the role has no default"
    _new_user_form(at, "tanpa.peran")
    _create(at)
    assert not at.exception and at.error and "Pilih peran" in at.error[0].value
    assert _user("tanpa.peran") is None

    # Admin chosen but not confirmed: refused, nothing made.
    _new_user_form(at, "admin.buru")
    _role_box(at).set_value("admin")
    _create(at)
    assert at.error and "konfirmasi" in at.error[0].value
    assert _user("admin.buru") is None

    # Admin chosen and confirmed: made, and the grant has its own audit row.
    _new_user_form(at, "admin.sengaja")
    _role_box(at).set_value("admin")
    next(c for c in at.checkbox if "Admin kota" in c.label).check()
    _create(at)
    assert not at.exception and "admin.sengaja" in all_text(at)
    made = _user("admin.sengaja")
    assert made is not None and made.role == "admin"
    with Session(state.engine()) as s:
        grant = s.exec(
            select(AuditLog).where(AuditLog.action == "user.admin_grant", AuditLog.entity_id == str(made.id))
        )
        assert grant.one()


def test_no_public_company_page_shows_a_count_of_one_or_two(page: Callable[..., AppTest], demo_db_url: str) -> None:
    """The demo's participating companies with the fewest protected workers (where small cells are likeliest):
    no count cell, metric or chart on their public pages reads 1 or 2; before the fix "Nelayan 1" was shown."""
    import re

    from services import insight
    from services.platform.db import make_engine

    with Session(make_engine(demo_db_url)) as s:
        rows = insight.public_board(session=s).rows
    picks = rows[rows["workers_protected"] > 0].sort_values("workers_protected").head(6)
    hidden_seen = 0
    for slug in picks["slug"]:
        at = AppTest.from_file(str(ROOTDIR / "pages" / "public" / "company.py"), default_timeout=30)
        at.query_params["id"] = str(slug)
        at.run()
        assert not at.exception
        html = " ".join(h.value for h in at.html)
        cells = re.findall(r'<td class="n">([^<]*)</td>', html)
        assert not {"1", "2"} & set(cells), (slug, cells)
        assert not {"1", "2"} & {
            m.value for m in at.metric if m.label.startswith(("Pekerja dilindungi", "Terlindungi"))
        }
        hidden_seen += cells.count("&lt; 3")
    assert hidden_seen > 0, "the sample holds small cells, so the rule was exercised"
