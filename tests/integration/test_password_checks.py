"""Issue 23, item 3: every password check is throttled like login (SQLite and PostgreSQL).

Bad inputs tried: 20 wrong current passwords typed into *Ganti kata sandi* one after another (the probe's 8,2 s
burst) and 20 at the same moment from one client, then the right one; before the fix all 20 were compared and
the 21st changed the password. Now at most 5 are compared, the right one is refused while the client is blocked,
every try is audited, and the login form and the change form share one allowance."""

import datetime as dt
import threading
from collections.abc import Iterator

import bcrypt
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models import AuditLog, User
from models.common import utcnow
from services.campaign import accounts
from services.platform import auth
from services.platform.authz import Actor
from services.platform.errors import ValidationError
from tests import factories as f

NEW = "Sandi-Baru-2026-x"


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every bcrypt comparison against a real account's hash (the dummy hash of refused tries not counted)."""
    seen: list[str] = []
    real = auth._check_password

    def counting(password: str, password_hash: str) -> bool:
        if password_hash != auth._DUMMY_HASH:
            seen.append(password)
        return real(password, password_hash)

    monkeypatch.setattr(auth, "_check_password", counting)
    # Refused tries compare against the dummy hash for timing's sake; a cheap one keeps this test fast (timing
    # equality is test_login_hardening's business).
    monkeypatch.setattr(auth, "_DUMMY_HASH", bcrypt.hashpw(b"-", bcrypt.gensalt(rounds=4)).decode())
    yield seen


def _rani(engine: Engine) -> tuple[Actor, str]:
    with Session(engine) as s:
        user = f.user(s, username="rani")
        s.commit()
        return f.actor_of(user), user.password_hash


def _change(engine: Engine, actor: Actor, current: str, *, now: dt.datetime | None = None) -> str:
    with Session(engine) as s:
        try:
            if now is not None:  # the burst: each try a few hundred milliseconds after the last
                auth.confirm_password(session=s, actor=actor, password=current, client="sama", purpose="t", now=now)
                return "ok"
            accounts.change_password(session=s, actor=actor, current=current, new=NEW, repeat=NEW, client="sama")
            return "ok"
        except ValidationError as exc:
            return str(exc)


def test_twenty_wrong_current_passwords_are_compared_at_most_five_times(engine: Engine, compared: list[str]) -> None:
    actor, old_hash = _rani(engine)
    t0 = utcnow()
    answers = [_change(engine, actor, f"tebakan-{i}", now=t0 + dt.timedelta(seconds=0.41 * i)) for i in range(20)]
    assert len(compared) <= auth.MAX_FAILED_ATTEMPTS
    assert answers[0] == auth.PASSWORD_WRONG_MESSAGE and all(a != "ok" for a in answers)
    assert "Terlalu banyak percobaan" in answers[-1]
    # the 21st try, with the right password, from the same client: refused, the password unchanged
    assert "Terlalu banyak percobaan" in _change(engine, actor, f.PASSWORD)
    with Session(engine) as s:
        assert s.exec(select(User.password_hash).where(User.username == "rani")).one() == old_hash
        actions = list(s.exec(select(AuditLog.action).where(AuditLog.action.like("password.%"))).all())  # type: ignore[attr-defined]
    assert actions.count("password.failed") == len(compared) and len(actions) == 21  # every try audited
    assert actions.count("password.throttled") == 21 - len(compared)


def test_a_parallel_wave_on_the_change_form_is_compared_at_most_five_times(engine: Engine, compared: list[str]) -> None:
    actor, _ = _rani(engine)
    barrier = threading.Barrier(12)
    answers: list[str] = []
    lock = threading.Lock()

    def press(i: int) -> None:
        barrier.wait()
        answer = _change(engine, actor, f"tebakan-{i}")
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=press, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == 12 and "ok" not in answers
    assert 1 <= len(compared) <= auth.MAX_FAILED_ATTEMPTS


def test_login_and_the_change_form_share_one_allowance(engine: Engine, compared: list[str]) -> None:
    actor, _ = _rani(engine)
    t0 = utcnow()
    for i in range(3):
        with Session(engine) as s:
            auth.attempt_login(
                session=s, username="rani", password="salah", client="sama", now=t0 + dt.timedelta(seconds=10 * i)
            )
    for i in range(5):
        _change(engine, actor, "salah", now=t0 + dt.timedelta(seconds=40 + 10 * i))
    assert len(compared) == auth.MAX_FAILED_ATTEMPTS
    # the right password typed into the change form from another client (the real user) is accepted
    with Session(engine) as s:
        user = auth.confirm_password(session=s, actor=actor, password=f.PASSWORD, client="rumah", purpose="t")
        assert user.username == "rani"


def test_no_password_is_compared_outside_the_throttled_path() -> None:
    """Guard for the class: bcrypt's comparison appears only in services/platform/auth.py, where every caller
    goes through the reservation (`_reserved_check`). A new form asking for a password must use
    `auth.confirm_password` (or `attempt_login`); one that calls bcrypt itself fails here."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    callers = sorted(
        str(path.relative_to(root))
        for folder in ("services", "ui", "pages")
        for path in (root / folder).rglob("*.py")
        if "checkpw" in path.read_text(encoding="utf-8")
    )
    assert callers == ["services/platform/auth.py"]
    source = (root / "services" / "platform" / "auth.py").read_text(encoding="utf-8")
    assert source.count("_check_password(") == 2  # its definition and its one call, inside _reserved_check
