"""Login throttling per (username, client): growing delays, then a block for that client only.

A try is *reserved* before the password is checked, in one atomic statement (INSERT … ON CONFLICT DO UPDATE
SET failures = failures + 1 … RETURNING failures), so a wave of parallel tries gets at most
`MAX_FAILED_ATTEMPTS` checks: the database hands out the numbers, nobody reads then writes. The counter is
keyed by the username *and* a keyed hash of the client address, so a stranger's wrong passwords block the
stranger, not the real user coming from elsewhere (OWASP: prefer throttling per source over account lockout).
"""

import datetime as dt
import hashlib
import hmac

from sqlalchemy import and_, case, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from models import LoginThrottle
from models.common import utcnow

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)
# Growing delays before the block: after the 2nd, 3rd and 4th wrong password the next try waits 1, 2, 4 s.
_DELAYS = {2: dt.timedelta(seconds=1), 3: dt.timedelta(seconds=2), 4: dt.timedelta(seconds=4)}
UNKNOWN_CLIENT = "tanpa-alamat"


def client_key(address: str | None, *, secret: str) -> str:
    """A keyed hash of the client address: rows never hold an IP address, and it cannot be brute-forced back."""
    raw = (address or UNKNOWN_CLIENT).strip().lower()
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()[:32]


def delay_after(failures: int) -> dt.timedelta:
    """How long a client waits after its `failures`-th wrong password in a row."""
    if failures >= MAX_FAILED_ATTEMPTS:
        return LOCKOUT
    return _DELAYS.get(failures, dt.timedelta(0))


def reserve(*, session: Session, username: str, client: str, now: dt.datetime | None = None) -> int | None:
    """Atomically take the next try for (username, client); commits. Returns its number, or None if the client
    must still wait. A number above MAX_FAILED_ATTEMPTS means: refuse without checking the password."""
    now = now or utcnow()
    table = LoginThrottle.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stale = or_(
        table.c.updated_at <= now - LOCKOUT,  # a quiet quarter of an hour forgets old mistakes
        and_(table.c.failures >= MAX_FAILED_ATTEMPTS, table.c.blocked_until <= now),  # a block served
    )
    stmt = (
        insert(table)
        .values(username=username, client_key=client, failures=1, blocked_until=None, updated_at=now)
        .on_conflict_do_update(
            index_elements=["username", "client_key"],
            set_={"failures": case((stale, 1), else_=table.c.failures + 1), "updated_at": now},
            where=or_(table.c.blocked_until.is_(None), table.c.blocked_until <= now),
        )
        .returning(table.c.failures)
    )
    number = session.connection().execute(stmt).scalar()
    session.commit()
    return None if number is None else int(number)


def record_failure(
    *, session: Session, username: str, client: str, number: int, now: dt.datetime | None = None
) -> None:
    """After a wrong password (or a refused try over the limit): make the client wait. Only ever extends a wait.
    Does not commit (the caller audits in the same transaction)."""
    now = now or utcnow()
    until = now + delay_after(number)
    if until <= now:
        return
    session.connection().execute(
        update(LoginThrottle)
        .where(
            col(LoginThrottle.username) == username,
            col(LoginThrottle.client_key) == client,
            or_(col(LoginThrottle.blocked_until).is_(None), col(LoginThrottle.blocked_until) < until),
        )
        .values(blocked_until=until)
    )


def clear(*, session: Session, username: str, client: str | None = None, number: int | None = None) -> int:
    """Forget the failures of one client (after a success), or of every client (admin unlock). No commit.

    After a success pass its try `number`: the row goes only if no other try was reserved since, so a success in
    the middle of a parallel wave does not hand the rest of the wave a fresh allowance."""
    stmt = delete(LoginThrottle).where(col(LoginThrottle.username) == username)
    if client is not None:
        stmt = stmt.where(col(LoginThrottle.client_key) == client)
    if number is not None:
        stmt = stmt.where(col(LoginThrottle.failures) == number)
    return int(session.connection().execute(stmt).rowcount or 0)


def purge_stale(*, session: Session, now: dt.datetime | None = None) -> int:
    """Drop rows nobody has touched for a day (tries with random usernames must not grow the table forever)."""
    now = now or utcnow()
    stmt = delete(LoginThrottle).where(col(LoginThrottle.updated_at) < now - dt.timedelta(days=1))
    removed = int(session.connection().execute(stmt).rowcount or 0)
    session.commit()
    return removed
