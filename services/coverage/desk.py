"""The BPJS branch desk: what a branch has closed, per payer (a pledge, so BPJS bills each company apart).

The waiting registrations are `registration.pledge_choices(branch=...)`, the file is `export_registration` with a
`Selection(pledge_id=..., branch=...)`, the answer `import_result`; each starts with `branch_scope`, so a branch
officer only ever reaches the workers of the kecamatan its branch serves.
"""

import pandas as pd
from sqlalchemy import case, func, select
from sqlmodel import Session, col

from models import Assignment, AssignmentStatus, Company, Kelurahan, Pledge, Worker
from services.coverage.branches import branch_scope
from services.coverage.results import REFUSED_PREFIX
from services.platform.authz import Actor

_CARDS = (AssignmentStatus.ACTIVE.value, AssignmentStatus.EXPIRED.value, AssignmentStatus.RENEWED.value)


def closed_by_payer(*, session: Session, actor: Actor, branch: str = "") -> pd.DataFrame:
    """Per pledge (payer) of the branch's area: cards issued (KPJ; active, expired or renewed cover) and
    registrations BPJS refused (released with BPJS's reason). Pledges with neither are left out."""
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
    frame = pd.DataFrame(
        session.execute(stmt).all(), columns=["pledge_id", "company", "start_month", "cards", "refused"]
    )
    return frame.astype({"cards": "int64", "refused": "int64"})
