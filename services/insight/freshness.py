"""A process-wide data version for the read side's caches: bumped after every commit that wrote a row the
public board or the city dashboard counts (pledges, assignments, companies, letter recipients, campaigns, workers).

The UI caches the board and the dashboard keyed by `data_version()`, so a pledge saved in this process shows on
the next render.
Writes from another process (a CLI import, another replica) are not seen here: the UI cache also has a short TTL.
"""

import itertools
import threading

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

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
)  # worker: the dashboard's gaps count the registry; importrun: every import records one (also a COPY's)
_FLAG = "payung_board_dirty"
_counter = itertools.count(1)
_lock = threading.Lock()
_version = 0


def data_version() -> int:
    return _version


def bump() -> int:
    """Mark the board's data as changed (also called by the listeners below)."""
    global _version
    with _lock:
        _version = next(_counter)
        return _version


def _table_of(obj: object) -> str:
    table = getattr(type(obj), "__table__", None)
    return str(getattr(table, "name", ""))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    if any(_table_of(o) in WATCHED_TABLES for o in (*session.new, *session.dirty, *session.deleted)):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if str(getattr(table, "name", "")) in WATCHED_TABLES:
            state.session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_FLAG, False):
        bump()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: object) -> None:
    session.info.pop(_FLAG, None)
