"""One demo timeline, relative to the day of seeding: letter → responses → pledges → matching → cards.

Every date the demo writes comes from here, so a chart "since the letter" shows one story: the letter some
months before the day of seeding (early enough for the first responder's first year and its renewal, which
ends this month), each company's answer after the letter and a few weeks before its cover starts, the pledge
created with the answer, its workers matched at once, a renewal on the day it was made.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sqlalchemy import event
from sqlmodel import Session, select

from models import Assignment, AssignmentStatus, AuditLog, Pledge, PledgeStatus, User
from services.platform.authz import Actor
from services.platform.dates import add_months, cover_end

FIRST_START_MONTHS_AGO = 23  # the first responder's first year started here (renewed once, ends this month)
LETTER_DAY = 14


@dataclass(frozen=True)
class LetterDates:
    letter_date: dt.date
    response_deadline: dt.date
    sent_at: dt.datetime
    first_response_at: dt.datetime  # the first responder answers a week after the letter


def letter_dates(anchor: dt.date) -> LetterDates:
    """The letter two months before the first responder's cover starts; answers asked within ~2.5 months."""
    letter = add_months(anchor, -FIRST_START_MONTHS_AGO - 2).replace(day=LETTER_DAY)
    deadline = add_months(letter, 3) - dt.timedelta(days=1)  # end of the second month after the letter
    sent = dt.datetime.combine(letter + dt.timedelta(days=2), dt.time(9), tzinfo=dt.UTC)
    first = dt.datetime.combine(letter + dt.timedelta(days=7), dt.time(10), tzinfo=dt.UTC)
    return LetterDates(letter, deadline, sent, first)


def response_at(*, start_month: dt.date, letter: LetterDates, today: dt.date, rng: np.random.Generator) -> dt.datetime:
    """When a company answered with a pledge: 1-6 weeks before its cover starts, after the first responder,
    never after the day of seeding."""
    start = dt.datetime.combine(start_month, dt.time(10), tzinfo=dt.UTC)
    at = start - dt.timedelta(days=int(rng.integers(7, 43)), hours=int(rng.integers(0, 8)))
    latest = dt.datetime.combine(today, dt.time(1), tzinfo=dt.UTC)
    earliest = letter.first_response_at + dt.timedelta(days=1)
    return max(earliest, min(at, latest))


def date_history(
    *, session: Session, pledges: list[tuple[Pledge, dt.datetime]], renewed_on: dict[int, dt.date]
) -> None:
    """Put the rows the demo wrote 'now' on the timeline: each pledge created when its company answered, its
    workers matched an hour later; a renewal (and its audit row) on the day it was made."""
    for pledge, answered in pledges:
        _date_pledge(session, pledge, answered)
    for old_id, on in renewed_on.items():
        at = dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC)
        old = session.get(Pledge, old_id)
        renewal = session.exec(select(Pledge).where(Pledge.renewed_from_id == old_id)).one()
        assert old is not None and renewal.id is not None
        old.updated_at = at
        _date_pledge(session, renewal, at)  # its audit rows were written dated (see _renew): audit rows never change


def _date_pledge(session: Session, pledge: Pledge, at: dt.datetime) -> None:
    pledge.created_at = pledge.updated_at = at
    for a in session.exec(select(Assignment).where(Assignment.pledge_id == pledge.id)):
        a.created_at = a.updated_at = at + dt.timedelta(hours=1)


def advance_statuses(
    *,
    session: Session,
    plans: list[tuple[Pledge, str, list[str]]],
    anchor: dt.date,
    today: dt.date,
    rng: np.random.Generator,
) -> dict[int, dt.date]:
    """Move matched pledges along the registration loop as their story says (BPJS cards, expiry, renewal).
    Returns the day each renewed pledge was renewed on."""
    renewed_on: dict[int, dt.date] = {}
    for pledge, story, _ in plans:
        assignments = session.exec(select(Assignment).where(Assignment.pledge_id == pledge.id)).all()
        if story in ("matched", "short") or not assignments:
            continue
        end = cover_end(pledge.start_month, pledge.months)
        if story == "registered":
            new_status, pledge_status = AssignmentStatus.REGISTERED, PledgeStatus.REGISTERED
        elif end < today and story != "first":
            new_status, pledge_status = AssignmentStatus.EXPIRED, PledgeStatus.EXPIRED
        else:
            new_status, pledge_status = AssignmentStatus.ACTIVE, PledgeStatus.ACTIVE
        for a in assignments:
            a.status = new_status
            if new_status != AssignmentStatus.REGISTERED:
                a.kpj_number = "".join(str(d) for d in rng.integers(0, 10, 11))
                a.coverage_start, a.coverage_end = pledge.start_month, end
        pledge.status = pledge_status
        if story == "first":
            renewed_on[int(pledge.id or 0)] = end - dt.timedelta(days=20)
            _renew(session=session, pledge=pledge, on=renewed_on[int(pledge.id or 0)])
    return renewed_on


def _renew(*, session: Session, pledge: Pledge, on: dt.date) -> None:
    """The company renews through the same service its users call (from inside the renewal window)."""
    from services.pledges import renew_pledge  # local: pledges imports matching, which the seed loads late

    user = session.exec(select(User).where(User.company_id == pledge.company_id)).one()
    actor = Actor(user_id=user.id, username=user.username, role=user.role, company_id=user.company_id)
    assert pledge.id is not None
    with _audit_rows_dated(dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC)):
        renew_pledge(session=session, actor=actor, pledge_id=pledge.id, months=pledge.months, today=on)


@contextmanager
def _audit_rows_dated(at: dt.datetime) -> Iterator[None]:
    """Audit rows inserted inside the block carry `at` (the audit log is append-only: migration 0003 refuses
    to change a row afterwards, so the demo dates them as they are written)."""

    def _date(_mapper: object, _connection: object, row: AuditLog) -> None:
        row.at = at

    event.listen(AuditLog, "before_insert", _date)
    try:
        yield
    finally:
        event.remove(AuditLog, "before_insert", _date)
