"""The UI edge: one engine per process (cached), one Session per interaction, the acting user in session state."""

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import extra_streamlit_components as stx
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.runtime.scriptrunner import get_script_run_ctx

from services.demo.bootstrap import bootstrap
from services.platform import dataversion
from services.platform.authz import Actor
from services.platform.db import attempts_for, make_engine, reading, run_unit
from services.platform.errors import PayungError
from services.platform.settings import get_settings

T = TypeVar("T")
ACTOR_KEY = "payung_actor"
VERSION_KEY = "payung_session_version"
WROTE_KEY = "payung_wrote_version"  # the data version after this session's last write (it must see its own writes)
FINGERPRINT_KEY = "payung_password_fingerprint"
COOKIE_PENDING_KEY = "payung_cookie_pending"
REISSUE_COOKIE_KEY = "payung_reissue_cookie"  # set after a password change: the frame writes a fresh login cookie


@st.cache_resource(show_spinner="Menyiapkan basis data…")
def engine() -> Engine:
    url = get_settings().database_url
    bootstrap(url=url)  # migrate; seed the demo into an empty database (idempotent, fast when done)
    return make_engine(url)


def data_version() -> int:
    """The database's data version (`services.platform.dataversion`): the key of every cache of the read side; it
    moves with a write from this process, a CLI import or another replica."""
    return dataversion.data_version(engine())


@contextmanager
def db(*, write: bool = True) -> Iterator[Session]:
    """A Session for a block of page code. `write=False` for blocks that only read: on SQLite they never take the
    write lock (a write block does, at its first statement). Prefer `load`/`act`, which also retry a busy unit."""
    with Session(engine() if write else reading(engine()), expire_on_commit=False) as session:
        yield session


def load(service: Callable[..., T], /, **kwargs: Any) -> T:
    """Run one service query as a read unit (no write lock; run again if the database was busy, e.g. a query that
    writes an audit row met a writer). A domain error is shown (Indonesian) and stops the page."""
    try:
        return run_unit(engine(), lambda session: service(session=session, **kwargs), write=False)
    except PayungError as exc:
        st.error(str(exc))
        st.stop()
        raise  # unreachable: st.stop() raises; keeps type checkers content


def write(service: Callable[..., T], /, **kwargs: Any) -> T:
    """Run one service command as a write unit, run whole again while the database is busy; its domain errors
    (also DatabaseBusy once the retries are spent) reach the caller."""
    return run_unit(
        engine(), lambda session: service(session=session, **kwargs), write=True, attempts=attempts_for(service)
    )


def act(service: Callable[..., T], /, **kwargs: Any) -> T | None:
    """`write`, and on a domain error (also "busy, try again" once the retries are spent) show it (Indonesian) and
    return None, so the form stays as the user filled it."""
    try:
        return write(service, **kwargs)
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


class FrameCookies:
    """Stands in for extra-streamlit-components' CookieManager inside streamlit-authenticator (installed below).

    The library reads the login cookie from the request (`st.context.cookies`) but writes and deletes it through
    that component: an iframe drawn once, inside the login form or the logout button's run. Our rerun after a
    login removed it before its iframe had loaded, so most logins never reached the browser and a reload logged
    the user out; and its always-drawn "getAll" iframe reran every first page load once more when it answered.
    Here a write or delete is only remembered; the frame draws it on every run (`write_login_cookie`) until the
    session logs in or out again, so a page that reruns or stops cannot lose it.
    """

    def __init__(self, key: str = "init") -> None:
        self.cookies: dict[str, Any] = dict(st.context.cookies)

    def get(self, cookie: str) -> Any:
        return self.cookies.get(cookie)

    def get_all(self, key: str = "get_all") -> dict[str, Any]:
        return self.cookies

    def set(self, cookie: str, val: str, key: str = "set", expires_at: dt.datetime | None = None, **_: Any) -> None:
        expires = (expires_at or dt.datetime.now() + dt.timedelta(days=1)).astimezone(dt.UTC)
        st.session_state[COOKIE_PENDING_KEY] = {"name": cookie, "value": val, "expires": _http_date(expires)}
        self.cookies[cookie] = val

    def delete(self, cookie: str, key: str = "delete") -> None:
        st.session_state[COOKIE_PENDING_KEY] = {"name": cookie, "value": "", "expires": _http_date(_EPOCH)}
        self.cookies.pop(cookie, None)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
stx.CookieManager = FrameCookies  # type: ignore[misc]  # streamlit-authenticator builds it in Authenticate()


def _http_date(moment: dt.datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def write_login_cookie() -> None:
    """Called by the frame on every run, before the page: a tiny script (no iframe, it runs as soon as the
    element is inserted) writes or deletes the login cookie the library last asked for in this session."""
    pending = st.session_state.get(COOKIE_PENDING_KEY)
    if not pending:
        return
    # Only the library's values go into the script, JSON-quoted: our cookie name, a JWT or "", an HTTP date.
    cookie = json.dumps(f"{pending['name']}={pending['value']}; path=/; expires={pending['expires']}; SameSite=Strict")
    st.html(f"<script>document.cookie = {cookie};</script>", unsafe_allow_javascript=True, width=1)


def remember_own_writes() -> None:
    """After a page run: if it committed a write the figures count, the data version this session must see from
    now on (read-your-writes: an admin who ran an allocation sees it on the dashboard at once, while the crowd is
    served the figures being refreshed)."""
    if dataversion.written_here():
        st.session_state[WROTE_KEY] = data_version()


def own_write_version() -> int:
    """The data version of this session's last write, -1 if none (or outside a page run: warm-up, refresher)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return -1
    return int(st.session_state.get(WROTE_KEY, -1))
