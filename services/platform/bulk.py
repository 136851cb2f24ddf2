"""Bulk inserts in the caller's transaction: COPY on PostgreSQL for many rows, executemany otherwise."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from services.platform import dataversion

COPY_MIN_ROWS = 1  # PostgreSQL: always COPY, so the race tests exercise it too (as matching does)
CHUNK = 5_000  # rows per executemany (SQLite's parameter limit)


def copy_rows(session: Session, table: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """COPY ... FROM STDIN on the session's own connection (same transaction, same constraints). A refused row
    raises SQLAlchemy's IntegrityError, as an INSERT would, so the callers' retry loops see the same type."""
    import psycopg  # PostgreSQL only; the driver the engine uses

    session.flush()
    dataversion.mark_written(session.connection(), table)  # a raw COPY passes no statement hook
    raw = session.connection().connection.dbapi_connection
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    try:
        with raw.cursor() as cur, cur.copy(statement) as copy:  # type: ignore[union-attr]
            for r in rows:
                copy.write_row(tuple(r[c] for c in columns))
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc
    except psycopg.Error as exc:
        raise DBAPIError(statement, None, exc) from exc


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows with the same keys: COPY on PostgreSQL from COPY_MIN_ROWS rows, else executemany."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_MIN_ROWS:
        copy_rows(session, table.name, list(rows[0]), rows)
        return
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(table), list(rows[i : i + CHUNK]))
