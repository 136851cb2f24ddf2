"""The payer ledger: one row per worker per covered month, naming its one payer.

Every place that starts or ends cover calls one function here, in its own transaction:
- `sync_assignments` after assignments of company pledges (CSR) were created, released or renewed;
- `write_cover` / `clear_cover` for cover paid by another payer (imports, the city's allocation, a clerk's mark).
The UNIQUE(worker_id, month) constraint of `covermonth` makes the database refuse a second payer for a month,
whoever writes it and however many write at once (see docs/payers.md). A refused write raises IntegrityError,
which the callers' retry loops and transactions already handle: nothing is half-written.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import and_, delete, exists, or_, select
from sqlmodel import Session, col

from models import HOLDING_STATUSES, Assignment, AssignmentStatus, CoverMonth, PayerKind, Pledge, Worker
from models.common import utcnow
from services.platform.bulk import insert_rows
from services.platform.dates import add_months, month_start

CHUNK = 5_000  # ids per IN (...) list (SQLite's parameter limit)
OPEN_ENDED_MONTHS = 12  # other cover imported without an end date is written for this many months
_HOLDING = [s.value for s in HOLDING_STATUSES]
_COLUMNS = ["worker_id", "month", "payer", "programme", "assignment_id", "allocation_id", "import_id", "created_at"]


PAYER_LABELS = {
    PayerKind.CITY_BUDGET.value: "APBD Kota",
    PayerKind.CSR.value: "CSR perusahaan",
    PayerKind.OTHER_PROGRAMME.value: "Program lain",
    PayerKind.SELF_PAID.value: "Mandiri",
}
# Other programmes the lists name, as the portal spells them (key: lower case, single spaces).
PROGRAMMES = {
    "apbd provinsi": "APBD Provinsi",
    "apbd prov": "APBD Provinsi",
    "baznas": "BAZNAS (zakat)",
    "zakat": "BAZNAS (zakat)",
    "baznas/zakat": "BAZNAS (zakat)",
    "dana desa": "Dana desa",
}


def payer_label(payer: str) -> str:
    return PAYER_LABELS.get(payer, payer)


def programme_name(value: object) -> str:
    """The named programme of an 'other programme' cell ('' when the cell only says 'program lain')."""
    key = " ".join(str(value or "").strip().lower().split())
    return PROGRAMMES.get(key, "")


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from `first`'s month to `last`'s month, both included (empty if reversed)."""
    out: list[dt.date] = []
    month, end = month_start(first), month_start(last)
    while month <= end:
        out.append(month)
        month = add_months(month, 1)
    return out


def csr_months(*, start_month: dt.date, months: int, today: dt.date) -> list[dt.date]:
    """The months a pledge's worker is paid for: the pledge's months, from the month the worker is matched on
    (BPJS cover never starts in the past)."""
    last = add_months(start_month, months - 1)
    return months_between(max(month_start(start_month), month_start(today)), last)


def other_months(*, first: dt.date, last: dt.date | None) -> list[dt.date]:
    """Months of cover paid by another payer; open-ended cover is written for OPEN_ENDED_MONTHS months."""
    return months_between(first, last if last is not None else add_months(first, OPEN_ENDED_MONTHS - 1))


def _chunks(ids: Iterable[int]) -> list[list[int]]:
    ordered = sorted(set(ids))
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def _insert(session: Session, rows: list[dict[str, object]]) -> None:
    # Every row carries every column, so COPY (PostgreSQL) and executemany see the same values.
    full = [{c: r.get(c) for c in _COLUMNS} for r in rows]
    insert_rows(session, CoverMonth.__table__, full)  # type: ignore[attr-defined]


