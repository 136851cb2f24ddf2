"""Engine factory and migrations. SQLite: WAL, busy timeout, foreign keys, BEGIN IMMEDIATE writes."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from services.platform.settings import PROJECT_ROOT

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling starts transactions lazily and as DEFERRED, so two writers can
    # both read and then collide. Take over: every transaction begins IMMEDIATE (the write lock up front).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


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


def copy_rows(session: Session, table: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """Bulk insert on PostgreSQL with COPY ... FROM STDIN, on the session's own connection (same transaction,
    same constraints). Several times faster than an executemany INSERT for 100,000+ rows."""
    import psycopg  # PostgreSQL only: the driver the engine uses
    from sqlalchemy.exc import DBAPIError, IntegrityError

    session.flush()
    raw = session.connection().connection.dbapi_connection
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    try:
        with raw.cursor() as cur, cur.copy(statement) as copy:  # type: ignore[union-attr]
            for r in rows:
                copy.write_row(tuple(r[c] for c in columns))
    except psycopg.errors.IntegrityError as exc:  # callers know SQLAlchemy's exception types
        raise IntegrityError(statement, None, exc) from exc
    except psycopg.Error as exc:
        raise DBAPIError(statement, None, exc) from exc
