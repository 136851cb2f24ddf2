"""Payung — router and frame only: page config, login, role-filtered navigation, run the page."""

import os

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities import LoginError

from models import Role
from services import auth
from services.errors import AccessDenied, PayungError
from services.seed import DEMO_ACCOUNTS, DEMO_PASSWORDS
from services.settings import get_settings, resolve_cookie_key
from ui import state

st.set_page_config(page_title="Payung — Perlindungan Pekerja Rentan Kota Tangerang", page_icon="☂️", layout="wide")

settings = get_settings()
try:
    configured_key = os.environ.get("PAYUNG_COOKIE_KEY") or st.secrets.get("cookie_key")
except FileNotFoundError:  # no secrets.toml: StreamlitSecretNotFoundError
    configured_key = None
try:
    cookie_key = resolve_cookie_key(settings=settings, configured=configured_key)
except PayungError as exc:
    st.error(f"Payung belum dapat dijalankan: {exc}")
    st.stop()

state.engine()
with state.db() as s:
    credentials = auth.authenticator_credentials(session=s)
authenticator = stauth.Authenticate(
    credentials, settings.cookie_name, cookie_key, settings.cookie_expiry_days, auto_hash=False, login_sleep_time=0
)


def _admit(username: str, via_cookie: bool) -> None:
    issued = auth.cookie_issued_at(
        st.context.cookies.get(settings.cookie_name), key=cookie_key, expiry_days=settings.cookie_expiry_days
    )
    try:
        with state.db() as s:
            grant = auth.start_session(session=s, username=username, via_cookie=via_cookie, cookie_issued=issued)
    except AccessDenied as exc:
        authenticator.logout(location="unrendered")
        state.sign_out()
        st.warning(str(exc))
        return
    state.sign_in(grant.actor, grant.session_version)


# Restore a session from the signed cookie (no widget drawn), then apply our own server-side checks.
try:
    authenticator.login(location="unrendered", max_login_attempts=auth.MAX_FAILED_ATTEMPTS)
except LoginError:
    authenticator.logout(location="unrendered")
if st.session_state.get("authentication_status") and state.actor() is None:
    _admit(st.session_state["username"], via_cookie=True)
current = state.actor()
if current is not None:
    with state.db() as s:
        still_valid = auth.session_is_valid(
            session=s, user_id=current.user_id, session_version=st.session_state.get(state.VERSION_KEY, -1)
        )
    if not still_valid:
        authenticator.logout(location="unrendered")
        state.sign_out()
        current = None
        st.warning("Sesi Anda sudah berakhir. Silakan masuk lagi.")


def login_page() -> None:
    st.title("Masuk ke Payung")
    st.caption("Untuk perusahaan penerima surat edaran dan petugas Pemerintah Kota Tangerang.")
    fields = {"Form name": "Masuk", "Username": "Nama pengguna", "Password": "Kata sandi", "Login": "Masuk"}
    try:
        authenticator.login(location="main", fields=fields, max_login_attempts=auth.MAX_FAILED_ATTEMPTS, key="masuk")
    except LoginError:
        st.error("Akun dikunci sementara karena terlalu banyak percobaan salah. Coba lagi 15 menit lagi.")
        return
    status = st.session_state.get("authentication_status")
    if status:
        _admit(st.session_state["username"], via_cookie=False)
        if state.actor() is not None:
            st.rerun()
    elif status is False:
        failed = auth.failed_usernames(credentials)
        if failed:
            with state.db() as s:
                st.error(auth.record_failed_login(session=s, username=failed[0]))
        else:
            st.error("Nama pengguna atau kata sandi salah. Periksa kembali, perhatikan huruf besar/kecil.")
    st.info("Belum punya akun? Akun perusahaan dibuat oleh Disnaker untuk setiap penerima surat edaran.")
    if settings.demo:
        with st.expander("Mode demo: akun untuk mencoba"):
            st.markdown(
                "Data demo sintetis, bukan data sebenarnya.\n\n"
                "| peran | nama pengguna | kata sandi |\n|---|---|---|\n"
                + "\n".join(f"| {label} | `{user}` | `{DEMO_PASSWORDS[role]}` |" for label, user, role in DEMO_ACCOUNTS)
            )


def _on_logout(_info: dict) -> None:
    actor = state.actor()
    if actor is not None:
        with state.db() as s:
            auth.end_session(session=s, actor=actor)
    state.sign_out()


public_home = st.Page(
    "pages/public_home.py", title="Beranda", icon=":material/umbrella:", url_path="beranda", default=current is None
)
city_overview = st.Page(
    "pages/city_overview.py", title="Ringkasan kota", icon=":material/monitoring:", url_path="ringkasan", default=True
)


def company_pages() -> list:
    return [
        st.Page(
            "pages/company_home.py",
            title="Beranda perusahaan",
            icon=":material/apartment:",
            url_path="perusahaan",
            default=True,
        ),
        st.Page("pages/company_pledge.py", title="Buat ikrar", icon=":material/edit_note:", url_path="ikrar-baru"),
        st.Page("pages/company_pledges.py", title="Ikrar saya", icon=":material/list_alt:", url_path="ikrar"),
        st.Page("pages/company_report.py", title="Laporan dampak", icon=":material/description:", url_path="laporan"),
        st.Page("pages/company_profile.py", title="Profil perusahaan", icon=":material/factory:", url_path="profil"),
    ]


def admin_pages() -> list:
    return [
        city_overview,
        st.Page("pages/admin_matching.py", title="Pencocokan", icon=":material/join_inner:", url_path="pencocokan"),
        st.Page("pages/admin_audit.py", title="Log audit", icon=":material/receipt_long:", url_path="audit"),
    ]


# The page list is built per role: a page a role may not use is never registered for it.
if current is None:
    pages: dict[str, list] = {
        "Payung": [public_home, st.Page(login_page, title="Masuk", icon=":material/login:", url_path="masuk")]
    }
elif current.role == Role.COMPANY:
    pages = {"Perusahaan": company_pages(), "Publik": [public_home]}
elif current.role == Role.ADMIN:
    pages = {"Kota": admin_pages(), "Publik": [public_home]}
else:
    pages = {"Kota": [city_overview], "Publik": [public_home]}

pg = st.navigation(pages)
with st.sidebar:
    if current is not None:
        role_label = {Role.ADMIN: "Admin kota", Role.VIEWER: "Pemantau kota", Role.COMPANY: "Perusahaan"}[current.role]
        st.markdown(f"**{current.display_name}**  \n{role_label}")
        authenticator.logout("Keluar", location="sidebar", key="payung_keluar", callback=_on_logout)
    st.caption("Payung · Pemerintah Kota Tangerang · Data pribadi dilindungi UU PDP")
pg.run()
