"""In Chromium with an English browser (en-US): every page of every role, and the public pages logged in and out,
opens at its own URL with no dialog in any language, no English word from Streamlit's own strings, no "None",
"NaN" or dot decimal. A class guard (issue 22): pages added to app.py's PAGES later are walked too.

Also the navigation itself: a deep link opens its page logged in or out, the public pages stay in reach while
logged in, and the admin's menu shows all its pages.
"""

import ast
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from services.demo.seed import DEMO_PASSWORDS
from tests.e2e.conftest import ROOT, login_ok, wait_idle
from tests.ui.test_page_sweep import ROLE_NAMES

# Streamlit's built-in English strings a user can meet (menus, upload widget, dialogs, status, widgets).
STREAMLIT_ENGLISH = (
    "Page not found",
    "View more",
    "View less",
    "Drag and drop",
    "Browse files",
    "per file",
    "Upload",
    "Running the app",
    "Something went wrong",
    "Press Enter",
    "Choose an option",
    "No results",
    "Select all",
    "Show password",
    "Please wait",
    "Connecting",
    "Deploy",
    "Clear cache",
    "Rerun",
    "Stop",
)
ENGLISH = re.compile(r"\b(" + "|".join(re.escape(w) for w in STREAMLIT_ENGLISH) + r")\b|View \d+ more")
BAD_VALUE = re.compile(r"\b(None|NaN|nan|NaT|null|undefined)\b")
# A dot decimal: 1.92, 1.9, 0.5 (Indonesian writes 1,92; a dot groups thousands in threes: 1.234).
DOT_DECIMAL = re.compile(r"(?<![\d.,/:])\d+\.\d{1,2}(?![\d.,])")
USERS = {"public": None, "admin": "admin", "viewer": "walikota", "company": "panarub"}
PASSWORDS = {"admin": DEMO_PASSWORDS["admin"], "viewer": DEMO_PASSWORDS["viewer"], "company": DEMO_PASSWORDS["company"]}


def page_rows() -> list[tuple[str, str, tuple[str, ...]]]:
    """(url, title, roles) of every row of app.py's PAGES, read without running the app."""
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        target = getattr(node, "target", None)
        if isinstance(node, ast.AnnAssign) and isinstance(target, ast.Name) and target.id == "PAGES":
            assert isinstance(node.value, ast.List)
            rows = []
            for row in node.value.elts:
                assert isinstance(row, ast.Tuple)
                title, url = ast.literal_eval(row.elts[1]), ast.literal_eval(row.elts[3])
                roles_node = row.elts[-1]
                names = roles_node.elts if isinstance(roles_node, ast.Tuple) else [roles_node]
                roles = tuple(str(r) for n in names for r in ROLE_NAMES[n.id])  # type: ignore[attr-defined]
                rows.append((url, title, roles))
            return rows
    raise AssertionError("PAGES not found in app.py")


@pytest.fixture
def english(browser: Browser, app_url: str) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US", accept_downloads=True)
    context.set_default_timeout(30_000)
    yield context
    context.close()


def problems_on(page: Page) -> list[str]:
    """Everything wrong on the page as shown: a dialog, English, a missing value, a dot decimal."""
    wait_idle(page)
    found = []
    if page.get_by_role("dialog").count():
        found.append("dialog: " + page.get_by_role("dialog").first.inner_text()[:200])
    shown = page.locator("body").inner_text()
    for pattern in (ENGLISH, BAD_VALUE, DOT_DECIMAL):
        for match in pattern.finditer(shown):
            context = shown[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
            found.append(f"{match.group(0)!r} in …{context}…")
    return found


def open_url(page: Page, app_url: str, url: str) -> None:
    page.goto(f"{app_url}/{url}")
    wait_idle(page)


def test_every_page_of_every_role_in_an_english_browser(english: BrowserContext, app_url: str) -> None:
    rows = page_rows()
    seen: dict[str, list[str]] = {}
    for role, username in USERS.items():
        page = english.new_page()
        if username is not None:
            login_ok(page, app_url, username, PASSWORDS[role])
        own = [(url, title) for url, title, roles in rows if role in roles]
        for url, title in own:
            open_url(page, app_url, url if url != "perusahaan-publik" else "beranda")
            if url == "perusahaan-publik":  # reached by a link from the leaderboard
                page.locator("table.payung-ranking a").first.click()
                wait_idle(page)
            else:
                expect(page).to_have_url(re.compile(rf"/{url}$"))
                expect(page.get_by_role("heading", name=re.compile(re.escape(title.split()[0]), re.I)).first)
            found = problems_on(page)
            if found:
                seen[f"{role} /{url}"] = found
        if username is not None:
            page.get_by_role("button", name="Keluar").click()
            wait_idle(page)
        page.close()
    assert not seen, "\n".join(f"{where}: {found}" for where, found in seen.items())


def test_deep_links_open_their_page_logged_in_or_out(page: Page, app_url: str) -> None:
    open_url(page, app_url, "")  # the root: the public home
    expect(page.get_by_role("heading", name="Capaian kota")).to_be_visible()
    page.locator("table.payung-ranking a").first.wait_for()
    open_url(page, app_url, "beranda")  # the public home by its own name, logged out
    expect(page.get_by_role("heading", name="Capaian kota")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    open_url(page, app_url, "ringkasan")  # a city page, logged out: the login, then that page
    expect(page.get_by_text("Silakan masuk untuk membuka halaman Ringkasan kota")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    login_ok(page, app_url, "admin", DEMO_PASSWORDS["admin"])
    for url, heading in (("ringkasan", "Ringkasan kota"), ("tanggapan", "Tanggapan"), ("", "Ringkasan kota")):
        for _load in range(2):
            open_url(page, app_url, url)
            expect(page.get_by_role("heading", name=heading).first).to_be_visible()
            expect(page.get_by_role("dialog")).to_have_count(0)
            expect(page.get_by_text("Page not found")).to_have_count(0)


def test_public_pages_in_reach_and_the_whole_menu_while_logged_in(page: Page, app_url: str) -> None:
    login_ok(page, app_url, "admin", DEMO_PASSWORDS["admin"])
    nav = page.get_by_test_id("stSidebarNav")
    admin_titles = [title for url, title, roles in page_rows() if "admin" in roles and url != "perusahaan-publik"]
    for title in admin_titles:  # all of them, no English "View 8 more"
        expect(nav.get_by_text(title, exact=True)).to_be_visible()
    expect(nav.get_by_text(re.compile(r"View \d+ more|View less"))).to_have_count(0)
    nav.get_by_text("Tanggapan", exact=True).click()
    wait_idle(page)
    expect(nav.get_by_text("Kotak keluar", exact=True)).to_be_visible()  # still expanded after a page change
    nav.get_by_text("Beranda", exact=True).click()
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"/beranda$"))
    expect(page.get_by_role("heading", name="Capaian kota")).to_be_visible()  # the public page, not the role's home
    page.locator("table.payung-ranking a").first.click()
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"/perusahaan-publik\?id="))
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
