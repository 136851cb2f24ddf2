"""The login form. Ours, not streamlit-authenticator's: the password is checked by `auth.attempt_login`
(throttled per username and client, one answer for every failure); on success the library's session keys
and signed cookie are set exactly as its own form would, so cookie restore and logout keep working."""

import os

import streamlit as st
import streamlit_authenticator as stauth
from streamlit.runtime.scriptrunner import get_script_run_ctx

from services.platform import auth, throttle
from services.platform.settings import get_settings, resolve_cookie_key
from ui import state


def client_address() -> str | None:
    """The browser's address: behind our proxy the right-most X-Forwarded-For entry (the one the proxy added;
    entries to its left are whatever the client sent), otherwise the socket's peer."""
    if get_settings().behind_proxy:
        forwarded = st.context.headers.get("X-Forwarded-For", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return st.context.ip_address


def configured_cookie_key() -> str | None:
    """The cookie key as configured (environment first, then secrets.toml), before `resolve_cookie_key` checks it."""
    try:
        return os.environ.get("PAYUNG_COOKIE_KEY") or st.secrets.get("cookie_key")
    except FileNotFoundError:  # no secrets.toml: StreamlitSecretNotFoundError
        return None


def this_client() -> str:
    """This browser's throttle key, as the login form computes it: every password check shares its counters."""
    key = resolve_cookie_key(settings=get_settings(), configured=configured_cookie_key())
    address = client_address()
    return throttle.client_key(address if isinstance(address, str) else None, secret=key)  # no address: tests


def requested_page() -> str | None:
    """The URL path the browser asked for in this run (a deep link or bookmark), before st.navigation resolves
    it — Streamlit keeps it on the run's page manager."""
    ctx = get_script_run_ctx()
    return ctx.pages_manager.intended_page_name if ctx is not None else None


def login_form(authenticator: stauth.Authenticate, *, cookie_key: str) -> None:
    with st.form("masuk"):
        st.subheader("Masuk")
        username = st.text_input("Nama pengguna", autocomplete="username", max_chars=60)
        password = st.text_input("Kata sandi", type="password", autocomplete="current-password", max_chars=200)
        submitted = st.form_submit_button("Masuk")
    if not submitted:
        return
    client = throttle.client_key(client_address(), secret=cookie_key)
    outcome = state.act(auth.attempt_login, username=username, password=password, client=client)
    if outcome is None:  # the database stayed busy: the message is shown, the form keeps what was typed
        return
    if not outcome.ok:
        st.session_state["authentication_status"] = False
        st.error(outcome.message)
        return
    st.session_state.update(
        authentication_status=True, username=username.strip(), name=username.strip(), email=None, roles=None
    )
    authenticator.cookie_controller.set_cookie()
