"""Test factories: small, explicit builders of the domain rows (no demo seed needed)."""

import datetime as dt
import itertools

from sqlmodel import Session, select

from models import (
    Assignment,
    AssignmentStatus,
    Campaign,
    Company,
    LetterRecipient,
    Pledge,
    PledgeStatus,
    Role,
    User,
    Worker,
)
from services.platform import history
from services.platform.authz import Actor
from services.platform.dates import month_start

_serial = itertools.count(1)
# One bcrypt hash for every factory user (hashing per test would cost ~0.25 s each).
PASSWORD = "kata-sandi-uji-123"
PASSWORD_HASH = "$2b$12$DONKLRkjWOHBaiiPIU58r.CWuIn0qdFI/kx0hh8pfr/c9WHoUN79W"


def campaign(session: Session, **kw: object) -> Campaign:
    values: dict = dict(
        letter_number=f"SE/{next(_serial)}/2024",
        letter_date=dt.date(2024, 10, 14),
        subject="Perlindungan pekerja",
        response_deadline=dt.date(2024, 12, 31),
        target_workers=20_000,
    )
    values.update(kw)
    row = Campaign(**values)
    session.add(row)
    session.flush()
    return row


def company(session: Session, *, campaign_id: int | None = None, **kw: object) -> Company:
    values: dict = dict(
        name=f"PT Uji {next(_serial)}",
        kelurahan_code="36.71.02.1001",
        site_lat=-6.2,
        site_lon=106.57,
        sector="Alas kaki",
        employees=500,
    )
    values.update(kw)
    row = Company(**values)
    session.add(row)
    session.flush()
    if campaign_id is not None:
        session.add(LetterRecipient(campaign_id=campaign_id, company_id=row.id))
        session.flush()
    return row


def user(session: Session, *, role: str = Role.ADMIN, company_id: int | None = None, **kw: object) -> User:
    values: dict = dict(
        username=f"user{next(_serial)}",
        display_name="Pengguna Uji",
        role=role,
        company_id=company_id,
        password_hash=PASSWORD_HASH,
    )
    values.update(kw)
    row = User(**values)
    session.add(row)
    session.flush()
    return row


def actor_of(u: User) -> Actor:
    return Actor(
        user_id=u.id,
        username=u.username,
        role=u.role,
        company_id=u.company_id,
        display_name=u.display_name,
        branch=u.branch,
    )


def worker(session: Session, **kw: object) -> Worker:
    n = next(_serial)
    values: dict = dict(
        nik=f"367102150190{n % 10_000:04d}",
        name=f"Pekerja {n}",
        sex="L",
        birth_date=dt.date(1990, 1, 15),
        kelurahan_code="36.71.02.1001",
        occupation="Pedagang kaki lima",
        desil=3,
        lat=-6.2,
        lon=106.57,
    )
    values.update(kw)
    row = Worker(**values)
    session.add(row)
    session.flush()
    return row


def pledge(session: Session, *, company_id: int, campaign_id: int, **kw: object) -> Pledge:
    values: dict = dict(
        company_id=company_id,
        campaign_id=campaign_id,
        workers=10,
        months=12,
        start_month=dt.date(2025, 1, 1),
        premium_per_worker_month=16_800,
        radius_km=3.0,
    )
    values.update(kw)
    row = Pledge(**values)
    session.add(row)
    session.flush()
    return row


# A campaign in every state (issue 21's consistency tests): pledge states and the assignment status each implies.
PLEDGE_STATES = {
    "submitted": (PledgeStatus.SUBMITTED, None),
    "matched": (PledgeStatus.MATCHED, AssignmentStatus.ASSIGNED),
    "registered": (PledgeStatus.REGISTERED, AssignmentStatus.REGISTERED),
    "active": (PledgeStatus.ACTIVE, AssignmentStatus.ACTIVE),
    "expired": (PledgeStatus.EXPIRED, AssignmentStatus.EXPIRED),
    "renewed": (PledgeStatus.RENEWED, AssignmentStatus.RENEWED),
    "cancelled": (PledgeStatus.CANCELLED, AssignmentStatus.RELEASED),
}
RICH_CAMPAIGN = [  # every pledge state at least once, a decline, a letter never sent, a hidden amount, no size
    {"sent": True, "answer": "pledge", "employees": 11_000, "show_amount": True, "matched": 1.0,
     "pledges": [("renewed", 4, 12), ("active", 3, 6), ("cancelled", 2, 3)]},
    {"sent": True, "answer": "pledge", "employees": None, "show_amount": False, "matched": 0.5,
     "pledges": [("expired", 6, 12), ("registered", 2, 24)]},
    {"sent": False, "answer": "pledge", "employees": 40, "show_amount": True, "matched": 1.0,
     "pledges": [("matched", 5, 12), ("submitted", 1, 1)]},
    {"sent": True, "answer": "decline", "employees": 300, "show_amount": True, "matched": 0.0, "pledges": []},
]  # fmt: skip


