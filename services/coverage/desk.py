"""The BPJS branch desk: what a branch has closed, per payer (a pledge, so BPJS bills each company apart).

The waiting registrations are `registration.pledge_choices(branch=...)`, the file is `export_registration` with a
`Selection(pledge_id=..., branch=...)`, the answer `import_result`; each starts with `branch_scope`, so a branch
officer only ever reaches the workers of the kecamatan its branch serves.
"""

from typing import Any

import pandas as pd
from sqlalchemy import case, func, select
from sqlmodel import Session, col

from models import (
    Allocation,
    Assignment,
    AssignmentStatus,
    CityRegistration,
    CityRegistrationStatus,
    Company,
    Kelurahan,
    Pledge,
    Worker,
)
from services.coverage.branches import branch_scope
from services.coverage.regfile import CITY_PAYER
from services.coverage.results import REFUSED_PREFIX
from services.platform.authz import Actor

_CARDS = (AssignmentStatus.ACTIVE.value, AssignmentStatus.EXPIRED.value, AssignmentStatus.RENEWED.value)


def closed_by_payer(*, session: Session, actor: Actor, branch: str = "") -> pd.DataFrame:
    """Per payer of the branch's area - each pledge, then each city allocation (APBD Kota) - cards issued (KPJ;
    active, expired or renewed cover) and registrations BPJS refused (with BPJS's reason). Payers with neither are
    left out; `pledge_id` is empty for the city's rows."""
    scope = branch_scope(session=session, actor=actor, action="coverage.closed", branch=branch)
    refused_by_bpjs = (col(Assignment.status) == AssignmentStatus.RELEASED.value) & col(Assignment.reason).like(
        f"{REFUSED_PREFIX}%"
    )
    cards = func.sum(case((col(Assignment.status).in_(_CARDS), 1), else_=0))
    refused = func.sum(case((refused_by_bpjs, 1), else_=0))
    stmt = (
        select(col(Pledge.id), col(Company.name), col(Pledge.start_month), cards, refused)
        .select_from(Assignment)
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .join(Company, col(Company.id) == Pledge.company_id)
        .join(Worker, col(Worker.id) == Assignment.worker_id)
        .where(col(Assignment.status).in_(_CARDS) | refused_by_bpjs)
        .group_by(col(Pledge.id), col(Company.name), col(Pledge.start_month))
        .order_by(col(Pledge.id))
    )
    if scope is not None:
        stmt = stmt.where(
            col(Worker.kelurahan_code).in_(select(col(Kelurahan.code)).where(col(Kelurahan.kecamatan_code).in_(scope)))
        )
    area = [] if scope is None else [col(Kelurahan.kecamatan_code).in_(scope)]
    columns = ["pledge_id", "company", "start_month", "cards", "refused"]
    frame = pd.DataFrame(session.execute(stmt).all(), columns=columns)
    city = pd.DataFrame(_city_closed(session, area), columns=columns)
    return pd.concat([frame, city], ignore_index=True).astype({"cards": "int64", "refused": "int64"})


def _city_closed(session: Session, area: list[Any]) -> list[tuple[Any, ...]]:
    status = col(CityRegistration.status)
    cards = func.sum(case((status == CityRegistrationStatus.ACTIVE.value, 1), else_=0))
    refused = func.sum(case((status == CityRegistrationStatus.REFUSED.value, 1), else_=0))
    rows = session.execute(
        select(col(Allocation.year), col(Allocation.start_month), cards, refused)
        .select_from(CityRegistration)
        .join(Allocation, col(Allocation.id) == CityRegistration.allocation_id)
        .join(Worker, col(Worker.id) == CityRegistration.worker_id)
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .where(status.in_([CityRegistrationStatus.ACTIVE.value, CityRegistrationStatus.REFUSED.value]), *area)
        .group_by(col(Allocation.id), col(Allocation.year), col(Allocation.start_month))
        .order_by(col(Allocation.id))
    ).all()
    return [(None, f"{CITY_PAYER} {year}", start, int(n), int(r)) for year, start, n, r in rows]
