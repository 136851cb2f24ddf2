"""Test factories: small, explicit builders of the domain rows (no demo seed needed)."""

import datetime as dt
import itertools

from sqlmodel import Session

from models import Campaign, Company, LetterRecipient, Pledge, Role, User, Worker
from services.platform.authz import Actor

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
