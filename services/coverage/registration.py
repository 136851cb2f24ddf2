"""The BPJS collective (BPU) registration file, per payer (a company's pledge or the city's allocation) or per
branch and period, grouped by payer: BPJS bills the city and each company apart.

Building the file is the act of registration: the proposed assignments in it become `registered` (matching
never moves them again), the pledge becomes `registered`, the city allocation's workers get a `cityregistration`
row (billed to APBD Kota), and every worker in it gets a `worker.export` audit row, with one `coverage.export`
row for the file. A file can be downloaded again: workers already registered (and not yet active) are included,
and stay as they are.

The workbook: sheet "Pendaftaran" holds every row, one block per payer (column "Kode Penanggung": `IKRAR-<id>`
or `APBD-<allocation id>`, which BPJS's answer may carry back); sheet "Per penanggung" holds each payer's totals
(workers, worker-months, Rupiah), then one sheet per payer when there are several.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from models import (
    Allocation,
    AllocationStatus,
    Assignment,
    AssignmentStatus,
    CityRegistration,
    CityRegistrationStatus,
    Company,
    CoverMonth,
    Kecamatan,
    Kelurahan,
    Pledge,
    PledgeStatus,
    Role,
    Worker,
)
from models.common import utcnow
from services.coverage.branches import branch_scope, kecamatan_of_branch
from services.coverage.regfile import CITY_PAYER, RegRow, person, registration_book
from services.platform import audit, history
from services.platform.authz import Actor
from services.platform.bulk import insert_rows
from services.platform.errors import ConflictError, ValidationError

EXPORTABLE = (AssignmentStatus.ASSIGNED.value, AssignmentStatus.REGISTERED.value)
_PLEDGE_OPEN = (PledgeStatus.MATCHED.value, PledgeStatus.REGISTERED.value)


@dataclass(frozen=True)
class Selection:
    """What a registration file holds: one pledge or one city allocation (only its workers in `branch`, when
    given), or every payer's workers of a branch whose cover starts within a period."""

    pledge_id: int | None = None
    branch: str = ""
    period_from: dt.date | None = None  # first month (inclusive) of the pledges' / allocations' start
    period_to: dt.date | None = None  # last month (inclusive)
    allocation_id: int | None = None

    def describe(self) -> str:
        suffix = f"-{self.branch.lower().replace(' ', '-')}" if self.branch else ""
        if self.pledge_id is not None:
            return f"ikrar-{self.pledge_id}{suffix}"
        if self.allocation_id is not None:
            return f"apbd-{self.allocation_id}{suffix}"
        start = f"{self.period_from:%Y-%m}" if self.period_from else "awal"
        end = f"{self.period_to:%Y-%m}" if self.period_to else "akhir"
        return f"{self.branch.lower().replace(' ', '-')}-{start}-{end}"


@dataclass(frozen=True)
class RegistrationPreview:
    workers: int
    pledges: int
    already_registered: int
    allocations: int = 0  # city allocations (APBD Kota) among the payers
    city_workers: int = 0  # of `workers`, those the city pays for


def _period(sel: Selection, column: Any) -> list[Any]:
    where: list[Any] = []
    if sel.period_from is not None:
        where.append(column >= sel.period_from.replace(day=1))
    if sel.period_to is not None:
        if sel.period_from is not None and sel.period_to < sel.period_from:
            raise ValidationError("Periode akhir lebih awal dari periode mulai: tukar keduanya.")
        where.append(column <= sel.period_to.replace(day=1))
    return where


def _scope(sel: Selection) -> list[Any]:
    if sel.pledge_id is None and sel.allocation_id is None and not sel.branch:
        raise ValidationError("Pilih satu penanggung (ikrar atau alokasi APBD), atau satu cabang BPJS dan periodenya.")
    return [col(Kelurahan.kecamatan_code).in_(kecamatan_of_branch(sel.branch))] if sel.branch else []


