"""AppTest fixtures: one small seeded demo database (SQLite) shared by the page tests of a run.

With st.navigation, AppTest loses widgets drawn by the entrypoint after the first run (Streamlit 1.66+), so
pages are tested by running the page file itself with the acting user put in session state.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import User
from services.campaign import password_store
from services.demo.bootstrap import bootstrap
from services.platform.authz import Actor
from services.platform.db import make_engine
from ui import state

ROOT = Path(__file__).resolve().parents[2]
DEMO_WORKERS = 3_000


@pytest.fixture(scope="session")
def demo_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('ui') / 'demo.db'}"
    bootstrap(url=url, demo=True, n_workers=DEMO_WORKERS, seed=14422)
    return url


@pytest.fixture(autouse=True)
def no_waiting_passwords() -> Iterator[None]:
    """One-time passwords wait in the process's memory per admin: each page test starts and ends without any."""
    password_store._by_owner.clear()  # noqa: SLF001
    yield
    password_store._by_owner.clear()  # noqa: SLF001


@pytest.fixture
def demo_env(demo_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", demo_db_url)
    monkeypatch.setenv("PAYUNG_COOKIE_KEY", "uji-" + "k" * 40)
    _new_process()
    yield demo_db_url
    _new_process()


def _new_process() -> None:
    """Each page test runs as in a fresh server process: no cached figures, and no dashboard versions shown (kept
    with them, they would hold a test to figures an earlier test's viewer was shown within REFRESH_S)."""
    from ui import insight as view

    st.cache_resource.clear()
    st.cache_data.clear()
    with view._shown_lock:  # noqa: SLF001
        view._shown.clear()  # noqa: SLF001
        view._probed.clear()  # noqa: SLF001


@pytest.fixture
def actor_for(demo_db_url: str) -> Callable[[str], Actor]:
    engine = make_engine(demo_db_url)

    def _actor(username: str) -> Actor:
        with Session(engine) as s:
            u = s.exec(select(User).where(User.username == username)).one()
            return Actor(
                user_id=u.id,
                username=u.username,
                role=u.role,
                company_id=u.company_id,
                display_name=u.display_name,
                branch=u.branch,
            )

    return _actor


@pytest.fixture
def page(demo_env: str) -> Callable[..., AppTest]:
    """Run a page file (absolute path) as `actor`; returns the finished AppTest."""

    def _run(name: str, actor: Actor | None = None, timeout: float = 30) -> AppTest:
        at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=timeout)
        if actor is not None:
            at.session_state[state.ACTOR_KEY] = actor
            at.session_state[state.VERSION_KEY] = 0
        return at.run()

    return _run


def all_text(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "error", "warning"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    parts.extend(f"{m.label} {m.value}" for m in at.metric)
    return "\n".join(parts)


os.environ.setdefault("PAYUNG_DEMO", "true")
