"""Payung — router and frame only: page config, login, role-filtered navigation, run the page."""

import streamlit as st
import streamlit_authenticator as stauth
from streamlit.navigation.page import StreamlitPage
from streamlit_authenticator.utilities import LoginError

from models import Role
from services.campaign import accounts
from services.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORDS
from services.platform import auth, authz, dataversion
from services.platform.authz import Actor
from services.platform.errors import AccessDenied, DatabaseBusy, PayungError
from services.platform.settings import get_settings, resolve_cookie_key
from ui import errors, locale_css, login, state, text

st.set_page_config(page_title="Payung — Perlindungan Pekerja Rentan Kota Tangerang", page_icon="☂️", layout="wide")

settings = get_settings()
try:
    cookie_key = resolve_cookie_key(settings=settings, configured=login.configured_cookie_key())
except PayungError as exc:
    st.error(f"Payung belum dapat dijalankan: {exc}")
    st.stop()

state.engine()
with state.db(write=False) as s:
    credentials = auth.authenticator_credentials(session=s)
authenticator = stauth.Authenticate(
    credentials, settings.cookie_name, cookie_key, settings.cookie_expiry_days, auto_hash=False, login_sleep_time=0
)


def _admit(username: str, via_cookie: bool) -> None:
    issued = auth.cookie_issued_at(
        st.context.cookies.get(settings.cookie_name), key=cookie_key, expiry_days=settings.cookie_expiry_days
    )
    try:
        grant = state.write(auth.start_session, username=username, via_cookie=via_cookie, cookie_issued=issued)
    except DatabaseBusy as exc:  # the next run admits again (the login itself stands)
        st.warning(str(exc))
        return
    except AccessDenied as exc:
        authenticator.logout(location="unrendered")
        state.sign_out()
        st.warning(str(exc))
        return
    state.sign_in(grant.actor, grant.session_version, grant.password_fingerprint)


def _forget_refused_cookie() -> None:
    """A signed cookie the library refuses (its user was deactivated or removed): drop it and continue as a
    visitor. Calling the library's logout here would raise LogoutError, since nobody is logged in."""
    authenticator.cookie_controller.delete_cookie()
    for key in ("name", "username", "authentication_status", "email", "roles"):
        st.session_state[key] = None
    st.session_state["logout"] = True  # the library reads the cookie no more in this browser session
    state.sign_out()


# Restore a session from the signed cookie (no widget drawn), then apply our own server-side checks.
try:
    authenticator.login(location="unrendered", max_login_attempts=auth.MAX_FAILED_ATTEMPTS)
except LoginError:
    _forget_refused_cookie()
if st.session_state.get("authentication_status") and state.actor() is None:
    _admit(st.session_state["username"], via_cookie=True)
current = state.actor()
if current is not None:
    with state.db(write=False) as s:
        still_valid = auth.session_is_valid(
            session=s,
            user_id=current.user_id,
            session_version=st.session_state.get(state.VERSION_KEY, -1),
            password_fingerprint=st.session_state.get(state.FINGERPRINT_KEY),
        )
    if not still_valid:
        authenticator.logout(location="unrendered")
        state.sign_out()
        current = None
        st.warning("Sesi Anda sudah berakhir. Silakan masuk lagi.")
must_change_password = False
if current is not None:
    if st.session_state.pop(state.REISSUE_COOKIE_KEY, False):
        authenticator.cookie_controller.set_cookie()  # after a password change: a cookie issued after the revocation
    with state.db(write=False) as s:
        must_change_password = accounts.must_change_password(session=s, user_id=current.user_id)


def login_page() -> None:
    asked = _asked_for()
    st.title("Masuk ke Payung")
    if asked:  # a bookmark or deep link opened while logged out: after the login the same URL shows that page
        st.info(f"Silakan masuk untuk membuka halaman **{asked}**.")
    st.caption("Untuk perusahaan penerima surat edaran dan petugas Pemerintah Kota Tangerang.")
    login.login_form(authenticator, cookie_key=cookie_key)
    if st.session_state.get("authentication_status"):
        _admit(st.session_state["username"], via_cookie=False)
        if state.actor() is not None:
            st.rerun()  # same URL: a deep link now resolves to the page asked for
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


