"""Writing and reading the state history of pledges and assignments (issue 21, `models/history.py`).

Writers: every command that changes a status calls `sync_pledges` / `sync_assignments` after its change and
before its commit, with the moment of the change and a condition that covers the rows it touched (a superset
is fine: syncing is idempotent, a row whose state did not change keeps its open period). So the history is
written in the same transaction as the change, by one piece of code.

Readers: `open_at(table, cut)` is the condition "this period was the one in force at `cut`".

`backfill` fills the history of rows that have none from the timestamps they carry (migration 0008, and the
demo, which dates its rows after writing them); `drift` lists rows whose open period disagrees with their
current state (the tests' guard that no writer forgot the history).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, case, delete, exists, insert, literal, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from models import Assignment, AssignmentHistory, AssignmentStatus, Pledge, PledgeHistory, PledgeStatus, Worker
from models.common import utcnow
from services.platform.dates import cover_end

_CHUNK = 5_000
P, A = Pledge.__table__, Assignment.__table__  # type: ignore[attr-defined]
PH, AH = PledgeHistory.__table__, AssignmentHistory.__table__  # type: ignore[attr-defined]
W = Worker.__table__  # type: ignore[attr-defined]
CARD = (AssignmentStatus.ACTIVE.value, AssignmentStatus.EXPIRED.value, AssignmentStatus.RENEWED.value)


def chunks(ids: Iterable[int]) -> list[list[int]]:
    ordered = sorted(set(int(i) for i in ids))
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


def _now(now: dt.datetime | None) -> Any:
    return literal(now or utcnow(), PH.c.since.type)


def sync_pledges(*, session: Session, where: ColumnElement[bool], now: dt.datetime | None = None) -> None:
    """Close the open period of each pledge matching `where` whose status or size changed; open the new one."""
    session.flush()
    moment = _now(now)
    changed = exists(
        select(1).where(P.c.id == PH.c.pledge_id, or_(P.c.status != PH.c.status, P.c.workers != PH.c.workers), where)
    )
    session.execute(update(PH).where(PH.c.until.is_(None), changed).values(until=moment))
    h = PH.alias("h")
    has_open = exists(select(1).where(h.c.pledge_id == P.c.id, h.c.until.is_(None)))
    session.execute(
        insert(PH).from_select(
            ["pledge_id", "status", "workers", "since"],
            select(P.c.id, P.c.status, P.c.workers, moment).where(where, ~has_open),
        )
    )


def sync_assignments(*, session: Session, where: ColumnElement[bool], now: dt.datetime | None = None) -> None:
    """Close the open period of each assignment matching `where` whose status (or cover) changed; open the new
    one with what the read side counts by (worker's kelurahan, cover dates, carried)."""
    session.flush()
    moment = _now(now)
    differs = or_(
        A.c.status != AH.c.status,
        A.c.coverage_start.is_distinct_from(AH.c.coverage_start),
        A.c.coverage_end.is_distinct_from(AH.c.coverage_end),
    )
    changed = exists(select(1).where(A.c.id == AH.c.assignment_id, differs, where))
    session.execute(update(AH).where(AH.c.until.is_(None), changed).values(until=moment))
    h = AH.alias("h")
    has_open = exists(select(1).where(h.c.assignment_id == A.c.id, h.c.until.is_(None)))
    carried = and_(P.c.renewed_from_id.is_not(None), A.c.registered_at.is_(None), A.c.status.in_(CARD))
    session.execute(
        insert(AH).from_select(
            [
                "assignment_id",
                "worker_id",
                "pledge_id",
                "kelurahan_code",
                "coverage_start",
                "coverage_end",
                "carried",
                "status",
                "since",
            ],
            select(
                A.c.id,
                A.c.worker_id,
                A.c.pledge_id,
                W.c.kelurahan_code,
                A.c.coverage_start,
                A.c.coverage_end,
                case((carried, True), else_=False),
                A.c.status,
                moment,
            )
            .join(W, W.c.id == A.c.worker_id)
            .join(P, P.c.id == A.c.pledge_id)
            .where(where, ~has_open),
        )
    )


def sync_pledge_ids(*, session: Session, ids: Iterable[int], now: dt.datetime | None = None) -> None:
    for chunk in chunks(ids):
        sync_pledges(session=session, where=P.c.id.in_(chunk), now=now)


def sync_assignment_ids(*, session: Session, ids: Iterable[int], now: dt.datetime | None = None) -> None:
    for chunk in chunks(ids):
        sync_assignments(session=session, where=A.c.id.in_(chunk), now=now)


def open_at(table: Any, cut: dt.datetime) -> ColumnElement[bool]:
    """The period of `table` (PledgeHistory or AssignmentHistory, class or table) in force at `cut`.

    Periods are closed at the moment of a change, never in the future, so at or after now the period in force
    is the open one (the same rule, with a condition the index answers)."""
    t = getattr(table, "__table__", table)
    if cut >= utcnow():
        return and_(t.c.until.is_(None), t.c.since <= cut)
    return and_(t.c.since <= cut, or_(t.c.until.is_(None), t.c.until > cut))


def drift(*, session: Session) -> list[str]:
    """Rows whose open history period disagrees with their state, or that have none or more than one."""
    out: list[str] = []
    open_p = PH.alias("op")
    rows = session.execute(
        select(P.c.id, P.c.status, P.c.workers, open_p.c.status, open_p.c.workers).outerjoin(
            open_p, and_(open_p.c.pledge_id == P.c.id, open_p.c.until.is_(None))
        )
    ).all()
    seen: set[int] = set()
    for pid, status, workers, h_status, h_workers in rows:
        if pid in seen:
            out.append(f"pledge {pid}: more than one open period")
        seen.add(pid)
        if (status, workers) != (h_status, h_workers):
            out.append(f"pledge {pid}: {status}/{workers} but history says {h_status}/{h_workers}")
    open_a = AH.alias("oa")
    rows = session.execute(
        select(
            A.c.id, A.c.status, A.c.coverage_start, A.c.coverage_end,
            open_a.c.status, open_a.c.coverage_start, open_a.c.coverage_end,
        ).outerjoin(open_a, and_(open_a.c.assignment_id == A.c.id, open_a.c.until.is_(None)))
    ).all()  # fmt: skip
    seen = set()
    for aid, status, start, end, h_status, h_start, h_end in rows:
        if aid in seen:
            out.append(f"assignment {aid}: more than one open period")
        seen.add(aid)
        if status != h_status:
            out.append(f"assignment {aid}: {status} but history says {h_status}")
        elif (start, end) != (h_start, h_end):
            out.append(f"assignment {aid}: cover {start}..{end} but history says {h_start}..{h_end}")
    return out


# ---------------------------------------------------------------------------------------------------------------
# Backfill from the timestamps rows carry (rows written before the history existed, or dated afterwards)


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    if at is None or at.tzinfo is not None:
        return at
    return at.replace(tzinfo=dt.UTC)


def _periods(steps: Sequence[tuple[dt.datetime | None, str]], final: str, last_change: dt.datetime | None) -> list:
    """(since, until, status) from the known steps in order; the last period is the row's current status."""
    out: list[list[Any]] = []
    for at, status in steps:
        if at is None:
            continue
        if out and at < out[-1][0]:
            at = out[-1][0]  # a step cannot precede the one before it
        if out and out[-1][2] == status:
            continue
        if out and at == out[-1][0]:
            out[-1][2] = status
            continue
        out.append([at, None, status])
    if not out or out[-1][2] != final:
        last_change = last_change or utcnow()
        out.append([max(last_change, out[-1][0]) if out else last_change, None, final])
    for before, after in zip(out, out[1:], strict=False):
        before[1] = after[0]
    return out


def pledge_steps(
    row: Any,
    first_match: dt.datetime | None,
    first_registration: dt.datetime | None,
    first_cover: dt.date | None,
    renewed_at: dt.datetime | None,
) -> list[tuple[dt.datetime | None, str]]:
    """What a pledge's timestamps say about its path: submitted, matched, registered, active, then its end."""
    s = PledgeStatus
    final = row.status
    later = {
        s.SUBMITTED: 0,
        s.MATCHED: 1,
        s.REGISTERED: 2,
        s.ACTIVE: 3,
        s.EXPIRED: 4,
        s.RENEWED: 4,
        s.CANCELLED: 4,
    }
    reach = later.get(final, 0)
    steps: list[tuple[dt.datetime | None, str]] = [(_aware(row.created_at), s.SUBMITTED.value)]
    if row.renewed_from_id is not None and first_registration is None and first_cover is not None:
        # A renewal whose workers kept their cards starts active (services.pledges.commands.renew_pledge).
        steps = [(_aware(row.created_at), s.ACTIVE.value)]
        reach = 0
    # A cancelled pledge was never registered: its first registration and cover are None and skipped.
    if reach >= 1:
        steps.append((first_match, s.MATCHED.value))
    if reach >= 2:
        steps.append((first_registration, s.REGISTERED.value))
    if reach >= 3:
        steps.append((_midnight(first_cover), s.ACTIVE.value))
    if final == s.EXPIRED:
        steps.append((_midnight(cover_end(row.start_month, row.months) + dt.timedelta(days=1)), s.EXPIRED.value))
    if final == s.RENEWED:
        steps.append((renewed_at, s.RENEWED.value))
    if final == s.CANCELLED:
        steps.append((_aware(row.cancelled_at), s.CANCELLED.value))
    return steps


def assignment_steps(row: Any, carried: bool, renewed_at: dt.datetime | None) -> list[tuple[dt.datetime | None, str]]:
    """What an assignment's timestamps say: assigned (or carried over active by a renewal), registered, active
    from its cover start, expired the day after its cover ended, renewed when the renewal was made."""
    s = AssignmentStatus
    final = row.status
    created = _aware(row.created_at)
    if final in (s.ASSIGNED, s.RELEASED, s.REGISTERED) or not carried:
        steps: list[tuple[dt.datetime | None, str]] = [(created, s.ASSIGNED.value)]
    else:
        steps = [(created, s.ACTIVE.value)]
    if final == s.REGISTERED or final in CARD:
        steps.append((_aware(row.registered_at), s.REGISTERED.value))
    if final in CARD:
        start = _midnight(row.coverage_start)
        steps.append((max(start, created) if start and created else created, s.ACTIVE.value))
    if final == s.EXPIRED:
        steps.append((_midnight(row.coverage_end + dt.timedelta(days=1)) if row.coverage_end else None, final))
    if final == s.RENEWED:
        steps.append((renewed_at, final))
    return steps


def backfill(connection: Connection) -> tuple[int, int]:
    """History for every pledge and assignment that has none, from their timestamps. Returns the rows written."""
    pledges = connection.execute(select(P).where(~exists(select(1).where(PH.c.pledge_id == P.c.id)))).all()
    assignments = connection.execute(select(A).where(~exists(select(1).where(AH.c.assignment_id == A.c.id)))).all()
    renewed_at = {
        int(r.renewed_from_id): _aware(r.created_at)
        for r in connection.execute(select(P.c.renewed_from_id, P.c.created_at).where(P.c.renewed_from_id.is_not(None)))
    }
    renewal = {int(r.id) for r in connection.execute(select(P.c.id).where(P.c.renewed_from_id.is_not(None)))}
    firsts: dict[int, list[Any]] = {}
    for a in connection.execute(
        select(A.c.pledge_id, A.c.created_at, A.c.registered_at, A.c.coverage_start, A.c.status)
    ):
        f = firsts.setdefault(int(a.pledge_id), [None, None, None])
        for i, value in enumerate(
            (_aware(a.created_at), _aware(a.registered_at), a.coverage_start if a.status in CARD else None)
        ):
            if value is not None and (f[i] is None or value < f[i]):
                f[i] = value
    p_rows, a_rows = [], []
    for p in pledges:
        first = firsts.get(int(p.id), [None, None, None])
        steps = pledge_steps(p, first[0], first[1], first[2], renewed_at.get(int(p.id)))
        for since, until, status in _periods(steps, p.status, _aware(p.updated_at or p.created_at)):
            p_rows.append({"pledge_id": p.id, "status": status, "workers": p.workers, "since": since, "until": until})
    kelurahan: dict[int, str] = (
        {int(i): str(k) for i, k in connection.execute(select(W.c.id, W.c.kelurahan_code)).all()} if assignments else {}
    )
    for a in assignments:
        carried = int(a.pledge_id) in renewal and a.registered_at is None
        steps = assignment_steps(a, carried, renewed_at.get(int(a.pledge_id)))
        for since, until, status in _periods(steps, a.status, _aware(a.updated_at or a.created_at)):
            card = status in CARD
            a_rows.append(
                {
                    "assignment_id": a.id,
                    "worker_id": a.worker_id,
                    "pledge_id": a.pledge_id,
                    "kelurahan_code": kelurahan[a.worker_id],
                    "coverage_start": a.coverage_start if card else None,
                    "coverage_end": a.coverage_end if card else None,
                    "carried": card and carried,
                    "status": status,
                    "since": since,
                    "until": until,
                }
            )
    for table, rows in ((PH, p_rows), (AH, a_rows)):
        for i in range(0, len(rows), _CHUNK):
            connection.execute(insert(table), rows[i : i + _CHUNK])
    return len(p_rows), len(a_rows)


def rebuild(*, session: Session) -> tuple[int, int]:
    """Forget the history and write it again from the timestamps (the demo dates its rows after writing them)."""
    session.flush()
    session.execute(delete(AH))
    session.execute(delete(PH))
    return backfill(session.connection())