def _pledge_rows(session: Session, sel: Selection) -> list[RegRow]:
    if sel.allocation_id is not None:
        return []
    where: list[Any] = [col(Assignment.status).in_(EXPORTABLE), col(Pledge.status).in_(_PLEDGE_OPEN), *_scope(sel)]
    if sel.pledge_id is not None:
        where.append(col(Pledge.id) == sel.pledge_id)
    else:
        where += _period(sel, col(Pledge.start_month))
    stmt = (
        select(
            col(Assignment.id),
            col(Assignment.status),
            col(Assignment.kpj_number),
            col(Worker.id),
            col(Worker.nik),
            col(Worker.name),
            col(Worker.birth_date),
            col(Worker.sex),
            col(Worker.address),
            col(Kelurahan.name),
            col(Kecamatan.name),
            col(Worker.occupation),
            col(Worker.phone),
            col(Pledge.id),
            col(Pledge.start_month),
            col(Pledge.months),
            col(Pledge.include_jht),
            col(Company.name),
            col(Pledge.premium_per_worker_month),
        )
        .join(Worker, col(Worker.id) == Assignment.worker_id)
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .join(Company, col(Company.id) == Pledge.company_id)
        .where(*where)
        .order_by(col(Pledge.id), col(Worker.name), col(Worker.id))
    )
    return [
        RegRow(
            "csr",
            int(r[0]),
            r[1] == AssignmentStatus.REGISTERED.value,
            r[2] or "",
            int(r[3]),
            **person(r[4:13]),
            payer_id=int(r[13]),
            start=r[14],
            months=int(r[15]),
            include_jht=bool(r[16]),
            payer_name=r[17],
            basis="",
            premium=int(r[18]),
        )
        for r in session.execute(stmt).all()
    ]


def _city_rows(session: Session, sel: Selection, area: list[Any] | None = None) -> list[RegRow]:
    """The committed allocations' workers not yet closed by BPJS: their months in the ledger (first month and
    how many), their registration row if a file already held them. `area` replaces the selection's branch."""
    if sel.pledge_id is not None:
        return []
    months = (
        select(
            col(CoverMonth.allocation_id).label("allocation_id"),
            col(CoverMonth.worker_id).label("worker_id"),
            func.min(CoverMonth.month).label("first"),
            func.count().label("n"),
        )
        .where(col(CoverMonth.allocation_id).is_not(None))
        .group_by(col(CoverMonth.allocation_id), col(CoverMonth.worker_id))
        .subquery()
    )
    where: list[Any] = [
        col(Allocation.status) == AllocationStatus.COMMITTED.value,
        col(CityRegistration.id).is_(None) | (col(CityRegistration.status) == CityRegistrationStatus.REGISTERED.value),
        *(_scope(sel) if area is None else area),
    ]
    if sel.allocation_id is not None:
        where.append(col(Allocation.id) == sel.allocation_id)
    else:
        where += _period(sel, col(Allocation.start_month))
    stmt = (
        select(
            col(CityRegistration.id),
            col(Worker.id),
            col(Worker.nik),
            col(Worker.name),
            col(Worker.birth_date),
            col(Worker.sex),
            col(Worker.address),
            col(Kelurahan.name),
            col(Kecamatan.name),
            col(Worker.occupation),
            col(Worker.phone),
            col(Allocation.id),
            months.c.first,
            months.c.n,
            col(Allocation.year),
            col(Allocation.budget_line),
            col(Allocation.perwal_number),
            col(Allocation.premium_per_worker_month),
        )
        .select_from(months)
        .join(Allocation, col(Allocation.id) == months.c.allocation_id)
        .join(Worker, col(Worker.id) == months.c.worker_id)
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .outerjoin(
            CityRegistration,
            and_(
                col(CityRegistration.allocation_id) == months.c.allocation_id,
                col(CityRegistration.worker_id) == months.c.worker_id,
            ),
        )
        .where(*where)
        .order_by(col(Allocation.id), col(Worker.name), col(Worker.id))
    )
    return [
        RegRow(
            "apbd",
            None if r[0] is None else int(r[0]),
            r[0] is not None,
            "",
            int(r[1]),
            **person(r[2:11]),
            payer_id=int(r[11]),
            start=r[12],
            months=int(r[13]),
            include_jht=False,
            payer_name=f"{CITY_PAYER} {r[14]}",
            basis=f"Mata anggaran {r[15]}; {r[16]}",
            premium=int(r[17]),
        )
        for r in session.execute(stmt).all()
    ]


