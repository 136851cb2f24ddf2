"""Demo: one BPJS branch officer per branch, and a plausible handful of benefits BPJS paid to covered workers.

JKK (work accidents) far more often than JKM (deaths). Amounts by the current rules for a BPU worker declaring the
lowest income (Rp1.000.000; PP 44/2015 as amended by PP 82/2019): JKM Rp42.000.000 (santunan kematian Rp20 juta,
santunan berkala Rp12 juta, biaya pemakaman Rp10 juta); JKK care as billed, STMB one month's declared income per
month off work, disability a share of 56 × income, death at work 48 × income plus burial and periodic benefit.
PT Panarub Industry's workers get two of them (its report has something to show from the first login).
"""

import datetime as dt

import numpy as np
from sqlalchemy import select
from sqlmodel import Session, col

from models import (
    Assignment,
    AssignmentStatus,
    Claim,
    Company,
    JkkKind,
    Kelurahan,
    Pledge,
    Programme,
    Role,
    User,
    Worker,
)
from services.coverage.branches import branch_of_kecamatan

BRANCH_PASSWORD = "Payung-Bpjs-2024"
BRANCH_USERS = [  # username, branch
    ("cikokol", "Tangerang Cikokol"),
    ("batuceper", "Tangerang Batuceper"),
    ("cimone", "Tangerang Cimone"),
]
BRANCH_ACCOUNTS = [(f"Petugas BPJS Cabang {b}", u, Role.BRANCH) for u, b in BRANCH_USERS]
JKM_AMOUNT = 42_000_000
INCOME = 1_000_000  # the lowest declared income of a BPU worker
_COVERED = (AssignmentStatus.ACTIVE.value, AssignmentStatus.EXPIRED.value, AssignmentStatus.RENEWED.value)


def _jkk_amount(kind: str, rng: np.random.Generator) -> int:
    if kind == JkkKind.TREATMENT.value:
        return int(rng.integers(15, 250)) * 100_000  # Rp1,5–25 juta of care
    if kind == JkkKind.WAGE.value:
        return int(rng.integers(1, 4)) * INCOME  # 1–3 months off work
    if kind == JkkKind.DISABILITY.value:
        return int(56 * INCOME * float(rng.choice([0.1, 0.15, 0.25, 0.5])))
    return 48 * INCOME + 10_000_000 + 12_000_000  # death at work


def seed_branch_users(*, session: Session, password_hash: str) -> None:
    session.add_all(
        User(
            username=u,
            display_name=f"Petugas BPJS Cabang {b}",
            role=Role.BRANCH,
            branch=b,
            email=f"{u}@bpjsketenagakerjaan.go.id",
            password_hash=password_hash,
        )
        for u, b in BRANCH_USERS
    )
    session.flush()


def seed_claims(*, session: Session, seed: int, today: dt.date, n_jkk: int = 14, n_jkm: int = 3) -> int:
    """Claims for covered workers whose cover ran long enough before `today`; recorded by their branch's officer.
    Returns the number of claims made (commits)."""
    rng = np.random.default_rng(seed + 25)
    officers = {
        b: (i, u)
        for i, u, b in session.execute(
            select(col(User.id), col(User.username), col(User.branch)).where(col(User.role) == Role.BRANCH.value)
        )
    }
    rows = session.execute(
        select(
            col(Assignment.id),
            col(Assignment.worker_id),
            col(Assignment.pledge_id),
            col(Assignment.coverage_start),
            col(Assignment.coverage_end),
            col(Kelurahan.kecamatan_code),
            col(Company.name),
        )
        .join(Worker, col(Worker.id) == Assignment.worker_id)
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .join(Company, col(Company.id) == Pledge.company_id)
        .where(col(Assignment.status).in_(_COVERED), col(Assignment.coverage_start) <= today - dt.timedelta(days=60))
        .order_by(col(Assignment.id))
    ).all()
    if not rows:
        return 0
    panarub = [r for r in rows if r[6] == "PT Panarub Industry"]
    others = [r for r in rows if r[6] != "PT Panarub Industry"]
    wanted = min(len(others), n_jkk + n_jkm - len(panarub[:2]))
    picks = list(panarub[:2]) + [others[int(i)] for i in rng.choice(len(others), wanted, replace=False)]
    programmes = [Programme.JKM.value, Programme.JKK.value] + [Programme.JKM.value] * (n_jkm - 1)
    programmes = (programmes + [Programme.JKK.value] * len(picks))[: len(picks)]
    kinds = [JkkKind.TREATMENT.value] * 6 + [JkkKind.WAGE.value] * 3 + [JkkKind.DISABILITY.value, JkkKind.DEATH.value]
    branch_of = branch_of_kecamatan()
    claims = []
    for (assignment_id, worker_id, pledge_id, start, end, kecamatan, _), programme in zip(
        picks, programmes, strict=True
    ):
        last = min(end, today - dt.timedelta(days=30))
        event = start + dt.timedelta(days=int(rng.integers(0, max((last - start).days, 1))))
        paid = min(event + dt.timedelta(days=int(rng.integers(7, 30))), today)
        kind = str(rng.choice(kinds)) if programme == Programme.JKK.value else ""
        officer_id, officer = officers.get(branch_of.get(kecamatan, ""), (None, "sistem"))
        claims.append(
            Claim(
                worker_id=worker_id,
                assignment_id=assignment_id,
                pledge_id=pledge_id,
                programme=programme,
                jkk_kind=kind,
                event_date=event,
                paid_date=paid,
                amount=JKM_AMOUNT if programme == Programme.JKM.value else _jkk_amount(kind, rng),
                recorded_by_id=officer_id,
                recorded_by=officer,
            )
        )
    session.add_all(claims)
    session.commit()
    return len(claims)
