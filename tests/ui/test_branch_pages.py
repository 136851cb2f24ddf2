"""AppTest of the branch desk and claims pages: each officer sees its own branch only, other roles are stopped,
and the figures pages show the benefits (company report and home, city dashboard, public page)."""

from collections.abc import Callable

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services import campaign, coverage
from services.platform.authz import Actor
from services.platform.db import make_engine
from tests.ui.conftest import all_text


def _waiting(url: str, actor: Actor) -> list[str]:
    """The payers waiting for the officer's branch: companies' pledges, and the city's allocations (APBD Kota)."""
    with Session(make_engine(url)) as s:
        return list(coverage.pledge_choices(session=s, actor=actor)["company"]) + list(
            coverage.allocation_choices(session=s, actor=actor)["payer"]
        )


def test_desk_shows_only_the_officers_branch(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], demo_db_url: str
) -> None:
    cikokol, batuceper = actor_for("cikokol"), actor_for("batuceper")
    at = page("city/branch.py", cikokol)
    assert not at.exception and not at.error
    text = all_text(at)
    assert "Meja cabang BPJS Tangerang Cikokol" in text and "Cipondoh" in text and "Batuceper" not in text
    assert not at.selectbox  # an officer cannot choose another branch
    shown = {b.label for b in at.get("download_button")}
    mine, theirs = _waiting(demo_db_url, cikokol), _waiting(demo_db_url, batuceper)
    assert len(shown) <= 1 and len(at.get("download_button")) == len(mine)  # one file per payer waiting
    for company in set(theirs) - set(mine):
        assert company not in text


def test_desk_and_claims_stop_other_roles(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    for name in ("city/branch.py", "city/claims.py"):
        for user in ("walikota", "panarub"):
            at = page(name, actor_for(user))
            assert at.error and "peran yang sesuai" in at.error[0].value
            assert not at.get("download_button") and not at.get("file_uploader")


def test_claims_page_lists_only_the_branchs_claims_and_refuses_a_bad_claim(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], demo_db_url: str
) -> None:
    cimone, cikokol = actor_for("cimone"), actor_for("cikokol")
    at = page("city/claims.py", cimone)
    assert not at.exception
    with Session(make_engine(demo_db_url)) as s:
        mine = coverage.recorded_claims(session=s, actor=cimone)
        others = coverage.recorded_claims(session=s, actor=cikokol)
    table = at.table[0].value if at.table else None
    assert table is not None and len(table) == len(mine) > 0
    assert not set(others["kpj"]) & set(table.index)
    at.text_input[0].input("12345")
    at.text_input[1].input("-5")
    at.button[0].click().run()
    assert at.error and "11 digit" in at.error[0].value and "lebih dari nol" in at.error[0].value


def test_benefits_on_company_city_and_public_pages(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    report = all_text(page("company/report.py", actor_for("panarub")))
    assert "Manfaat yang sudah dibayar BPJS" in report and "keluarga menerima" in report
    home = all_text(page("company/home.py", actor_for("panarub")))
    assert "keluarga menerima" in home
    city = page("city/overview.py", actor_for("walikota"))
    assert not city.exception and "Santunan dibayar" in all_text(city)
    public = page("public/home.py")
    assert not public.exception and "Manfaat yang sudah dibayar BPJS" in all_text(public)


def _pick(at: AppTest, label: str, option: str) -> None:
    """Choose a shown option in the form (the last box of that label: the list's role filter comes first)."""
    box = [s for s in at.selectbox if s.label == label and option in s.options][-1]
    box.select_index(box.options.index(option))


def test_admin_creates_a_branch_officer_on_pengguna(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/users.py", actor_for("admin"))
    at.text_input[0].set_value("petugas.batuceper")
    at.text_input[1].set_value("Petugas Cabang Batuceper")
    _pick(at, "Peran", "Petugas cabang BPJS")
    next(b for b in at.button if b.label == "Buat akun").click().run()
    assert at.error and "Pilih cabang BPJS" in at.error[0].value  # a branch officer needs its branch
    at.text_input[0].set_value("petugas.batuceper")
    at.text_input[1].set_value("Petugas Cabang Batuceper")
    _pick(at, "Peran", "Petugas cabang BPJS")
    _pick(at, "Cabang BPJS (hanya untuk petugas cabang)", "Tangerang Batuceper")
    next(b for b in at.button if b.label == "Buat akun").click().run()
    assert not at.exception and not at.error
    assert "petugas.batuceper" in {p.username for p in campaign.waiting_passwords(owner="admin")}
    officer = actor_for("petugas.batuceper")
    assert (officer.role, officer.branch) == ("branch", "Tangerang Batuceper")
