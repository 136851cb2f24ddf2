"""A company submits its pledge while another process holds SQLite's write lock (a long CLI import): the page says
in Indonesian to try again, keeps the draft, saves nothing; the next click saves the pledge once."""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import streamlit as st
from sqlmodel import Session, col, func, select
from streamlit.testing.v1 import AppTest

from models import AuditLog, Pledge
from services.platform import db
from services.platform.authz import Actor
from tests.ui.conftest import all_text

COMPANY = "perusahaan23"


def _field(at: AppTest, label: str) -> Any:
    return next(t for t in at.text_input if t.label == label)


def _pledges(url: str, company_id: int) -> int:
    engine = db.make_engine(url)
    with Session(engine) as s:
        n = s.exec(select(func.count()).select_from(Pledge).where(col(Pledge.company_id) == company_id)).one()
    engine.dispose()
    return int(n)


@contextmanager
def _write_lock_held(url: str, *, for_at_most_s: float) -> Iterator[None]:
    """Another process's long write (a CLI import) for the duration of the block: SQLite's write lock held,
    nothing committed."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        other = db.make_engine(url)
        with Session(other) as s:
            s.add(AuditLog(username="lain", action="uji.hold", entity="uji"))
            s.flush()
            held.set()
            release.wait(for_at_most_s)
            s.rollback()
        other.dispose()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        yield
    finally:
        release.set()
        holder.join()


def test_busy_database_keeps_the_draft_and_asks_to_try_again(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], demo_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 100)  # each attempt gives up after 0,1 s (the page's engine)
    st.cache_resource.clear()
    actor = actor_for(COMPANY)
    company_id = actor.company_id or 0
    before = _pledges(demo_db_url, company_id)
    at = page("company/pledge.py", actor)
    _field(at, "Jumlah pekerja").set_value("25")
    at.selectbox[0].set_value(6)
    _field(at, "Radius di sekitar lokasi perusahaan (km)").set_value("2")
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    draft = dict(at.session_state["pledge_draft"])

    with _write_lock_held(demo_db_url, for_at_most_s=30):
        began = time.perf_counter()
        next(b for b in at.button if b.label == "Kirim ikrar").click().run()
        waited = time.perf_counter() - began
    assert not at.exception
    text = all_text(at)
    assert db.BUSY_MESSAGE in text and "locked" not in text.lower() and "kode rujukan" not in text
    assert dict(at.session_state["pledge_draft"]) == draft  # nothing typed is lost: the summary is still there
    assert "Ringkasan ikrar" in text and waited < 10
    assert _pledges(demo_db_url, company_id) == before  # nothing half-saved

    next(b for b in at.button if b.label == "Kirim ikrar").click().run()  # the lock is gone: try again
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["pledge_done"]["created"]
    assert _pledges(demo_db_url, company_id) == before + 1


def test_the_dashboard_computed_while_another_process_writes_is_shown_even_if_it_cannot_be_stored(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], demo_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Storing the read model is a write (it spares the next process the computation); with the write lock held by a
    long import it gives up, and the viewer who computed still gets every figure, with no message."""
    from services.insight import snapshots
    from ui import insight as view

    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 100)
    st.cache_resource.clear()
    viewer = actor_for("walikota")
    assert not page("city/overview.py", viewer).exception  # the page's engine (busy timeout 0,1 s) is open
    st.cache_data.clear()  # a new process: nothing in memory ...
    view._shown.clear()
    snapshots.forget(db.make_engine(demo_db_url))  # ... and nothing stored
    with _write_lock_held(demo_db_url, for_at_most_s=60):
        at = page("city/overview.py", viewer)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Ringkasan kota" and len(at.metric) >= 6
    assert not snapshots.stored(db.make_engine(demo_db_url), "viewer", *view.shown_version("viewer"))
