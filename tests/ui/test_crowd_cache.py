"""A crowd of readers costs one set of queries per data change: the public page and the city dashboard, opened by
new sessions (new visitors, other city staff of the same role), read the database only after a write."""

import dataclasses
import importlib.util
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import streamlit as st
from sqlalchemy import event
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import Company
from services.insight import freshness
from services.insight.refresher import REFRESHER_THREAD
from services.platform import dataversion
from services.platform.authz import Actor
from tests.ui.conftest import ROOT
from ui import insight as view
from ui import state


@pytest.fixture
def statements(demo_env: str) -> Iterator[list[str]]:
    """Every SQL statement the pages' engine runs for the pages while the test runs them."""
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if threading.current_thread().name != REFRESHER_THREAD:  # what viewers wait for, not the background refresh
            seen.append(statement)

    engine = state.engine()
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def _probe(statement: str) -> bool:
    """The probe of the data version (one primary-key read, at most once a second), or of which versions of the read
    model are stored (a primary-key read, no payload, at most once a second per role and version)."""
    return "data_version" in statement or ("read_model_snapshot" in statement and "payload" not in statement)


def _selects(seen: list[str]) -> int:
    """Queries run, but the probes."""
    return sum(1 for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH")) and not _probe(s))


def _store_reads(seen: list[str]) -> int:
    """Reads of a stored read model (its payload)."""
    return sum(
        1 for s in seen if s.lstrip().upper().startswith("SELECT") and "read_model_snapshot" in s and not _probe(s)
    )


def _as_server(monkeypatch: pytest.MonkeyPatch, *, gated: bool = False) -> threading.Event:
    """From now on, as in a server started by scripts/serve.py (AppTest runs without the server's runtime): the
    refresher on, probing often and refreshing every version, not one per REFRESH_S. Returns the gate its
    computations wait at: closed if `gated` (so a view surely comes before the refresh), else open."""
    monkeypatch.setattr(view, "in_server", lambda: True)
    monkeypatch.setattr(view.refresher, "probe_s", 0.02)
    monkeypatch.setattr(view.refresher, "min_interval_s", 0.0)
    monkeypatch.setattr(dataversion, "PROBE_S", 0.0)
    gate = threading.Event()
    if not gated:
        gate.set()
    compute = view._compute

    def gated_compute(actor: Actor) -> dict:
        gate.wait(60)
        return compute(actor)

    monkeypatch.setattr(view, "_compute", gated_compute)
    return gate


def _wait_until_refreshed(latest: view.Stamp, what: str) -> None:
    deadline = time.monotonic() + 60
    while not view.refresher.ready("viewer", latest):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_new_visitors_of_the_public_page_cost_no_query_until_a_write(
    page: Callable[..., AppTest], statements: list[str]
) -> None:
    first = page("public/home.py")
    assert not first.exception
    assert _selects(statements) > 0  # the first visitor after a change fills the cache
    statements.clear()
    for _ in range(3):  # three new visitors, each a new session
        assert not page("public/home.py").exception
    assert _selects(statements) == 0, statements[:5]
    freshness.bump(state.engine())  # a pledge, an import or a matching run committed in this process
    assert not page("public/home.py").exception
    assert _selects(statements) > 0


def test_city_staff_share_the_dashboard_per_role_and_data_version(
    page: Callable[..., AppTest],
    actor_for: Callable[[str], Actor],
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewer = actor_for("walikota")
    assert not page("city/overview.py", viewer).exception
    assert _selects(statements) > 0
    statements.clear()
    colleague = dataclasses.replace(viewer, username="staf-lain", display_name="Staf lain")
    for who in (viewer, colleague):  # the same role: the same figures, from the cache
        at = page("city/overview.py", who)
        assert not at.exception and at.title[0].value == "Ringkasan kota"
    assert _selects(statements) == 0, statements[:5]

    # A burst of writes: within REFRESH_S of the version shown, the crowd keeps the figures it has.
    monkeypatch.setattr(view, "REFRESH_S", 3600.0)
    freshness.bump(state.engine())
    assert not page("city/overview.py", colleague).exception
    assert _selects(statements) == 0, statements[:5]
    # Once REFRESH_S has passed, the next viewer takes the newest version and reads it, once.
    monkeypatch.setattr(view, "REFRESH_S", 0.0)
    version = state.data_version()
    assert not page("city/overview.py", viewer).exception
    assert view.shown_version(viewer.role)[0] == version
    assert _selects(statements) > 0
    statements.clear()
    assert not page("city/overview.py", colleague).exception
    assert _selects(statements) == 0, statements[:5]


def test_the_warm_up_before_the_port_opens_serves_the_first_visitor_from_the_cache(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], statements: list[str]
) -> None:
    """scripts/serve.py runs the public page and computes the dashboard before serving: the first visitor's and
    the first city viewer's runs read nothing."""
    spec = importlib.util.spec_from_file_location("payung_serve", ROOT / "scripts" / "serve.py")
    assert spec and spec.loader
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    said = serve.warm_public_page()
    assert said.startswith("Halaman publik siap"), said
    said = serve.warm_city_dashboard()
    assert said.startswith("Ringkasan kota siap"), said
    assert _selects(statements) > 0  # the warm-up did the reading
    statements.clear()
    first = page("public/home.py")
    assert not first.exception and "Papan peringkat" in " ".join(str(s.value) for s in first.subheader)
    staff = page("city/overview.py", actor_for("walikota"))
    assert not staff.exception and staff.title[0].value == "Ringkasan kota"
    assert _selects(statements) == 0, statements[:5]


_OTHER_PROCESS_WRITE = """
import sys
import threading
import time
from sqlmodel import Session, select
from models import Company
from services.platform.db import make_engine
engine = make_engine(sys.argv[1])
with Session(engine) as s:
    company = s.exec(select(Company)).first()
    company.show_amount = not company.show_amount
    s.add(company)
    s.commit()
"""


def test_a_write_by_another_process_invalidates_this_process_cache(
    page: Callable[..., AppTest], statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CLI import or another replica writes through its own engine: within PROBE_S this process's next visitor
    reads the new figures (the TTL no longer hides it)."""
    assert not page("public/home.py").exception
    statements.clear()
    assert not page("public/home.py").exception
    assert _selects(statements) == 0, statements[:5]
    url = state.engine().url.render_as_string(hide_password=False)
    subprocess.run([sys.executable, "-c", _OTHER_PROCESS_WRITE, url], cwd=ROOT, check=True, timeout=120)
    monkeypatch.setattr(dataversion, "PROBE_S", 0.0)  # instead of waiting up to a second for the next probe
    assert not page("public/home.py").exception
    assert _selects(statements) > 0


def test_in_a_running_server_the_first_viewer_after_a_write_finds_the_figures_ready(
    page: Callable[..., AppTest],
    actor_for: Callable[[str], Actor],
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The refresher (a thread of the server) sees the write and computes the new figures, charts and maps before
    anyone asks: the next viewer's run reads nothing but the version, and shows the new version."""
    _as_server(monkeypatch)
    viewer = actor_for("walikota")
    try:
        assert not page("city/overview.py", viewer).exception  # the first view starts the refresher
        freshness.bump(state.engine())  # a write (here or in another process)
        latest = view.stamp(state.engine())
        _wait_until_refreshed(latest, "no refresh after the write")
        statements.clear()
        at = page("city/overview.py", viewer)
        assert not at.exception and at.title[0].value == "Ringkasan kota"
        assert _selects(statements) == 0, statements[:5]
        assert view.shown_version("viewer") == latest
    finally:
        view.refresher.stop()


def test_while_the_refresher_computes_the_newest_version_viewers_keep_the_version_shown(
    page: Callable[..., AppTest],
    actor_for: Callable[[str], Actor],
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewer = actor_for("walikota")
    assert not page("city/overview.py", viewer).exception
    shown = view.shown_version("viewer")
    monkeypatch.setattr(view, "REFRESH_S", 0.0)  # the version shown is old enough to be replaced...
    monkeypatch.setattr(dataversion, "PROBE_S", 0.0)
    freshness.bump(state.engine())
    latest = view.stamp(state.engine())
    running = threading.Event()
    monkeypatch.setitem(view.refresher._running, ("viewer", latest), running)  # ...but its successor is on its way
    statements.clear()
    assert not page("city/overview.py", viewer).exception
    assert view.shown_version("viewer") == shown != latest
    assert _selects(statements) == 0, statements[:5]  # served from the cache, nobody waited
    running.set()


def test_a_cleared_cache_reads_the_stored_read_model_instead_of_computing_it(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], statements: list[str]
) -> None:
    """A restarted server, a second replica or a cleared cache: the dashboard's figures are read back from the
    database (stored by whoever computed them), not computed again."""
    viewer = actor_for("walikota")
    view._shown.clear()  # the latest version, not one an earlier test left shown
    first = page("city/overview.py", viewer)
    assert not first.exception
    statements.clear()
    st.cache_data.clear()
    view._shown.clear()
    again = page("city/overview.py", viewer)
    assert not again.exception and again.title[0].value == "Ringkasan kota"
    assert [m.value for m in again.metric] == [m.value for m in first.metric]
    assert _store_reads(statements) >= 1
    assert _selects(statements) == _store_reads(statements), [s[:80] for s in statements if not _probe(s)][:5]


def test_a_server_restarted_after_a_write_serves_the_stored_figures_labelled_then_the_latest(
    page: Callable[..., AppTest],
    actor_for: Callable[[str], Actor],
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write, then a restart before anyone viewed the new figures: the first viewer is not made to compute them.
    They see the newest stored figures at once, labelled as being refreshed, while the refresher computes the
    latest; the next view shows the latest, unlabelled."""
    viewer = actor_for("walikota")
    view._shown.clear()
    assert not page("city/overview.py", viewer).exception  # computes and stores the latest version
    stored = view.shown_version("viewer")
    freshness.bump(state.engine())  # a write ...
    st.cache_data.clear()  # ... then the server restarts
    view._shown.clear()
    gate = _as_server(monkeypatch, gated=True)
    latest = view.stamp(state.engine())
    try:
        statements.clear()
        began = time.monotonic()
        at = page("city/overview.py", viewer)
        assert not at.exception and at.title[0].value == "Ringkasan kota"
        assert time.monotonic() - began < 30  # nobody waited for the gate
        assert view.shown_version("viewer") == stored != latest
        assert any("Data baru saja berubah" in str(c.value) for c in at.caption)
        assert _selects(statements) == _store_reads(statements)  # the stored figures, nothing computed
        gate.set()
        _wait_until_refreshed(latest, "no refresh after the restart")
        at = page("city/overview.py", viewer)
        assert not at.exception
        assert view.shown_version("viewer") == latest
        assert not any("Data baru saja berubah" in str(c.value) for c in at.caption)
    finally:
        gate.set()
        view.refresher.stop()


def test_in_a_running_server_a_viewer_never_waits_for_the_computation_after_a_quiet_while(
    page: Callable[..., AppTest],
    actor_for: Callable[[str], Actor],
    statements: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A role nobody viewed for an hour (its figures no longer refreshed), then writes: its next viewer is shown the
    figures it had, labelled, at once, while the refresher computes the newest; the one after sees the newest."""
    viewer = actor_for("walikota")
    view._shown.clear()
    assert not page("city/overview.py", viewer).exception
    shown = view.shown_version("viewer")
    with view._shown_lock:
        view._shown["viewer"] = (shown, time.monotonic() - 3600.0)  # taken an hour ago
    freshness.bump(state.engine())
    gate = _as_server(monkeypatch, gated=True)
    latest = view.stamp(state.engine())
    try:
        statements.clear()
        at = page("city/overview.py", viewer)
        assert not at.exception
        assert view.shown_version("viewer") == shown != latest
        assert any("Data baru saja berubah" in str(c.value) for c in at.caption)
        assert _selects(statements) == 0, [x for x in statements if not _probe(x)][:3]  # nothing computed, nothing read
        gate.set()
        _wait_until_refreshed(latest, "no refresh")
        assert not page("city/overview.py", viewer).exception
        assert view.shown_version("viewer") == latest
    finally:
        gate.set()
        view.refresher.stop()


def test_in_a_running_server_whoever_wrote_sees_their_write_while_the_crowd_is_served_the_figures_shown(
    page: Callable[..., AppTest],
    actor_for: Callable[[str], Actor],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Read-your-writes: the admin who just ran an allocation opens the dashboard and sees it (computed for them if
    the refresher has not finished), while a colleague who wrote nothing is served the figures shown, captioned."""
    admin = actor_for("admin")
    view._shown.clear()
    assert not page("city/overview.py", admin).exception
    shown = view.shown_version("admin")
    monkeypatch.setattr(view, "in_server", lambda: True)
    monkeypatch.setattr(view.refresher, "probe_s", 3600.0)  # the refresher is slow today: it has not run yet
    monkeypatch.setattr(dataversion, "PROBE_S", 0.0)
    written = freshness.bump(state.engine())  # the admin's own write (its page run remembers this version)
    try:
        colleague = page("city/overview.py", dataclasses.replace(admin, username="admin-lain"))
        assert not colleague.exception
        assert view.shown_version("admin") == shown
        assert any("Data baru saja berubah" in str(c.value) for c in colleague.caption)

        at = AppTest.from_file(str(ROOT / "pages" / "city" / "overview.py"), default_timeout=60)
        at.session_state[state.ACTOR_KEY] = admin
        at.session_state[state.VERSION_KEY] = 0
        at.session_state[state.WROTE_KEY] = written
        at.run()
        assert not at.exception
        assert view.shown_version("admin")[0] == written
        assert not any("Data baru saja berubah" in str(c.value) for c in at.caption)
    finally:
        view.refresher.stop()


def test_a_page_run_remembers_its_own_write_and_nothing_else(demo_env: str) -> None:
    """`dataversion.written_here` answers for this thread's commits only, once; the frame (app.py) asks it after
    every page run and keeps the version in the session."""
    engine = state.engine()
    dataversion.written_here()
    assert not dataversion.written_here()
    freshness.bump(engine)
    assert dataversion.written_here() and not dataversion.written_here()
    with Session(engine) as s:  # a service's commit: the connection's hook raises the version
        company = s.exec(select(Company)).first()
        assert company is not None
        company.show_amount = not company.show_amount
        s.add(company)
        s.commit()
    assert dataversion.written_here() and not dataversion.written_here()
    with Session(engine) as s:  # a commit that wrote nothing the figures count
        s.exec(select(Company)).first()
        s.commit()
    assert not dataversion.written_here()
    elsewhere = threading.Thread(target=lambda: freshness.bump(engine))
    elsewhere.start()
    elsewhere.join()
    assert not dataversion.written_here()  # another session's (thread's) write is not this run's
    source = (ROOT / "app.py").read_text()
    run_page = source[source.index("def _run_page") :]
    assert "dataversion.written_here()" in run_page and "state.remember_own_writes()" in run_page