def _rows(session: Session, sel: Selection) -> list[RegRow]:
    return _pledge_rows(session, sel) + _city_rows(session, sel)


def _authorise(session: Session, actor: Actor, selection: Selection) -> None:
    """Admins export anything; a branch officer only its own branch's workers: the selection must name that
    branch (a selection without one would hold every branch's workers, so it is refused like another's)."""
    asked = selection.branch or ("(semua cabang)" if actor.role == Role.BRANCH else "")
    branch_scope(session=session, actor=actor, action="coverage.export", branch=asked)


def registration_preview(*, session: Session, actor: Actor, selection: Selection) -> RegistrationPreview:
    """How many workers and payers a file would hold (nothing changes, nothing is audited)."""
    _authorise(session, actor, selection)
    rows = _rows(session, selection)
    session.rollback()
    city = [r for r in rows if r.payer_kind == "apbd"]
    return RegistrationPreview(
        workers=len(rows),
        pledges=len({r.payer_id for r in rows if r.payer_kind == "csr"}),
        already_registered=sum(1 for r in rows if r.registered),
        allocations=len({r.payer_id for r in city}),
        city_workers=len(city),
    )


def _register_city(session: Session, rows: list[RegRow], now: dt.datetime) -> None:
    new = [r for r in rows if r.payer_kind == "apbd" and r.source_id is None]
    insert_rows(
        session,
        CityRegistration.__table__,  # type: ignore[attr-defined]
        [
            {
                "allocation_id": r.payer_id,
                "worker_id": r.worker_id,
                "status": CityRegistrationStatus.REGISTERED.value,
                "kpj_number": None,
                "coverage_start": None,
                "coverage_end": None,
                "reason": "",
                "registered_at": now,
                "updated_at": now,
            }
            for r in new
        ],
    )


def _register_pledges(session: Session, rows: list[RegRow], now: dt.datetime) -> tuple[list[int], list[int]]:
    proposed = [int(r.source_id or 0) for r in rows if r.payer_kind == "csr" and not r.registered]
    for i in range(0, len(proposed), 5_000):
        session.execute(
            update(Assignment)
            .where(
                and_(
                    col(Assignment.id).in_(proposed[i : i + 5_000]),
                    col(Assignment.status) == AssignmentStatus.ASSIGNED.value,
                )
            )
            .values(status=AssignmentStatus.REGISTERED.value, registered_at=now, updated_at=now)
        )
    pledge_ids = sorted({r.payer_id for r in rows if r.payer_kind == "csr"})
    if pledge_ids:
        session.execute(
            update(Pledge)
            .where(col(Pledge.id).in_(pledge_ids), col(Pledge.status) == PledgeStatus.MATCHED.value)
            .values(status=PledgeStatus.REGISTERED.value, updated_at=now)
        )
    history.sync_assignment_ids(session=session, ids=proposed, now=now)
    history.sync_pledge_ids(session=session, ids=pledge_ids, now=now)
    return proposed, pledge_ids


