"""The UI edge: one engine per process (cached), one Session per interaction, the acting user in session state."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.demo.bootstrap import bootstrap
from services.platform.authz import Actor
from services.platform.db import make_engine
from services.platform.errors import PayungError
from services.platform.settings import get_settings

T = TypeVar("T")
ACTOR_KEY = "payung_actor"
VERSION_KEY = "payung_session_version"
FINGERPRINT_KEY = "payung_password_fingerprint"


@st.cache_resource(show_spinner="Menyiapkan basis data…")
def engine() -> Engine:
    url = get_settings().database_url
    bootstrap(url=url)  # migrate; seed the demo into an empty database (idempotent, fast when done)
    return make_engine(url)


@contextmanager
def db() -> Iterator[Session]:
    with Session(engine(), expire_on_commit=False) as session:
        yield session


def load(service: Callable[..., T], /, **kwargs: Any) -> T:
    """Run one service query in its own Session. A domain error is shown (Indonesian) and stops the page."""
    try:
        with db() as session:
            return service(session=session, **kwargs)
    except PayungError as exc:
        st.error(str(exc))
        st.stop()
        raise  # unreachable: st.stop() raises; keeps type checkers content


def act(service: Callable[..., T], /, **kwargs: Any) -> T | None:
    """Run one service command in its own Session. On a domain error show it (Indonesian) and return None,
    so the form stays as the user filled it."""
    try:
        with db() as session:
            return service(session=session, **kwargs)
    except PayungError as exc:
        st.error(str(exc))
        return None


def actor() -> Actor | None:
    return st.session_state.get(ACTOR_KEY)


def sign_in(grant_actor: Actor, version: int, fingerprint: str = "") -> None:
    st.session_state[ACTOR_KEY] = grant_actor
    st.session_state[VERSION_KEY] = version
    st.session_state[FINGERPRINT_KEY] = fingerprint


def sign_out() -> None:
    for key in (ACTOR_KEY, VERSION_KEY, FINGERPRINT_KEY):
        st.session_state.pop(key, None)


def require(*roles: str) -> Actor:
    """Stop the page unless the acting user has one of the roles (the services check again)."""
    current = actor()
    if current is None or current.role not in roles:
        st.error("Halaman ini memerlukan login dengan peran yang sesuai. Silakan masuk lewat menu **Masuk**.")
        st.stop()
    assert current is not None
    return current