def _assign(
    s: Session, to: Pledge, status: AssignmentStatus | None, n: int, today: dt.date, held: list[Worker] | None = None
) -> list[Worker]:
    running = (today - dt.timedelta(days=30), today + dt.timedelta(days=90))
    ended = (today - dt.timedelta(days=400), today - dt.timedelta(days=40))
    cover = {AssignmentStatus.ACTIVE: running, AssignmentStatus.EXPIRED: ended, AssignmentStatus.RENEWED: ended}
    start, end = cover.get(status, (None, None))
    out = []
    if status is None:
        return out
    for i in range(n):
        w = held[i] if held else worker(s)
        s.add(
            Assignment(
                worker_id=w.id,
                pledge_id=to.id,
                status=status,
                kpj_number=f"KPJ{w.id:08d}" if start else None,
                coverage_start=start,
                coverage_end=end,
                registered_at=dt.datetime.now(dt.UTC) if status != AssignmentStatus.ASSIGNED else None,
            )
        )
        out.append(w)
    s.flush()
    return out


def campaign_world(s: Session, plan: list[dict], today: dt.date) -> tuple[Actor, Actor, dict[int, Actor]]:
    """An active campaign from a plan (one dict per company: letter sent, answer none/pledge/decline, employees,
    show_amount, share matched, pledges as (state, workers, months)), every row consistent with today's date:
    running cover spans today, ended cover ended before it, a renewed pledge's workers carry on into an active
    renewal. Returns (viewer, admin, company id -> its user)."""
    letter = today - dt.timedelta(days=400)
    c = campaign(s, letter_date=letter, target_workers=50, suggested_min_workers=5)
    actors: dict[int, Actor] = {}
    for i, spec in enumerate(plan):
        firm = company(s, campaign_id=c.id, employees=spec["employees"], show_amount=spec["show_amount"])
        recipient = s.exec(select(LetterRecipient).where(LetterRecipient.company_id == firm.id)).one()
        moment = dt.datetime.combine(letter, dt.time(9), tzinfo=dt.UTC)
        recipient.sent_at = moment + dt.timedelta(days=1) if spec["sent"] else None
        if spec["answer"] == "pledge":
            recipient.responded_at = moment + dt.timedelta(days=3 + i)
        elif spec["answer"] == "decline":
            recipient.declined_at, recipient.decline_reason = moment + dt.timedelta(days=5 + i), "budget"
        s.add(recipient)
        for state_name, workers, months in spec["pledges"]:
            status, assignment = PLEDGE_STATES[state_name]
            # An expired pledge's cover ended before today (its whole period lies in the past).
            start = month_start(today - dt.timedelta(days=30 if state_name != "expired" else 31 * months + 40))
            p = pledge(
                s,
                company_id=firm.id or 0,
                campaign_id=c.id or 0,
                workers=workers,
                months=months,
                start_month=start,
                status=status,
            )
            if state_name == "cancelled":
                p.cancelled_at = dt.datetime.now(dt.UTC)
            n = round(spec["matched"] * workers)
            held = _assign(s, p, assignment, n, today)
            if state_name == "renewed":  # the renewal carries the same workers on, cover running
                renewal = pledge(
                    s,
                    company_id=firm.id or 0,
                    campaign_id=c.id or 0,
                    workers=workers,
                    months=12,
                    start_month=month_start(today),
                    status=PledgeStatus.ACTIVE,
                    renewed_from_id=p.id,
                )
                _assign(s, renewal, AssignmentStatus.ACTIVE, n, today, held)
        account = user(s, role=Role.COMPANY, company_id=firm.id)
        actors[int(firm.id or 0)] = actor_of(account)
    viewer = actor_of(user(s, role=Role.VIEWER))
    admin = actor_of(user(s, role=Role.ADMIN))
    # Rows made here bypass the commands, so the state history is written from their timestamps, as the demo does.
    history.rebuild(session=s)
    s.commit()
    return viewer, admin, actors
