"""Engine factory, units of work and migrations.

SQLite: WAL, busy timeout, foreign keys; a unit of work that writes begins IMMEDIATE (the write lock at its first
statement), a unit that only reads begins DEFERRED and never takes the write lock (WAL lets it read while a writer
is open). `run_unit` runs a whole unit of work and runs it again, from the start in a fresh Session, when the
database answered "busy" (SQLite's "database is locked", PostgreSQL's serialization failure or deadlock).
"""

import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from services.platform import (
    dataversion,  # noqa: F401  (every engine's commits raise the data version)
    text,
)
from services.platform.bulk import copy_rows as copy_rows  # re-exported: one COPY for every bulk insert
from services.platform.errors import DatabaseBusy, ValidationError
from services.platform.settings import PROJECT_ROOT
from services.platform.units import READ as READ  # re-exported: callers import them from here
from services.platform.units import UNIT_OPTION as UNIT_OPTION
from services.platform.units import reading as reading

T = TypeVar("T")
SQLITE_BUSY_TIMEOUT_MS = 15_000
# Every Streamlit session runs its script in a thread of one process: 200 sessions may ask for a connection at once.
# A unit holds one only while it runs, so 30 serve them; a thread waits up to 60 s for one (the default 5 + 10
# and 30 s would answer a long queue with "QueuePool limit … timed out"). Two replicas stay under PostgreSQL's 100.
POOL: dict[str, Any] = {"pool_size": 10, "max_overflow": 20, "pool_timeout": 60}
UNIT_ATTEMPTS = 4  # a busy unit is run at most this often (each attempt itself waits up to the busy timeout)
RETRY_BUDGET_S = 40.0  # and not again once this long has passed since its first attempt began (a user waits rather
# than being asked to click again and join the same queue; the page's own timeout is longer)
RETRY_PAUSE_S = 0.05  # before the 2nd attempt; doubled for each further one, with jitter
BUSY_MESSAGE = (
    "Sistem sedang melayani banyak pengguna sekaligus, jadi permintaan Anda belum tersimpan. "
    "Isian Anda masih ada: tunggu beberapa detik lalu coba lagi."
)
_POSTGRES_RETRYABLE = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def make_engine(url: str, *, busy_timeout_ms: int | None = None, **kwargs: Any) -> Engine:
    """An engine for the URL; on SQLite a write waits up to `busy_timeout_ms` (default SQLITE_BUSY_TIMEOUT_MS) for
    the write lock."""
    if url.startswith("sqlite"):
        busy_timeout_ms = SQLITE_BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        connect_args = {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
        pool = POOL if url.split("///", 1)[-1] not in ("", ":memory:") else {}
        engine = create_engine(url, connect_args=connect_args, **{**pool, **kwargs})
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_pre_ping=True, **{**POOL, **kwargs})


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    # pysqlite's own transaction handling starts transactions lazily and as DEFERRED, so two writers can
    # both read and then collide. Take over: a transaction begins IMMEDIATE (the write lock up front, waiting up
    # to the busy timeout for it) unless its connection was asked for a read-only unit (`reading`), which begins
    # DEFERRED and, in WAL, reads its snapshot without ever blocking or being blocked by the writer.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(UNIT_OPTION) == READ
        conn.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


ONCE_ATTRIBUTE = "payung_run_once"


def run_once(service: Callable[..., T]) -> Callable[..., T]:
    """Mark a service whose unit of work has an effect outside the database before it commits (an e-mail sent):
    `run_unit` never runs it twice, a busy database ends it with DatabaseBusy at the first attempt."""
    setattr(service, ONCE_ATTRIBUTE, True)
    return service


def attempts_for(service: Callable[..., Any]) -> int:
    """How often `run_unit` may run this service's unit of work: once if marked `run_once`."""
    return 1 if getattr(service, ONCE_ATTRIBUTE, False) else UNIT_ATTEMPTS


def is_busy(exc: BaseException) -> bool:
    """True for the database's "try again" answers: SQLite's "database is locked"/"database table is locked"/
    "database is busy" (SQLITE_BUSY, SQLITE_LOCKED) and PostgreSQL's serialization failure and deadlock. Nothing
    else (a constraint, a syntax error, a lost connection) is retried."""
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(original, sqlite3.OperationalError):
        message = str(original).lower()
        return "locked" in message or "busy" in message
    return getattr(original, "sqlstate", None) in _POSTGRES_RETRYABLE


def run_unit(
    engine: Engine,
    work: Callable[[Session], T],
    *,
    write: bool,
    attempts: int = UNIT_ATTEMPTS,
    pause_s: float = RETRY_PAUSE_S,
) -> T:
    """Run one unit of work (`work(session)`, which commits what it writes) in a fresh Session; if the database
    answers busy, roll the whole unit back and run it again from the start — never one statement alone, which
    could mix two snapshots. Safe because an attempt that failed left nothing behind: `work` must have no effect
    outside the database before its commit (every service here: mail goes through the outbox table).
    After the last attempt raises DatabaseBusy, whose Indonesian message tells the user to try again; the page
    keeps what was typed."""
    began = time.monotonic()
    for attempt in range(1, attempts + 1):
        # A read unit that writes (a staff view's audit row) and met a commit since its snapshot is answered busy
        # at once on SQLite (the busy timeout cannot help a stale snapshot): it is run again as a write unit,
        # which waits for the lock first and reads after it (75 sessions: "Ikrar saya" showed "coba lagi").
        bind = engine if write or attempt > 1 else reading(engine)
        try:
            with Session(bind, expire_on_commit=False) as session:
                return work(session)
        except DBAPIError as exc:
            if not is_busy(exc):
                raise
            if attempt == attempts or time.monotonic() - began > RETRY_BUDGET_S:
                raise DatabaseBusy(BUSY_MESSAGE) from exc
        time.sleep(pause_s * 2 ** (attempt - 1) * (0.5 + random.random()))  # jitter: retries do not collide again
    raise AssertionError("unreachable")


@event.listens_for(OrmSession, "before_flush")
def _refuse_nul(session: OrmSession, _context: Any, _instances: Any) -> None:
    """A NUL byte cannot be stored by PostgreSQL (the driver's DataError used to reach the page with its SQL);
    SQLite would store it and break exports. Refused for every row any service writes, with a clear message;
    fields people type are checked earlier and more strictly (services/platform/text.py)."""
    for row in (*session.new, *session.dirty):
        for name, value in vars(row).items():
            if isinstance(value, str) and "\x00" in value:
                raise ValidationError(text.control_character_problem(value, label=f"Isian {name}") or "")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One Session per interaction; rolled back on error, closed always."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        except Exception:
            session.rollback()
            raise


def alembic_config(url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    command.upgrade(alembic_config(url), "head")


_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_grants(*, role: str, database: str) -> list[str]:
    """What the application's PostgreSQL role may do (run by the owner after each migration; docs/deploy.md).

    It reads and writes the tables it owns nothing of, and may only INSERT and SELECT audit rows: together with
    the trigger of migration 0003 (which it cannot drop, not being the owner) the audit log is append-only."""
    for name in (role, database):
        if not _ROLE_NAME.match(name):
            raise ValueError(f"not a plain PostgreSQL identifier: {name!r}")
    return [
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON auditlog FROM {role}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]