# One row per screen: script, title, icon, URL (stable: users bookmark them), the roles that may open it.
# The page list is built per role: a page a role may not use is never registered for it.
PUBLIC, COMPANY, ADMIN, VIEWER, BRANCH = "public", Role.COMPANY, Role.ADMIN, Role.VIEWER, Role.BRANCH
CITY = (ADMIN, VIEWER)
PAGES: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    ("pages/company/home.py", "Beranda perusahaan", ":material/apartment:", "perusahaan", (COMPANY,)),
    ("pages/company/pledge.py", "Buat ikrar", ":material/edit_note:", "ikrar-baru", (COMPANY,)),
    ("pages/company/pledges.py", "Ikrar saya", ":material/list_alt:", "ikrar", (COMPANY,)),
    ("pages/company/report.py", "Laporan dampak", ":material/description:", "laporan", (COMPANY,)),
    ("pages/company/profile.py", "Profil perusahaan", ":material/factory:", "profil", (COMPANY,)),
    ("pages/city/overview.py", "Ringkasan kota", ":material/monitoring:", "ringkasan", CITY),
    ("pages/city/report.py", "Laporan triwulan", ":material/summarize:", "laporan-kota", CITY),
    ("pages/city/matching.py", "Pencocokan", ":material/join_inner:", "pencocokan", (ADMIN,)),
    ("pages/city/allocation.py", "Alokasi APBD", ":material/account_balance:", "alokasi-apbd", (ADMIN,)),
    ("pages/city/registry.py", "Registri pekerja", ":material/groups:", "registri", (ADMIN,)),
    ("pages/city/worker.py", "Data pekerja", ":material/person_search:", "pekerja", (ADMIN,)),
    ("pages/city/import_workers.py", "Impor pekerja", ":material/upload_file:", "impor-pekerja", (ADMIN,)),
    ("pages/city/bpjs.py", "Pendaftaran BPJS", ":material/badge:", "bpjs", (ADMIN,)),
    ("pages/city/expiring.py", "Masa perlindungan", ":material/event_busy:", "masa-perlindungan", CITY),
    ("pages/city/audit.py", "Log audit", ":material/receipt_long:", "audit", (ADMIN,)),
    ("pages/city/letter.py", "Surat edaran", ":material/mail:", "surat", CITY),
    ("pages/city/recipients.py", "Impor penerima", ":material/upload_file:", "impor-penerima", (ADMIN,)),
    ("pages/city/responses.py", "Tanggapan", ":material/fact_check:", "tanggapan", (ADMIN,)),
    ("pages/city/chasing.py", "Belum menjawab", ":material/phone_in_talk:", "belum-menjawab", (ADMIN,)),
    ("pages/city/escalation.py", "Eskalasi", ":material/priority_high:", "eskalasi", CITY),
    ("pages/city/outbox.py", "Kotak keluar", ":material/outbox:", "kotak-keluar", (ADMIN,)),
    ("pages/city/users.py", "Pengguna", ":material/manage_accounts:", "pengguna", (ADMIN,)),
    ("pages/city/branch.py", "Meja cabang BPJS", ":material/badge:", "cabang", (BRANCH, ADMIN)),
    ("pages/city/claims.py", "Klaim JKK/JKM", ":material/health_and_safety:", "klaim", (BRANCH, ADMIN)),
    (
        "pages/public/password.py",
        "Ganti kata sandi",
        ":material/password:",
        "kata-sandi",
        (COMPANY, ADMIN, VIEWER, BRANCH),
    ),
    ("pages/public/home.py", "Beranda", ":material/umbrella:", "beranda", (PUBLIC, COMPANY, ADMIN, VIEWER, BRANCH)),
    (
        "pages/public/company.py",
        "Perusahaan",
        ":material/apartment:",
        "perusahaan-publik",
        (PUBLIC, COMPANY, ADMIN, VIEWER, BRANCH),
    ),
    (
        "pages/public/definitions.py",
        "Definisi angka",
        ":material/menu_book:",
        "definisi-angka",
        (PUBLIC, COMPANY, ADMIN, VIEWER),
    ),
]
# Pages reached by a link (with ?id=...), not from the menu.
HIDDEN_URLS = {"perusahaan-publik"}
SECTION = {COMPANY: "Perusahaan", ADMIN: "Kota", VIEWER: "Kota", BRANCH: "Cabang BPJS"}
PASSWORD_URL = "kata-sandi"
START_URL = "mulai"  # the hidden default page's own path (served at `/`; never linked)


def _asked_for() -> str | None:
    """The title of the page a hidden route stands for (a deep link), or None on the login page itself."""
    return next((title for _s, title, _i, url, _r in PAGES if url == pg.url_path), None)


def not_for_role() -> None:
    """A page this role may not open (a bookmark from another account, a pasted URL): say so, in Indonesian."""
    title = _asked_for() or "ini"
    st.title("Halaman tidak tersedia")
    st.warning(f"Halaman **{title}** tidak tersedia untuk akun Anda. Pilih halaman lain di menu samping.")
    st.page_link(pg_home, label="Ke halaman utama akun Anda", icon=":material/home:")


def already_signed_in() -> None:
    st.switch_page(pg_home)


