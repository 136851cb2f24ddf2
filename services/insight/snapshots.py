"""The city dashboard's read model stored in the database (issue 26), beside the per-process cache.

The dashboard's read model (figures, chart specs, maps, baseline forecast of one audience at one data version and
day) costs seconds to compute at regency scale. Kept only in a process's memory, it is computed again by every
server that starts, every replica that joins and every cache that was cleared - and a viewer waits for it. Stored
here once, it is read back in milliseconds by any process: a crowd arriving at a restarted server, or at a second
replica, never waits for the computation.

The payload is a zlib-compressed pickle (what `st.cache_data` keeps anyway), signed with HMAC-SHA256 under the
server's secret key: a row that anyone could write without the key (a restored backup from another install, an
edited database) is ignored, never unpickled. Rows of an audience beyond the newest KEEP versions are deleted when
a new one is stored. Storing is a short write of its own, after the computation (never inside it).
"""

import datetime as dt
import hashlib
import hmac
import pickle
import zlib
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from models import ReadModelSnapshot
from services.platform.db import run_unit

KEEP = 4  # versions kept per audience (the one shown, the newest, and a little slack for replicas)


def _sign(payload: bytes, key: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def pack(value: Any, key: bytes) -> tuple[bytes, str]:
    payload = zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)
    return payload, _sign(payload, key)


def unpack(payload: bytes, signature: str, key: bytes) -> Any | None:
    """The value, or None if the signature does not match the key (never unpickle what this install did not sign)."""
    if not hmac.compare_digest(_sign(payload, key), signature):
        return None
    return pickle.loads(zlib.decompress(payload))  # noqa: S301 - signed by this install's key, checked above


def _is(audience: str, version: int, day: dt.date) -> tuple[ColumnElement[bool], ...]:
    """The primary key of one stored read model, as a WHERE clause."""
    return (
        col(ReadModelSnapshot.audience) == audience,
        col(ReadModelSnapshot.version) == version,
        col(ReadModelSnapshot.day) == day,
    )


def load(engine: Engine, audience: str, version: int, day: dt.date, key: bytes) -> Any | None:
    """The stored read model of `audience` at (version, day), or None."""

    def read(session: Session) -> Any | None:
        row = session.execute(
            select(col(ReadModelSnapshot.payload), col(ReadModelSnapshot.signature)).where(*_is(audience, version, day))
        ).first()
        return None if row is None else unpack(bytes(row[0]), row[1], key)

    return run_unit(engine, read, write=False)


def stored(engine: Engine, audience: str, version: int, day: dt.date) -> bool:
    """Whether (version, day) of `audience` is stored: a primary-key probe, no payload read."""

    def read(session: Session) -> bool:
        return (
            session.execute(select(col(ReadModelSnapshot.version)).where(*_is(audience, version, day))).first()
            is not None
        )

    return run_unit(engine, read, write=False)


def newest(engine: Engine, audience: str, day: dt.date) -> int | None:
    """The newest data version of `audience` stored for `day`, or None."""

    def read(session: Session) -> int | None:
        found = session.execute(
            select(func.max(col(ReadModelSnapshot.version))).where(
                col(ReadModelSnapshot.audience) == audience, col(ReadModelSnapshot.day) == day
            )
        ).scalar()
        return None if found is None else int(found)

    return run_unit(engine, read, write=False)


def store(engine: Engine, audience: str, version: int, day: dt.date, value: Any, key: bytes) -> bool:
    """Store the read model of `audience` at (version, day) unless another process stored it first (the same
    figures: a version's data cannot change). Keeps the newest KEEP versions of the audience. True if this call
    stored it."""
    payload, signature = pack(value, key)  # before the write transaction: it stays short
    row = {
        "audience": audience,
        "version": version,
        "day": day,
        "payload": payload,
        "signature": signature,
        "created_at": dt.datetime.now(dt.UTC),
    }

    def write(session: Session) -> bool:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        insert = dialect.insert(ReadModelSnapshot).values(**row).on_conflict_do_nothing()
        # RETURNING tells whether the row was inserted (rowcount is -1 on PostgreSQL for this statement)
        inserted = session.execute(insert.returning(col(ReadModelSnapshot.version))).first() is not None
        every = session.execute(
            select(col(ReadModelSnapshot.version), col(ReadModelSnapshot.day))
            .where(col(ReadModelSnapshot.audience) == audience)
            .order_by(col(ReadModelSnapshot.day).desc(), col(ReadModelSnapshot.version).desc())
        ).all()
        for old_version, old_day in every[KEEP:]:  # a handful of rows: one by its key
            session.execute(delete(ReadModelSnapshot).where(*_is(audience, old_version, old_day)))
        session.commit()
        return inserted

    return run_unit(engine, write, write=True)


def forget(engine: Engine, audience: str | None = None) -> None:
    """Delete the stored read models (of one audience, or all): benchmarks measuring the computation, tests."""

    def write(session: Session) -> None:
        statement = delete(ReadModelSnapshot)
        if audience is not None:
            statement = statement.where(col(ReadModelSnapshot.audience) == audience)
        session.execute(statement)
        session.commit()

    run_unit(engine, write, write=True)
