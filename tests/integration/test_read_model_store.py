"""The dashboard's read model stored in the database (issue 26), on SQLite and PostgreSQL: what is stored reads back
equal, a version is stored once whoever stores it (two processes racing), only the newest KEEP versions of an
audience stay, a row this install did not sign is ignored (never unpickled), and storing does not move the data
version it is keyed by."""

import datetime as dt
import threading

import pandas as pd
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from models import ReadModelSnapshot
from services.insight import snapshots
from services.platform import dataversion

KEY = b"k" * 32
DAY = dt.date(2026, 12, 5)


def _value(n: int) -> dict[str, object]:
    return {
        "figures": {"protected_now": n, "share": 0.766},
        "table": pd.DataFrame({"kelurahan": ["Cikokol"], "n": [n]}),
    }


def _rows(engine: Engine, audience: str) -> list[int]:
    with Session(engine) as s:
        found = s.exec(select(ReadModelSnapshot.version).where(col(ReadModelSnapshot.audience) == audience))
        return sorted(found)


def test_what_is_stored_reads_back_equal_and_only_for_its_key(engine: Engine) -> None:
    assert snapshots.load(engine, "viewer", 7, DAY, KEY) is None
    assert not snapshots.stored(engine, "viewer", 7, DAY)
    assert snapshots.store(engine, "viewer", 7, DAY, _value(148), KEY)
    back = snapshots.load(engine, "viewer", 7, DAY, KEY)
    assert back["figures"] == {"protected_now": 148, "share": 0.766}
    pd.testing.assert_frame_equal(back["table"], _value(148)["table"])
    assert snapshots.stored(engine, "viewer", 7, DAY)
    assert snapshots.load(engine, "admin", 7, DAY, KEY) is None  # another audience: another read model
    assert snapshots.load(engine, "viewer", 7, DAY + dt.timedelta(days=1), KEY) is None  # figures as of another day
    assert snapshots.load(engine, "viewer", 8, DAY, KEY) is None


def test_a_version_is_stored_once_when_processes_race_to_store_it(engine: Engine) -> None:
    results: list[bool] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def racer() -> None:
        try:
            start.wait()
            results.append(snapshots.store(engine, "admin", 3, DAY, _value(3), KEY))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=racer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(results) == [False, False, False, True]
    assert _rows(engine, "admin") == [3]
    assert not snapshots.store(engine, "admin", 3, DAY, _value(3), KEY)  # later: already there, nothing written


def test_only_the_newest_versions_of_an_audience_are_kept(engine: Engine) -> None:
    for version in range(1, 8):
        snapshots.store(engine, "viewer", version, DAY, _value(version), KEY)
    snapshots.store(engine, "admin", 1, DAY, _value(1), KEY)
    assert _rows(engine, "viewer") == list(range(8 - snapshots.KEEP, 8))
    assert _rows(engine, "admin") == [1]  # another audience's versions are its own
    assert snapshots.newest(engine, "viewer", DAY) == 7
    assert snapshots.newest(engine, "viewer", DAY + dt.timedelta(days=1)) is None
    # a new day: yesterday's versions are the oldest
    snapshots.store(engine, "viewer", 7, DAY + dt.timedelta(days=1), _value(7), KEY)
    with Session(engine) as s:
        days = s.exec(
            select(ReadModelSnapshot.day, ReadModelSnapshot.version).where(ReadModelSnapshot.audience == "viewer")
        )
        kept = sorted(days)
    assert len(kept) == snapshots.KEEP and kept[-1] == (DAY + dt.timedelta(days=1), 7)
    snapshots.forget(engine, "viewer")
    assert _rows(engine, "viewer") == [] and _rows(engine, "admin") == [1]


def test_a_row_this_install_did_not_sign_is_ignored(engine: Engine) -> None:
    snapshots.store(engine, "viewer", 5, DAY, _value(5), KEY)
    assert snapshots.load(engine, "viewer", 5, DAY, b"another install's key " * 2) is None
    forged, _ = snapshots.pack({"figures": "forged"}, b"x" * 32)
    with Session(engine) as s:
        s.execute(update(ReadModelSnapshot).values(payload=forged))  # an edited database, a foreign backup
        s.commit()
    assert snapshots.load(engine, "viewer", 5, DAY, KEY) is None


def test_storing_does_not_move_the_data_version(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(dataversion, "PROBE_S", 0.0)
    before = dataversion.data_version(engine)
    snapshots.store(engine, "viewer", before, DAY, _value(1), KEY)
    snapshots.forget(engine)
    assert dataversion.data_version(engine) == before
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(ReadModelSnapshot)).one() == 0
