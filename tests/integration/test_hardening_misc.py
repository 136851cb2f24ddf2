"""Smaller hardening items on SQLite and PostgreSQL: control characters (a NUL byte used to reach the page as a
psycopg DataError with SQL) are refused with a clear message and nothing is saved; state files are private.

Bad inputs tried: NUL, carriage return, a unit separator and U+2028 in each text field of the profile."""

import os
import stat
from pathlib import Path

import pytest
from sqlmodel import Session

from models import Company
from services.campaign import companies
from services.demo.bootstrap import bootstrap
from services.platform import text
from services.platform.errors import ValidationError
from services.platform.settings import Settings, private_dir, resolve_cookie_key
from tests.integration.test_pledges import make_world

GOOD = companies.ProfileUpdate(
    site_lat=-6.18,
    site_lon=106.63,
    sector="Logistik",
    employees=300,
    contact_name="Sari",
    contact_email="csr@contoh.co.id",
    contact_phone="021-5551234",
    show_amount=True,
    address="Jl. Daan Mogot 1",
)


@pytest.mark.parametrize("field", ["sector", "contact_name", "address", "contact_email"])
@pytest.mark.parametrize("bad", ["\x00", "\r", "\x1f", "\u2028"])
def test_control_characters_in_the_profile_are_refused_and_nothing_is_saved(
    session: Session, field: str, bad: str
) -> None:
    w = make_world(session, workers=1)
    before = session.get(Company, w.company_id)
    assert before is not None
    old_value = getattr(before, field)
    update = companies.ProfileUpdate(**{**GOOD.__dict__, field: f"PT{bad}Jahat"})
    with pytest.raises(ValidationError, match="karakter tak terlihat"):
        companies.update_profile(session=session, actor=w.actor, company_id=w.company_id, update=update)
    session.rollback()
    session.expire_all()
    after = session.get(Company, w.company_id)
    assert after is not None and getattr(after, field) == old_value


def test_multiline_fields_may_hold_line_breaks_but_not_nul() -> None:
    assert text.require_clean("baris 1\nbaris 2\tx", label="Catatan", multiline=True)
    with pytest.raises(ValidationError, match="Catatan berisi karakter tak terlihat"):
        text.require_clean("a\x00b", label="Catatan", multiline=True)
    assert text.control_character_problem(None, label="x") is None


def test_state_files_are_private(tmp_path: Path) -> None:
    state_dir = private_dir(tmp_path / "var")
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    db = state_dir / "payung.db"
    old_umask = os.umask(0o022)  # as on a default server: new files world-readable unless made private
    try:
        bootstrap(url=f"sqlite:///{db}", demo=False)
        key = resolve_cookie_key(
            settings=Settings(database_url="", demo=True, cookie_name="c", cookie_expiry_days=1, seed=1),
            configured=None,
            key_file=state_dir / "kunci" / "cookie_key",
        )
    finally:
        os.umask(old_umask)
    assert key
    for path in state_dir.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))  # nothing readable by group or others
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
