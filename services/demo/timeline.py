"""One demo timeline, relative to the day of seeding: letter → answers → pledges → matching → BPJS → cards.

Every date the demo writes comes from here, so a chart "since the letter" shows one campaign a Disnaker officer
would recognise: the letter about two years before the day of seeding (room for the first responder's first
year and its renewal, which ends this month); the first responder a week later; a first wave of answers within
weeks, before the deadline; a tail after the reminders and the escalation, the last few weeks before today;
each pledge created with its answer and matched an hour later; the BPJS registration about two weeks before
cover starts (days after matching, never on the day of seeding); renewals inside their window; cover that
ran out lapsed at its end.
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
from services.platform.dates import add_months, cover_end, month_start

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


WAVE_SHARE = 0.78  # answers of the first wave, before the deadline (the rest come after reminders and escalation)
RECENT_TAIL = 4  # the last answers, a few weeks before the day of seeding: their cover starts next month
REGISTRATION_LEAD = dt.timedelta(days=14)  # the BPJS file goes in about two weeks before cover starts
MIN_REGISTRATION_DELAY = dt.timedelta(days=3)  # matched workers are checked before they are registered


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def answer_times(*, count: int, letter: LetterDates, today: dt.date, rng: np.random.Generator) -> list[dt.datetime]:
    """When each responder answered with a pledge, in answer order (the first responder a week after the letter).

    A first wave within weeks of the letter, before its deadline (median about a month); a tail after the
    reminders and the escalation, spread between the deadline and two months before the day of seeding; the last
    few a few weeks before it (their cover starts next month). Office hours, stored as UTC (08-16 WIB)."""
    if count <= 0:
        return []
    rest = count - 1
    tail = min(rest, max(1, round(rest * (1 - WAVE_SHARE)))) if rest else 0
    deadline = (letter.response_deadline - letter.letter_date).days
    wave = np.clip(8 + rng.gamma(2.0, 12.0, rest - tail), 8, deadline - 2)
    recent = min(RECENT_TAIL, tail)
    late_from, late_to = deadline + 14, max((today - letter.letter_date).days - 75, deadline + 15)
    late = rng.uniform(late_from, late_to, tail - recent)
    last = (today - letter.letter_date).days - rng.uniform(6, 40, recent)
    days = [7.0, *sorted(wave), *sorted(late), *sorted(last)]
    times = [_at(letter.letter_date + dt.timedelta(days=int(d)), int(rng.integers(1, 9))) for d in days]
    for i in range(1, len(times)):  # answer order is strict: never two answers in the same hour
        times[i] = max(times[i], times[i - 1] + dt.timedelta(hours=1))
    times[0] = letter.first_response_at
    return times


def is_late(answered: dt.datetime, letter: LetterDates) -> bool:
    return answered.date() > letter.response_deadline


def plan_start(
    *, story: str, answered: dt.datetime, anchor: dt.date, months: int, rng: np.random.Generator
) -> tuple[dt.date, int]:
    """The first month of cover (and the months) a company chose when it answered: one to four months after its
    answer (a budget year may wait), next month for the recent answers; long enough to be running now for
    `active` and `renew` stories (their second year), ended for `expired`."""
    soonest = add_months(month_start(answered.date()), 1)
    if story in ("registered", "matched", "short"):
        return max(soonest, add_months(anchor, 1)), months
    start = add_months(soonest, int(rng.integers(0, 4)))
    if story == "renew":
        return min(max(start, add_months(anchor, -23)), add_months(anchor, -12)), 12  # first year ended, renewed
    if story == "active":
        if start <= add_months(anchor, -12):
            months = 24  # answered early: a two-year pledge still running
        return max(start, add_months(anchor, -months + 1)), months
    return start, min(months, max(1, _months_between(start, anchor) - 1))  # expired before this month


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


_REGISTERED = (AssignmentStatus.REGISTERED, AssignmentStatus.ACTIVE, AssignmentStatus.EXPIRED, AssignmentStatus.RENEWED)


def date_history(
    *, session: Session, pledges: list[tuple[Pledge, dt.datetime]], renewed_on: dict[int, dt.date], today: dt.date
) -> None:
    """Put the rows the demo wrote 'now' on the timeline: each pledge created when its company answered, its
    workers matched an hour later and registered at BPJS about two weeks before cover starts (at least three days
    after matching, never on the day of seeding); a renewal (and its audit row) on the day it was made."""
    for pledge, answered in pledges:
        _date_pledge(session, pledge, answered, today)
    for old_id, on in renewed_on.items():
        at = _at(on, 3)
        old = session.get(Pledge, old_id)
        renewal = session.exec(select(Pledge).where(Pledge.renewed_from_id == old_id)).one()
        assert old is not None and renewal.id is not None
        old.updated_at = at
        _date_pledge(session, renewal, at, today)  # its audit rows were written dated (see _renew): never changed


def registration_at(*, matched: dt.datetime, start_month: dt.date, today: dt.date) -> dt.datetime:
    """When the BPJS registration file went in: two weeks before cover starts, 3+ days after matching, before today."""
    due = _at(start_month - REGISTRATION_LEAD, 2)
    return min(max(due, matched + MIN_REGISTRATION_DELAY), _at(today - dt.timedelta(days=1), 2))


def _date_pledge(session: Session, pledge: Pledge, at: dt.datetime, today: dt.date) -> None:
    pledge.created_at = pledge.updated_at = at
    matched = at + dt.timedelta(hours=1)
    registered = registration_at(matched=matched, start_month=pledge.start_month, today=today)
    for a in session.exec(select(Assignment).where(Assignment.pledge_id == pledge.id)):
        a.created_at = a.updated_at = matched
        if a.status in _REGISTERED and pledge.renewed_from_id is None:  # a renewal keeps the first registration
            a.registered_at = a.updated_at = registered


def advance_statuses(
    *,
    session: Session,
    plans: list[tuple[Pledge, str, list[str]]],
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
        renews = story in ("first", "renew")
        if story == "registered":
            new_status, pledge_status = AssignmentStatus.REGISTERED, PledgeStatus.REGISTERED
        elif end < today and not renews:
            new_status, pledge_status = AssignmentStatus.EXPIRED, PledgeStatus.EXPIRED
        else:
            new_status, pledge_status = AssignmentStatus.ACTIVE, PledgeStatus.ACTIVE
        for a in assignments:
            a.status = new_status
            if new_status != AssignmentStatus.REGISTERED:
                a.kpj_number = "".join(str(d) for d in rng.integers(0, 10, 11))
                a.coverage_start, a.coverage_end = pledge.start_month, end
        pledge.status = pledge_status
        if renews:
            on = end - dt.timedelta(days=20 if story == "first" else int(rng.integers(8, 50)))
            renewed_on[int(pledge.id or 0)] = on = min(on, today - dt.timedelta(days=1))
            _renew(session=session, pledge=pledge, on=on)
    return renewed_on


def _renew(*, session: Session, pledge: Pledge, on: dt.date) -> None:
    """The company renews through the same service its users call (from inside the renewal window)."""
    from services.pledges import renew_pledge  # local: pledges imports matching, which the seed loads late

    user = session.exec(select(User).where(User.company_id == pledge.company_id)).one()
    actor = Actor(user_id=user.id, username=user.username, role=user.role, company_id=user.company_id)
    assert pledge.id is not None
    with _audit_rows_dated(_at(on, 3)):
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
