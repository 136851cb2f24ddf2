"""In Chromium, as an anonymous visitor: see the board, find a company with the browser's own find, sort, filter,
open a company's public page by its URL. No Streamlit exception box on any page visited."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_idle

PATIENCE = 20_000  # ms: the shared 2-core machine is often under heavy load


def _no_exception(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


def _choose(page: Page, label: str, option: str) -> None:
    label_el = page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)
    box = page.get_by_test_id("stSelectbox").filter(has=label_el)
    choice = page.get_by_role("option", name=option, exact=True)
    # The page above the board grew (benefits, payer split): a click that has to scroll first leaves the menu
    # closed, so scroll first, and reopen it once should a late scroll close it anyway.
    box.scroll_into_view_if_needed()
    box.click()
    try:
        expect(choice).to_be_visible(timeout=3_000)
    except AssertionError:
        page.keyboard.press("Escape")
        box.click()
    choice.click()
    wait_idle(page)
    # the direction widget is keyed per sort key: wait until the old one has left the page
    expect(page.get_by_test_id("stSelectbox")).to_have_count(5, timeout=PATIENCE)


def _board_rows(page: Page) -> list[list[str]]:
    rows = page.locator("table.payung-ranking tbody tr")
    expect(rows.first).to_be_visible(timeout=PATIENCE)
    return [[c.strip() for c in r] for r in rows.evaluate_all("rs => rs.map(r => [...r.cells].map(c => c.innerText))")]


def _count(cell: str) -> int:
    return int(cell.replace(".", ""))


# JS over the board's rows (cells: #, company, protected, pledged, ...): waits for the rerun's table, not the stale
# one Streamlit keeps on screen while the script runs.
_PLEDGED = (
    "[...document.querySelectorAll('table.payung-ranking tbody tr')]"
    ".map(r => +r.cells[3].innerText.replace(/\\./g, ''))"
)


def _wait_rows(page: Page, condition: str) -> None:
    page.wait_for_function(f"() => {{ const v = {_PLEDGED}; return v.length > 0 && ({condition}); }}", timeout=PATIENCE)


def test_anonymous_visitor_finds_sorts_filters_and_opens_a_company(page: Page, app_url: str) -> None:
    page.goto(app_url)
    wait_idle(page)
    expect(page.get_by_text("Papan peringkat: perusahaan yang berpartisipasi")).to_be_visible(timeout=PATIENCE)
    expect(page.get_by_text("Aturan peringkat (Pernah dilindungi terbanyak)")).to_be_visible(timeout=PATIENCE)
    # The summary is both the page's caption and the table's <caption> (for screen readers): check each one.
    hidden_note = re.compile(r"\d+ perusahaan memilih tidak menampilkan nilai")
    expect(page.get_by_test_id("stCaptionContainer").filter(has_text=hidden_note)).to_be_visible(timeout=PATIENCE)
    expect(page.locator("table.payung-ranking caption")).to_contain_text(hidden_note, timeout=PATIENCE)
    expect(page.locator("table.payung-ranking").first).to_be_visible(timeout=PATIENCE)
    # The browser's own find (Ctrl+F) reaches the name: it is text in the page, not pixels in a canvas.
    assert page.evaluate("() => window.find('PT Panarub Industry')")
    assert "PT Panarub Industry" in page.locator("table.payung-ranking").first.inner_text()
    _no_exception(page)

    everyone = [_count(r[3]) for r in _board_rows(page)]
    _choose(page, "Urutkan menurut", "Pekerja diikrarkan")
    _wait_rows(page, f"v[0] === {max(everyone)}")
    rows = _board_rows(page)
    pledged = [_count(r[3]) for r in rows]  # column "Pekerja diikrarkan"
    assert pledged == sorted(pledged, reverse=True) and pledged[0] >= 100 > pledged[-1]  # numbers, not text
    _choose(page, "Arah", "Kecil ke besar")
    _wait_rows(page, f"v[0] === {min(everyone)}")
    pledged = [_count(r[3]) for r in _board_rows(page)]
    assert pledged == sorted(pledged)

    _choose(page, "Kecamatan", "Jatiuwung")
    page.wait_for_function(
        "() => [...document.querySelectorAll('table.payung-ranking tbody tr')]"
        ".every(r => r.cells[1].innerText.includes('Jatiuwung ·'))",
        timeout=PATIENCE,
    )
    rows = _board_rows(page)
    assert rows and all(r[1].splitlines()[1].startswith("Jatiuwung ·") for r in rows)
    assert any(r[1].splitlines()[0] == "PT Panarub Industry" for r in rows)
    _no_exception(page)

    href = page.get_by_role("link", name="PT Panarub Industry").get_attribute("href")
    assert href and href.startswith("perusahaan-publik?id=pt-panarub-industry-")
    page.goto(f"{app_url}/{href}")  # the shareable URL, opened fresh
    wait_idle(page)
    expect(page.get_by_role("heading", name="PT Panarub Industry")).to_be_visible(timeout=PATIENCE)
    expect(page.get_by_text("Pernah dilindungi").first).to_be_visible(timeout=PATIENCE)
    expect(page.get_by_text("Perintis").first).to_be_visible(timeout=PATIENCE)
    expect(page.get_by_text("Pedagang kaki lima")).to_be_visible(timeout=PATIENCE)
    _no_exception(page)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Perusahaan", exact=True)).to_have_count(0)  # reached by link, not from the menu

    page.goto(f"{app_url}/perusahaan-publik?id=tidak-ada-424242")
    wait_idle(page)
    expect(page.get_by_text("Perusahaan tidak ditemukan")).to_be_visible(timeout=PATIENCE)
    page.get_by_role("link", name="← Kembali ke papan peringkat").click()
    wait_idle(page)
    expect(page.get_by_text("Papan peringkat: perusahaan yang berpartisipasi")).to_be_visible(timeout=PATIENCE)
    _no_exception(page)
