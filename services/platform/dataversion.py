"""The data version, stored in the database (`data_version`, one row): every commit that wrote a row the read side
counts (pledges, assignments, companies, letter recipients, campaigns, workers, imports, claims, the payer ledger,
the city budget) raises it **in the same transaction**, so every process and replica - a Streamlit server, a CLI
import, a second replica - sees a write the moment it is visible, and never a version without its data.

Detection is at the connection, below the ORM: every INSERT / UPDATE / DELETE statement on a watched table (ORM
flush, Core executemany, text SQL) marks the connection; a COPY on PostgreSQL (`services.platform.bulk.copy_rows`)
marks it with `mark_written`. On commit a marked connection runs one UPDATE of the row before the COMMIT itself.
Readers ask `data_version(engine)`: one primary-key SELECT, at most every PROBE_S seconds per database (sooner
after a commit in this process).
"""

import re
import threading
import time
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlmodel import col

from models import DataVersion
from services.platform.units import reading

WATCHED_TABLES = frozenset(
    {
        "pledge",
        "pledgekelurahan",
        "assignment",
        "company",
        "letterrecipient",
        "campaign",
        "worker",
        "importrun",
        "claim",  # benefits paid (public totals, company reports)
        "covermonth",  # the payer ledger (split by payer)
        "allocation",  # the city budget
    }
)  # worker: the dashboard's gaps count the registry; importrun: every import records one
PROBE_S = 1.0  # a write in another process is seen at most this late
_FLAG = "payung_data_written"
_WRITE = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|COPY)\s+\"?(\w+)\"?", re.IGNORECASE)
_BUMP = "UPDATE data_version SET version = version + 1 WHERE id = 1"
_seen: dict[str, tuple[int, float]] = {}  # database URL -> (version read, monotonic time of the read)
_tabled: set[str] = set()  # databases whose data_version table has been seen
_generation = 0  # raised by `forget`: a read that began before it must not be remembered after it
_lock = threading.Lock()
_thread = threading.local()  # .wrote: a commit in this thread raised the version (a page run's own write)


def written_table(statement: str) -> str | None:
    """The table an INSERT / UPDATE / DELETE / COPY statement writes, lower case; None for anything else."""
    m = _WRITE.match(statement)
    return m.group(1).lower() if m else None


def mark_written(connection: Connection, table: str) -> None:
    """Record that this transaction wrote `table` (for writes the statement hook cannot see, e.g. a raw COPY)."""
    if table.lower() in WATCHED_TABLES:
        connection.info[_FLAG] = True


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def data_version(engine: Engine) -> int:
    """The database's data version: re-read at most every PROBE_S seconds, at once after a commit here."""
    key, now = _key(engine), time.monotonic()
    with _lock:
        seen, generation = _seen.get(key), _generation
    if seen is not None and now - seen[1] < PROBE_S:
        return seen[0]
    with reading(engine).connect() as conn:
        version = int(conn.execute(select(col(DataVersion.version)).where(col(DataVersion.id) == 1)).scalar() or 0)
    with _lock:
        if generation == _generation:  # no commit here since the read began (it may have read the version before)
            _seen[key] = (version, now)
    return version


def bump(engine: Engine) -> int:
    """Raise the data version in a transaction of its own (a write made outside the watched statements)."""
    with engine.begin() as conn:
        conn.exec_driver_sql(_BUMP)
    _thread.wrote = True
    forget()
    return data_version(engine)


def written_here() -> bool:
    """Whether a commit in this thread raised the data version since the last call (a page run asks after running:
    its user must see their own write on the next dashboard they open)."""
    wrote = getattr(_thread, "wrote", False)
    _thread.wrote = False
    return wrote


def forget() -> None:
    """Drop what this process read, so the next `data_version` asks the database."""
    global _generation
    with _lock:
        _seen.clear()
        _generation += 1


@event.listens_for(Engine, "after_cursor_execute")
def _on_statement(conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
    table = written_table(statement)
    if table is not None and table in WATCHED_TABLES:
        conn.info[_FLAG] = True


@event.listens_for(Engine, "commit")
def _on_commit(conn: Connection) -> None:
    if conn.info.pop(_FLAG, False) and _has_table(conn):
        conn.exec_driver_sql(_BUMP)  # still inside the transaction: committed with the data, or not at all
        _thread.wrote = True  # (a failed COMMIT after this leaves it set: the next view is merely recomputed)


def _has_table(conn: Connection) -> bool:
    """False in a database migrated to a revision before 0015 (a data migration, a test of an old schema): nothing to
    raise yet. Asked once per database once the table is there."""
    key = _key(conn.engine)
    if key in _tabled:
        return True
    if not inspect(conn).has_table(DataVersion.__tablename__):
        return False
    with _lock:
        _tabled.add(key)
    return True


@event.listens_for(Engine, "rollback")
def _on_rollback(conn: Connection) -> None:
    conn.info.pop(_FLAG, None)


@event.listens_for(Session, "after_commit")
def _after_commit(_session: Session) -> None:
    forget()  # this process's own write shows on the next read