def sync_assignments(*, session: Session, worker_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Bring the ledger in line with these workers' pledge assignments: months of released assignments are
    given back, holding assignments without months get theirs. Returns the months written."""
    today = today or dt.date.today()
    now = utcnow()
    written = 0
    for chunk in _chunks(worker_ids):
        released = select(col(Assignment.id)).where(
            col(Assignment.worker_id).in_(chunk), col(Assignment.status) == AssignmentStatus.RELEASED.value
        )
        session.execute(delete(CoverMonth).where(col(CoverMonth.assignment_id).in_(released)))
        has_months = exists().where(col(CoverMonth.assignment_id) == Assignment.id)
        todo = session.execute(
            select(col(Assignment.id), col(Assignment.worker_id), col(Pledge.start_month), col(Pledge.months))
            .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
            .where(col(Assignment.worker_id).in_(chunk), col(Assignment.status).in_(_HOLDING), ~has_months)
            .order_by(col(Assignment.worker_id))
        ).all()
        rows: list[dict[str, object]] = [
            {
                "worker_id": wid,
                "month": m,
                "payer": PayerKind.CSR.value,
                "programme": "",
                "assignment_id": aid,
                "created_at": now,
            }
            for aid, wid, start, months in todo
            for m in csr_months(start_month=start, months=months, today=today)
        ]
        _insert(session, rows)
        written += len(rows)
    session.flush()
    return written


@dataclass(frozen=True)
class Cover:
    """Cover of one worker by a payer other than a pledge, over whole months."""

    worker_id: int
    payer: str  # a PayerKind value other than CSR
    months: Sequence[dt.date]
    programme: str = ""
    allocation_id: int | None = None
    import_id: int | None = None


def write_cover(*, session: Session, covers: Sequence[Cover]) -> int:
    """Write other payers' months. A month another payer already holds makes the database refuse the whole
    transaction (IntegrityError): callers check `taken_months` first to say which rows conflict."""
    now = utcnow()
    rows: list[dict[str, object]] = [
        {
            "worker_id": c.worker_id,
            "month": m,
            "payer": c.payer,
            "programme": c.programme[:60],
            "allocation_id": c.allocation_id,
            "import_id": c.import_id,
            "created_at": now,
        }
        for c in covers
        for m in c.months
    ]
    _insert(session, rows)
    session.flush()
    return len(rows)


def _imported() -> object:
    return and_(col(CoverMonth.assignment_id).is_(None), col(CoverMonth.allocation_id).is_(None))


def clear_cover(*, session: Session, worker_ids: Iterable[int], from_month: dt.date) -> int:
    """Remove imported or hand-marked cover (not pledges', not the allocation's) from `from_month` on: a new
    list replaces the old one for the months to come; months already past stay as they were paid."""
    removed = 0
    for chunk in _chunks(worker_ids):
        result = session.execute(
            delete(CoverMonth).where(
                col(CoverMonth.worker_id).in_(chunk),
                col(CoverMonth.month) >= month_start(from_month),
                _imported(),  # type: ignore[arg-type]
            )
        )
        removed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    session.flush()
    return removed


def taken_months(
    *, session: Session, worker_ids: Iterable[int], first: dt.date, last: dt.date, replaceable: bool = True
) -> dict[int, tuple[dt.date, str]]:
    """Per worker, the first month in [first, last] already paid by someone who stays: a registered pledge, the
    city's allocation, or (`replaceable` False) an earlier import. Proposed pledge months never block: a cover
    from another payer releases them. Returns {worker_id: (month, payer)}."""
    stays = or_(
        col(CoverMonth.allocation_id).is_not(None),
        col(CoverMonth.assignment_id).in_(
            select(col(Assignment.id)).where(col(Assignment.status) != AssignmentStatus.ASSIGNED.value)
        ),
    )
    if not replaceable:
        stays = or_(stays, _imported())  # type: ignore[arg-type]
    out: dict[int, tuple[dt.date, str]] = {}
    for chunk in _chunks(worker_ids):
        for wid, month, payer in session.execute(
            select(col(CoverMonth.worker_id), col(CoverMonth.month), col(CoverMonth.payer))
            .where(
                col(CoverMonth.worker_id).in_(chunk),
                col(CoverMonth.month) >= month_start(first),
                col(CoverMonth.month) <= month_start(last),
                stays,
            )
            .order_by(col(CoverMonth.worker_id), col(CoverMonth.month))
        ).all():
            out.setdefault(int(wid), (month, str(payer)))
    return out


def _months_by_worker(
    session: Session, worker_ids: Iterable[int], first: dt.date, last: dt.date, own: object
) -> dict[int, list[tuple[dt.date, str, object]]]:
    """Per worker, the months in [first, last] with their payer and the value of the `own` column, sorted."""
    by_worker: dict[int, list[tuple[dt.date, str, object]]] = {}
    for chunk in _chunks(worker_ids):
        for wid, month, payer, mine in session.execute(
            select(col(CoverMonth.worker_id), col(CoverMonth.month), col(CoverMonth.payer), own)  # type: ignore[call-overload]
            .where(
                col(CoverMonth.worker_id).in_(chunk),
                col(CoverMonth.month) >= month_start(first),
                col(CoverMonth.month) <= month_start(last),
            )
            .order_by(col(CoverMonth.month))
        ).all():
            by_worker.setdefault(int(wid), []).append((month, str(payer), mine))
    return by_worker


def months_of_others(
    *, session: Session, assignments: dict[int, int], first: dt.date, last: dt.date
) -> dict[int, list[tuple[dt.date, str]]]:
    """For assignments {assignment_id: worker_id}: the months in [first, last] their workers have from any other
    source (another assignment, the city, an import), per assignment, sorted."""
    by_worker = _months_by_worker(session, assignments.values(), first, last, col(CoverMonth.assignment_id))
    return {a: [(m, p) for m, p, own in by_worker.get(w, []) if own != a] for a, w in assignments.items()}


def city_months_of_others(
    *, session: Session, pairs: Sequence[tuple[int, int]], first: dt.date, last: dt.date
) -> dict[tuple[int, int], list[tuple[dt.date, str]]]:
    """For (allocation_id, worker_id) pairs: the months in [first, last] the worker has from any source other
    than that allocation, sorted."""
    by_worker = _months_by_worker(session, [w for _, w in pairs], first, last, col(CoverMonth.allocation_id))
    return {(a, w): [(m, p) for m, p, own in by_worker.get(w, []) if own != a] for a, w in pairs}


def align_assignments(*, session: Session, covers: Sequence[tuple[int, int, dt.date, dt.date]]) -> None:
    """BPJS's coverage dates become the pledge's months: for (assignment_id, worker_id, start, end), the
    assignment's months are replaced by every month from start to end (check `months_of_others` first)."""
    end_assignments_from(session=session, assignment_ids=[a for a, *_ in covers], from_month=dt.date(1900, 1, 1))
    now = utcnow()
    _insert(
        session,
        [
            {
                "worker_id": w,
                "month": m,
                "payer": PayerKind.CSR.value,
                "programme": "",
                "assignment_id": a,
                "created_at": now,
            }
            for a, w, start, end in covers
            for m in months_between(start, end)
        ],
    )
    session.flush()


def release_city(*, session: Session, pairs: Sequence[tuple[int, int]]) -> None:
    """These (allocation_id, worker_id) pay nothing any more (BPJS refused the registration): the worker's months
    of that allocation are given back, and the worker returns to the pool."""
    by_allocation: dict[int, list[int]] = {}
    for allocation_id, worker_id in pairs:
        by_allocation.setdefault(allocation_id, []).append(worker_id)
    for allocation_id, workers in by_allocation.items():
        for chunk in _chunks(workers):
            session.execute(
                delete(CoverMonth).where(
                    col(CoverMonth.worker_id).in_(chunk), col(CoverMonth.allocation_id) == allocation_id
                )
            )
    session.flush()


def align_city(*, session: Session, covers: Sequence[tuple[int, int, dt.date, dt.date]]) -> None:
    """BPJS's coverage dates become the city's months: for (allocation_id, worker_id, start, end), the worker's
    months of that allocation are replaced by every month from start to end (check `city_months_of_others`)."""
    release_city(session=session, pairs=[(a, w) for a, w, _, _ in covers])
    write_cover(
        session=session,
        covers=[
            Cover(w, PayerKind.CITY_BUDGET.value, months_between(start, end), allocation_id=a)
            for a, w, start, end in covers
        ],
    )


def end_assignments_from(*, session: Session, assignment_ids: Iterable[int], from_month: dt.date) -> None:
    """These pledge assignments pay nothing from `from_month` on (a renewal takes over from there)."""
    for chunk in _chunks(assignment_ids):
        session.execute(
            delete(CoverMonth).where(
                col(CoverMonth.assignment_id).in_(chunk), col(CoverMonth.month) >= month_start(from_month)
            )
        )
    session.flush()


def busy_workers(*, session: Session, worker_ids: Iterable[int], first: dt.date, last: dt.date) -> set[int]:
    """Those of these workers with a month in [first, last] already paid by anyone."""
    out: set[int] = set()
    for chunk in _chunks(worker_ids):
        out.update(
            int(w)
            for w in session.execute(
                select(col(CoverMonth.worker_id))
                .where(
                    col(CoverMonth.worker_id).in_(chunk),
                    col(CoverMonth.month) >= month_start(first),
                    col(CoverMonth.month) <= month_start(last),
                )
                .distinct()
            ).scalars()
        )
    return out


def paid_by_others(*, from_month: dt.date, to_month: dt.date | None = None) -> object:
    """SQL condition on Worker: some month from `from_month` (to `to_month`) is paid by a payer other than a
    company pledge. Matching leaves such workers out; they return to the pool when those months end."""
    where = [
        col(CoverMonth.worker_id) == Worker.id,
        col(CoverMonth.month) >= month_start(from_month),
        col(CoverMonth.assignment_id).is_(None),
    ]
    if to_month is not None:
        where.append(col(CoverMonth.month) <= month_start(to_month))
    return exists().where(*where)


def month_has_payer(*, from_month: dt.date, to_month: dt.date) -> object:
    """SQL condition on Worker: some month in [from_month, to_month] already has a payer (any kind)."""
    return exists().where(
        col(CoverMonth.worker_id) == Worker.id,
        col(CoverMonth.month) >= month_start(from_month),
        col(CoverMonth.month) <= month_start(to_month),
    )


def backfill(*, session: Session, today: dt.date | None = None, rebuild_pledges: bool = False) -> int:
    """Months for cover made before the ledger existed (or outside the services): every holding assignment
    without months, and every worker marked covered elsewhere whose other cover has no months from this month
    on. Idempotent; does not commit. Returns the months written. `rebuild_pledges` first drops every pledge
    month (the demo, whose timeline moves pledges back in time after matching)."""
    today = today or dt.date.today()
    if rebuild_pledges:
        session.execute(delete(CoverMonth).where(col(CoverMonth.assignment_id).is_not(None)))
    holders = session.execute(
        select(col(Assignment.worker_id)).where(
            col(Assignment.status).in_(_HOLDING),
            ~exists().where(col(CoverMonth.assignment_id) == Assignment.id),
        )
    ).scalars()
    written = sync_assignments(session=session, worker_ids=[int(w) for w in holders], today=today)
    first = month_start(today)
    any_month = exists().where(col(CoverMonth.worker_id) == Worker.id, col(CoverMonth.month) >= first)
    flagged = session.execute(
        select(col(Worker.id), col(Worker.covered_by), col(Worker.covered_until)).where(
            col(Worker.covered_elsewhere).is_(True),
            or_(col(Worker.covered_until).is_(None), col(Worker.covered_until) >= first),
            ~any_month,  # a worker with months from now on already has a payer: left as it is
        )
    ).all()
    covers = [
        Cover(int(wid), str(payer or PayerKind.OTHER_PROGRAMME.value), other_months(first=first, last=until))
        for wid, payer, until in flagged
    ]
    return written + write_cover(session=session, covers=covers)
