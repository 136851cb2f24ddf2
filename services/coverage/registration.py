"""The BPJS collective (BPU) registration file, per pledge or per branch and period.

Building the file is the act of registration: the proposed assignments in it become `registered` (matching
never moves them again), the pledge becomes `registered`, and every worker in it gets a `worker.export` audit
row, with one `coverage.export` row for the file. A file can be downloaded again: assignments already
registered (and not yet active) are included, and stay as they are.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, select, update
from sqlmodel import Session, col

from models import (
    Assignment,
    AssignmentStatus,
    Company,
    Kecamatan,
    Kelurahan,
    Pledge,
    PledgeStatus,
    Role,
    Worker,
)
from models.common import utcnow
from services.coverage.branches import branch_scope, kecamatan_of_branch
from services.platform import audit, exports, history
from services.platform.authz import Actor
from services.platform.dates import cover_end
from services.platform.errors import ValidationError

EXPORTABLE = (AssignmentStatus.ASSIGNED.value, AssignmentStatus.REGISTERED.value)
_PLEDGE_OPEN = (PledgeStatus.MATCHED.value, PledgeStatus.REGISTERED.value)
COLUMNS = [
    "NIK",
    "Nama",
    "Tanggal Lahir",
    "Jenis Kelamin",
    "Alamat",
    "Kelurahan",
    "Kecamatan",
    "Pekerjaan",
    "No HP",
    "Program",
    "Mulai",
    "Sampai",
    "Bulan",
    "Perusahaan Pembayar",
    "ID Ikrar",
    "KPJ",
]


@dataclass(frozen=True)
class Selection:
    """What a registration file holds: one pledge (only its workers in `branch`, when given), or a branch's
    pledges starting within a period."""

    pledge_id: int | None = None
    branch: str = ""
    period_from: dt.date | None = None  # first month (inclusive) of the pledges' start
    period_to: dt.date | None = None  # last month (inclusive)

    def describe(self) -> str:
        if self.pledge_id is not None:
            return f"ikrar-{self.pledge_id}" + (f"-{self.branch.lower().replace(' ', '-')}" if self.branch else "")
        start = f"{self.period_from:%Y-%m}" if self.period_from else "awal"
        end = f"{self.period_to:%Y-%m}" if self.period_to else "akhir"
        return f"{self.branch.lower().replace(' ', '-')}-{start}-{end}"


@dataclass(frozen=True)
class RegistrationPreview:
    workers: int
    pledges: int
    already_registered: int


def _where(sel: Selection) -> list[Any]:
    where: list[Any] = [
        col(Assignment.status).in_(EXPORTABLE),
        col(Pledge.status).in_(_PLEDGE_OPEN),
    ]
    if sel.pledge_id is not None:
        where.append(col(Pledge.id) == sel.pledge_id)
        if sel.branch:
            where.append(col(Kelurahan.kecamatan_code).in_(kecamatan_of_branch(sel.branch)))
        return where
    if not sel.branch:
        raise ValidationError("Pilih satu ikrar, atau satu cabang BPJS dan periodenya.")
    where.append(col(Kelurahan.kecamatan_code).in_(kecamatan_of_branch(sel.branch)))
    if sel.period_from is not None:
        where.append(col(Pledge.start_month) >= sel.period_from.replace(day=1))
    if sel.period_to is not None:
        if sel.period_from is not None and sel.period_to < sel.period_from:
            raise ValidationError("Periode akhir lebih awal dari periode mulai: tukar keduanya.")
        where.append(col(Pledge.start_month) <= sel.period_to.replace(day=1))
    return where


def _rows(session: Session, sel: Selection) -> list[Any]:
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
        )
        .join(Worker, col(Worker.id) == Assignment.worker_id)
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .join(Company, col(Company.id) == Pledge.company_id)
        .where(*_where(sel))
        .order_by(col(Pledge.id), col(Worker.name), col(Worker.id))
    )
    return list(session.execute(stmt).all())


def _authorise(session: Session, actor: Actor, selection: Selection) -> None:
    """Admins export anything; a branch officer only its own branch's workers: the selection must name that
    branch (a selection without one would hold every branch's workers, so it is refused like another's)."""
    asked = selection.branch or ("(semua cabang)" if actor.role == Role.BRANCH else "")
    branch_scope(session=session, actor=actor, action="coverage.export", branch=asked)


def registration_preview(*, session: Session, actor: Actor, selection: Selection) -> RegistrationPreview:
    """How many workers and pledges a file would hold (nothing changes, nothing is audited)."""
    _authorise(session, actor, selection)
    rows = _rows(session, selection)
    session.rollback()
    return RegistrationPreview(
        workers=len(rows),
        pledges=len({r[13] for r in rows}),
        already_registered=sum(1 for r in rows if r[1] == AssignmentStatus.REGISTERED.value),
    )


def export_registration(*, session: Session, actor: Actor, selection: Selection) -> tuple[str, bytes]:
    """Build the registration file and register what it holds. Returns (file name, .xlsx bytes)."""
    _authorise(session, actor, selection)
    rows = _rows(session, selection)
    if not rows:
        raise ValidationError(
            "Tidak ada pekerja untuk didaftarkan pada pilihan ini: ikrar belum dicocokkan, sudah aktif, atau "
            "periode/cabangnya kosong. Jalankan pencocokan atau ubah pilihan."
        )
    now = utcnow()
    proposed = [r[0] for r in rows if r[1] == AssignmentStatus.ASSIGNED.value]
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
    pledge_ids = sorted({int(r[13]) for r in rows})
    session.execute(
        update(Pledge)
        .where(col(Pledge.id).in_(pledge_ids), col(Pledge.status) == PledgeStatus.MATCHED.value)
        .values(status=PledgeStatus.REGISTERED.value, updated_at=now)
    )
    history.sync_assignment_ids(session=session, ids=proposed, now=now)
    history.sync_pledge_ids(session=session, ids=pledge_ids, now=now)
    filename = f"pendaftaran-bpjs-{selection.describe()}-{dt.date.today():%Y%m%d}.xlsx"
    audit.record_many(
        session=session,
        actor=actor,
        action="worker.export",
        entity="worker",
        items=[(r[3], {"pledge_id": int(r[13]), "file": filename}) for r in rows],
    )
    audit.record(
        session=session,
        actor=actor,
        action="coverage.export",
        entity="pledge" if selection.pledge_id is not None else "branch",
        entity_id=selection.pledge_id if selection.pledge_id is not None else selection.branch,
        file=filename,
        workers=len(rows),
        newly_registered=len(proposed),
        pledges=pledge_ids,
    )
    session.commit()
    frame = pd.DataFrame(
        [
            (
                r[4],
                r[5],
                r[6].strftime("%d/%m/%Y"),
                "Laki-laki" if r[7] == "L" else "Perempuan",
                r[8],
                r[9],
                r[10],
                r[11],
                r[12],
                "JKK, JKM, JHT" if r[16] else "JKK, JKM",
                r[14].strftime("%d/%m/%Y"),
                cover_end(r[14], r[15]).strftime("%d/%m/%Y"),
                int(r[15]),
                r[17],
                int(r[13]),
                r[2] or "",
            )
            for r in rows
        ],
        columns=COLUMNS,
    )
    title = f"Pendaftaran kolektif BPU BPJS Ketenagakerjaan — {selection.describe()} — {len(rows)} pekerja"
    return filename, exports.to_xlsx(frame, sheet_title="Pendaftaran", title=title)


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