def export_registration(*, session: Session, actor: Actor, selection: Selection) -> tuple[str, bytes]:
    """Build the registration file and register what it holds. Returns (file name, .xlsx bytes)."""
    _authorise(session, actor, selection)
    rows = _rows(session, selection)
    if not rows:
        raise ValidationError(
            "Tidak ada pekerja untuk didaftarkan pada pilihan ini: ikrar/alokasi belum dicocokkan, sudah aktif, "
            "atau periode/cabangnya kosong. Jalankan pencocokan atau ubah pilihan."
        )
    now = utcnow()
    proposed, pledge_ids = _register_pledges(session, rows, now)
    try:
        _register_city(session, rows, now)
    except IntegrityError as exc:  # another user's file registered the same city workers a moment ago
        session.rollback()
        raise ConflictError(
            "Berkas untuk pekerja APBD yang sama baru saja dibuat oleh pengguna lain: unduh sekali lagi."
        ) from exc
    allocation_ids = sorted({r.payer_id for r in rows if r.payer_kind == "apbd"})
    filename = f"pendaftaran-bpjs-{selection.describe()}-{dt.date.today():%Y%m%d}.xlsx"
    audit.record_many(
        session=session,
        actor=actor,
        action="worker.export",
        entity="worker",
        items=[
            (r.worker_id, {"pledge_id" if r.payer_kind == "csr" else "allocation_id": r.payer_id, "file": filename})
            for r in rows
        ],
    )
    single = selection.pledge_id if selection.pledge_id is not None else selection.allocation_id
    audit.record(
        session=session,
        actor=actor,
        action="coverage.export",
        entity="pledge" if selection.pledge_id is not None else "allocation" if single is not None else "branch",
        entity_id=single if single is not None else selection.branch,
        file=filename,
        workers=len(rows),
        newly_registered=len(proposed) + sum(1 for r in rows if r.payer_kind == "apbd" and r.source_id is None),
        pledges=pledge_ids,
        allocations=allocation_ids,
    )
    session.commit()
    return filename, registration_book(rows, selection.describe())


def pledge_choices(*, session: Session, actor: Actor, branch: str = "") -> pd.DataFrame:
    """Pledges with workers waiting for (or in) a registration file: id, company, start, counts (SQL GROUP BY).
    With `branch` (always, for a branch officer: its own) only the workers living in the kecamatan it serves."""
    scope = branch_scope(session=session, actor=actor, action="coverage.export", branch=branch)
    in_scope: list[Any] = []
    if scope is not None:
        in_scope.append(
            col(Assignment.worker_id).in_(
                select(col(Worker.id))
                .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
                .where(col(Kelurahan.kecamatan_code).in_(scope))
            )
        )
    waiting = func.sum(case((col(Assignment.status) == AssignmentStatus.ASSIGNED.value, 1), else_=0))
    sent = func.sum(case((col(Assignment.status) == AssignmentStatus.REGISTERED.value, 1), else_=0))
    rows = session.execute(
        select(col(Pledge.id), col(Company.name), col(Pledge.start_month), col(Pledge.status), waiting, sent)
        .join(Company, col(Company.id) == Pledge.company_id)
        .join(Assignment, col(Assignment.pledge_id) == Pledge.id)
        .where(col(Pledge.status).in_(_PLEDGE_OPEN), col(Assignment.status).in_(EXPORTABLE), *in_scope)
        .group_by(col(Pledge.id), col(Company.name), col(Pledge.start_month), col(Pledge.status))
        .order_by(col(Pledge.id))
    ).all()
    frame = pd.DataFrame(
        rows, columns=["pledge_id", "company", "start_month", "pledge_status", "to_register", "registered"]
    )
    return frame.astype({"to_register": "int64", "registered": "int64"})


def allocation_choices(*, session: Session, actor: Actor, branch: str = "") -> pd.DataFrame:
    """The city's committed allocations with workers waiting for (or in) a registration file, billed to APBD Kota:
    id, year, budget line, Perwal, counts. With `branch` (always, for a branch officer) only its kecamatan."""
    scope = branch_scope(session=session, actor=actor, action="coverage.export", branch=branch)
    area = [] if scope is None else [col(Kelurahan.kecamatan_code).in_(scope)]
    rows = _city_rows(session, Selection(), area)
    session.rollback()
    out: dict[int, list[Any]] = {}
    for r in rows:
        entry = out.setdefault(r.payer_id, [r.payer_id, r.payer_name, r.basis, r.start, 0, 0])
        entry[5 if r.registered else 4] += 1
    frame = pd.DataFrame(
        sorted(out.values()), columns=["allocation_id", "payer", "basis", "start_month", "to_register", "registered"]
    )
    return frame.astype({"to_register": "int64", "registered": "int64"})