def pages_for(role: str) -> dict[str, list]:
    """The navigation of one role: its own section first (its first page is its home), then the public pages.
    Every other URL of the PAGES table stays registered as a hidden route, so a bookmark never meets Streamlit's
    English "Page not found": logged out it shows the login (then the page asked for), logged in a notice.
    Streamlit serves the default page at `/` and answers a link to the default's own path with that English
    dialog, so the default is a hidden copy of the home at a path nobody links to: every menu page, the home
    included, opens at its own URL."""
    sections: dict[str, list] = {}
    hidden: list = []
    for script, title, icon, url, roles in PAGES:
        if role not in roles:
            route = login_page if role == PUBLIC else not_for_role
            hidden.append(st.Page(route, title=title, icon=icon, url_path=url, visibility="hidden"))
            continue
        section = "Publik" if "public" in script and role != PUBLIC else SECTION.get(role, "Payung")
        section = "Akun" if url == PASSWORD_URL else section
        visibility = "hidden" if url in HIDDEN_URLS else "visible"
        sections.setdefault(section, []).append(
            st.Page(script, title=title, icon=icon, url_path=url, visibility=visibility)
        )
    if role == PUBLIC:
        sections["Payung"].append(st.Page(login_page, title="Masuk", icon=":material/login:", url_path="masuk"))
    else:
        hidden.append(st.Page(already_signed_in, title="Masuk", url_path="masuk", visibility="hidden"))
    first = next(iter(sections))
    sections[first] = [*sections[first], _start_page(sections[first][0]), *hidden]
    return sections


def _start_page(home: StreamlitPage) -> StreamlitPage:
    """The role's home once more, as the hidden default served at `/`."""
    return st.Page(home._page, title=home.title, icon=home.icon, url_path=START_URL, default=True, visibility="hidden")


def password_only(pages: dict[str, list]) -> dict[str, list]:
    """A one-time password: nothing else opens until the user has chosen a password; every URL shows that form."""
    script = next(p for p in pages["Akun"] if p.url_path == PASSWORD_URL)._page
    routes = [st.Page(script, title="Ganti kata sandi", url_path=PASSWORD_URL)]
    routes.append(st.Page(script, title="Ganti kata sandi", url_path=START_URL, default=True, visibility="hidden"))
    routes += [
        st.Page(script, title="Ganti kata sandi", url_path=url, visibility="hidden")
        for *_rest, url, _roles in PAGES
        if url != PASSWORD_URL
    ]
    routes.append(st.Page(already_signed_in, title="Masuk", url_path="masuk", visibility="hidden"))
    return {"Akun": routes}


def _audit_refused_page(actor: Actor | None) -> None:
    """A signed-in user's URL naming a page of another role: not registered for them, so refused — audited here."""
    asked = login.requested_page()
    if actor is None or not asked:
        return
    allowed = {url for _, _, _, url, roles in PAGES if actor.role in roles}
    if asked in {url for _, _, _, url, _ in PAGES} - allowed:
        with state.db() as s:
            authz.record_refused_page(session=s, actor=actor, page=asked)


_audit_refused_page(current)
pages = pages_for(PUBLIC if current is None else current.role)
if must_change_password:
    pages = password_only(pages)
pg_home = next(iter(pages.values()))[0]  # the role's home: the first page of its menu
pg = st.navigation(pages, expanded=True)  # every page in the menu (not 10 and an English "View N more")
state.write_login_cookie()  # before the page: a page that reruns or stops cannot lose the login cookie
locale_css.indonesian_widgets()
with st.sidebar:
    if current is not None:
        role_label = {Role.ADMIN: "Admin kota", Role.VIEWER: "Pemantau kota", Role.COMPANY: "Perusahaan"}.get(
            current.role, "Petugas cabang BPJS"
        )
        st.markdown(f"**{text.md(current.display_name)}**  \n{role_label}")
        authenticator.logout("Keluar", location="sidebar", key="payung_keluar", callback=_on_logout)
        if state.actor() is None:  # just logged out: the public page and menu (the frame deletes the cookie)
            st.switch_page("pages/public/home.py")
    st.caption("Payung · Pemerintah Kota Tangerang · Data pribadi dilindungi UU PDP")


def _run_page() -> None:
    """Run the chosen page. An unexpected error shows a generic message with a reference number; its detail
    goes to the log only. st.stop()/st.rerun() raise BaseExceptions and pass through untouched."""
    dataversion.written_here()  # what an earlier run in this thread wrote is not this run's
    try:
        pg.run()
    except Exception as exc:
        errors.show_unexpected(exc, where=pg.url_path)
    finally:  # also when the page reruns or stops after its write
        state.remember_own_writes()


_run_page()
