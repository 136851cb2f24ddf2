"""The dashboard's read model is never stale (issue 26): a `Refresher` thread watching the database's data version
refreshes the figures after every kind of write - ORM rows, Core and text SQL, a matching run (COPY on PostgreSQL),
a write through a second engine as from another process - and what it holds for the newest version equals the same
figures computed from scratch. Hypothesis draws the write sequences; SQLite and PostgreSQL."""

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from models import Worker
from services import insight
from services.insight.refresher import Refresher, Stamp, stamp
from services.matching.service import run_full_match
from services.platform import dataversion
from services.platform.authz import SYSTEM, Actor
from services.platform.db import make_engine
from tests import factories


def _figures(engine: Engine, viewer: Actor) -> dict[str, Any]:
    """The figures the read model holds, computed from scratch in a fresh read-only Session."""
    with Session(engine) as s:
        progress = insight.campaign_progress(session=s)
        assert progress is not None
        return {
            "city": progress.figures,
            "coverage": insight.coverage_by_kelurahan(session=s, actor=viewer),
            "board": insight.public_board(session=s).rows,
        }


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["city"] != b["city"]:
        return False
    return all(a[k].reset_index(drop=True).equals(b[k].reset_index(drop=True)) for k in ("coverage", "board"))


def _add_worker(engine: Engine, n: int) -> None:
    with Session(engine) as s:
        factories.worker(s, lat=-6.2 + n * 1e-4)
        s.commit()


def _raise_desil(engine: Engine, n: int) -> None:  # Core UPDATE
    with Session(engine) as s:
        s.execute(update(Worker).where(col(Worker.id) % 3 == n % 3).values(desil=1 + n % 9))
        s.commit()


def _hide_amounts(engine: Engine, n: int) -> None:  # text SQL
    with engine.begin() as conn:
        conn.execute(text("UPDATE company SET show_amount = :v"), {"v": bool(n % 2)})


def _match(engine: Engine, _n: int) -> None:  # the matching run (COPY on PostgreSQL)
    with Session(engine) as s:
        run_full_match(session=s, actor=SYSTEM)


def _other_process(engine: Engine, n: int) -> None:  # another engine, as a CLI import or a second replica
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with Session(other) as s:
            factories.worker(s, kelurahan_code="36.71.03.1001", desil=1 + n % 9)
            s.commit()
    finally:
        other.dispose()


WRITES: list[Callable[[Engine, int], None]] = [_add_worker, _raise_desil, _hide_amounts, _match, _other_process]


def _wait_ready(refresher: Refresher, engine: Engine, timeout_s: float = 30.0) -> Stamp:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = stamp(engine)
        if refresher.ready("viewer", now):
            return now
        time.sleep(0.02)
    raise AssertionError("the read model was not refreshed after a write")


@pytest.fixture
def world(session: Session, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> tuple[Engine, Actor]:
    monkeypatch.setattr(dataversion, "PROBE_S", 0.0)
    viewer, _admin, _ = factories.campaign_world(session, factories.RICH_CAMPAIGN, dt.date.today())
    session.commit()
    return engine, viewer


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(st.tuples(st.sampled_from(WRITES), st.integers(0, 10_000)), min_size=1, max_size=4))
def test_the_refreshed_read_model_equals_a_recomputation_after_any_write(
    world: tuple[Engine, Actor], writes: list[tuple[Callable[[Engine, int], None], int]]
) -> None:
    engine, viewer = world
    held: dict[Stamp, dict[str, Any]] = {}
    refresher = Refresher(
        lambda _audience, at: held.__setitem__(at, _figures(engine, viewer)), min_interval_s=0.0, probe_s=0.01
    )
    refresher.viewed("viewer", lambda: engine)
    try:
        _wait_ready(refresher, engine)
        for write, n in writes:
            before = stamp(engine)
            write(engine, n)
            after = _wait_ready(refresher, engine)
            assert after != before or write is _match  # a matching run with nothing to match writes nothing
            assert _same(held[after], _figures(engine, viewer)), write.__name__
    finally:
        refresher.stop()


def test_a_viewer_waits_for_the_running_refresh_instead_of_computing_again() -> None:
    calls: list[Stamp] = []
    started = threading.Event()

    def slow(_audience: str, at: Stamp) -> None:
        started.set()
        time.sleep(0.3)
        calls.append(at)

    refresher = Refresher(slow, min_interval_s=0.0)
    at = (7, dt.date.today())
    worker = threading.Thread(target=refresher.run_once, args=("viewer", at))
    worker.start()
    assert started.wait(5)
    assert not refresher.ready("viewer", at) and refresher.running("viewer", at)  # viewers keep the version shown
    refresher.wait("viewer", at)  # returns when the refresh is done
    assert not refresher.running("viewer", at)
    assert refresher.ready("viewer", at) and calls == [at]
    assert refresher.run_once("viewer", at) is False  # done: not computed twice
    worker.join()
    assert calls == [at]


def test_refreshes_are_throttled_per_audience_and_skip_audiences_nobody_views() -> None:
    refresher = Refresher(lambda *_: None, min_interval_s=15.0)
    assert refresher.due(time.monotonic()) == []  # nobody viewed anything
    refresher._viewed["viewer"] = time.monotonic()
    assert refresher.due(time.monotonic()) == ["viewer"]
    refresher.run_once("viewer", (1, dt.date.today()))
    assert refresher.due(time.monotonic()) == []  # refreshed less than 15 s ago
    assert refresher.due(time.monotonic() + 16) == ["viewer"]
