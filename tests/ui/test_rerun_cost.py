"""A page does not redo on a rerun what it did on the previous run (issue 26): every page of app.py's PAGES, for
each role that may open it, is run once and then rerun in the same session with no data change; the rerun may
run at most the page's budget of SQL statements (the figures it shows are cached per data version, its form
choices and the like kept in the session), and the pages a crowd reads run none."""

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event
from streamlit.testing.v1 import AppTest

from services.platform.authz import Actor
from tests.ui.conftest import ROOT
from tests.ui.test_page_sweep import USERS, pages_table
from ui import board_cache, state

# Statements a rerun may run, per page script (the default: DEFAULT_BUDGET). Pages a crowd reads: 0 (cached per
# data version). A signed-in user's own pages read their own rows again (a few statements: the authorisation is in
# the services, and a write from another process must show); the budget is what they read today, so a loop of
# queries (one per row) or a figure recomputed on every rerun fails here.
DEFAULT_BUDGET = 5
BUDGET = {
    "pages/public/home.py": 0,
    "pages/public/company.py": 0,
    "pages/public/definitions.py": 0,
    "pages/city/overview.py": 0,
    "pages/company/home.py": 7,
    "pages/company/pledges.py": 14,  # the list, the chosen pledge, its workers, the renewal and raise forms (not the
    # shortfall explanation: it reads every worker in the area, cached per data version)
    "pages/company/report.py": 12,
    "pages/city/matching.py": 8,
    "pages/city/responses.py": 7,
}
CASES = [
    pytest.param(script, USERS[role][0], id=f"{script.removeprefix('pages/')}-{USERS[role][0] or 'public'}")
    for script, roles in pages_table()
    for role in dict.fromkeys(roles)
]


@pytest.fixture
def statements(demo_env: str) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    engine = state.engine()
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize(("script", "user"), CASES)
def test_a_rerun_without_a_data_change_stays_within_the_pages_budget(
    page: Callable[..., AppTest],
    actor_for: Callable[[str], Actor],
    statements: list[str],
    script: str,
    user: str | None,
) -> None:
    if script == "pages/public/company.py":  # a company's page, as linked from the board
        at = AppTest.from_file(str(ROOT / script), default_timeout=30)
        at.query_params["id"] = str(board_cache.public_data(state.data_version())[1].rows["slug"].iloc[0])
        at.run()
    else:
        at = page(script.removeprefix("pages/"), actor_for(user) if user else None)
    assert not at.exception, [e.value for e in at.exception]
    statements.clear()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # Not counted: transaction control, and the data version probe (one primary-key SELECT, at most every PROBE_S
    # or after a commit of this process, e.g. an audit row): what a cached figure costs, whatever the page.
    ran = [
        s
        for s in statements
        if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")) and "FROM data_version" not in s
    ]
    budget = BUDGET.get(script, DEFAULT_BUDGET)
    assert len(ran) <= budget, f"{script} reran {len(ran)} statements (budget {budget}): {ran[:6]}"


def test_every_page_has_a_case() -> None:
    assert {c.values[0] for c in CASES} == {p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").rglob("*.py")}
    assert set(BUDGET) <= {c.values[0] for c in CASES}


def test_a_priced_pledge_draft_is_not_priced_again_on_each_rerun(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], statements: list[str]
) -> None:
    """The price and the workers in reach (a read of every worker in the area) are computed when the officer
    presses "Hitung biaya"; a rerun with the summary on screen (any click) shows them without reading again."""
    at = page("company/pledge.py", actor_for("panarub"))
    next(t for t in at.text_input if t.label == "Jumlah pekerja").set_value("25")
    next(t for t in at.text_input if t.label.startswith("Radius")).set_value("2")
    statements.clear()
    next(b for b in at.button if b.label.startswith("Hitung biaya")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(m.label == "Total biaya" for m in at.metric)
    priced = [s for s in statements if "FROM worker" in s]
    assert priced, "pricing reads the workers in the area"
    statements.clear()
    at.run()
    assert any(m.label == "Total biaya" for m in at.metric)
    again = [s for s in statements if "FROM worker" in s]
    # Only the form's list of occupations (every view of the form reads it); not the workers in reach.
    assert len(again) < len(priced) and all("DISTINCT worker.occupation" in s for s in again), again
