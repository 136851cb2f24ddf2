"""The registry's read side (admins): search with filters and counts in SQL, a worker's page, its history.

Never loads the whole table: a search is one COUNT and one page (LIMIT/OFFSET) with index-friendly filters
(NIK prefix as a range on the unique index, kecamatan as a range on the kelurahan code, desil, occupation).
Viewing a worker's page is audited; so is exporting its history (the data subject's access right, UU PDP).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from models import (
    Assignment,
    AssignmentStatus,
    AuditLog,
    Company,
    ImportRun,
    Kecamatan,
    Kelurahan,
    Pledge,
    Role,
    Worker,
)
from services.platform import audit, exports, fmt
from services.platform.authz import Actor, require_role
from services.platform.errors import NotFound, ValidationError

EXPIRING_DAYS = 60  # cover ending within this many days is "expiring" (reminders at 60/30/7)
PAGE_SIZE_MAX = 200

# Derived status of a worker (never stored): ours first (an assignment), then other cover, then the pool.
STATUS_LABELS = {
    "unprotected": "Belum terlindungi",
    "matched": "Dicocokkan",
    "registered": "Didaftarkan ke BPJS",
    "active": "Aktif",
    "expiring": "Segera berakhir",
    "covered": "Ditanggung pihak lain",
}
_HOLDING = [AssignmentStatus.ASSIGNED.value, AssignmentStatus.REGISTERED.value, AssignmentStatus.ACTIVE.value]


@dataclass(frozen=True)
class RegistryFilter:
    query: str = ""  # NIK (full or first digits) or part of the name
    kecamatan_code: str = ""
    kelurahan_code: str = ""
    status: str = ""  # a STATUS_LABELS key
    desil: int | None = None  # 0 = unknown
    occupation: str = ""


@dataclass(frozen=True)
class RegistryPage:
    total: int
    page: int
    page_size: int
    rows: pd.DataFrame


@dataclass(frozen=True)
class WorkerDetail:
    worker: dict[str, Any]
    status: str
    assignments: pd.DataFrame
    history: pd.DataFrame
    imports: list[dict[str, Any]] = field(default_factory=list)


def covered_now(today: dt.date) -> ColumnElement[bool]:
    """Covered by another payer on `today` (an end date in the past no longer counts)."""
    return and_(
        col(Worker.covered_elsewhere).is_(True),
        or_(col(Worker.covered_until).is_(None), col(Worker.covered_until) >= today),
    )


def status_expression(today: dt.date) -> Any:
    """The derived status in SQL, over Worker outer-joined to its holding Assignment."""
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    active = col(Assignment.status) == AssignmentStatus.ACTIVE.value
    return case(
        (and_(active, col(Assignment.coverage_end) >= today, col(Assignment.coverage_end) <= soon), "expiring"),
        (and_(active, or_(col(Assignment.coverage_end).is_(None), col(Assignment.coverage_end) > soon)), "active"),
        (col(Assignment.status) == AssignmentStatus.REGISTERED.value, "registered"),
        (col(Assignment.status) == AssignmentStatus.ASSIGNED.value, "matched"),
        (covered_now(today), "covered"),
        else_="unprotected",
    )


def _holding_join() -> Any:
    return and_(col(Assignment.worker_id) == Worker.id, col(Assignment.status).in_(_HOLDING))


def _prefix_range(column: Any, prefix: str) -> ColumnElement[bool]:
    # A range uses the b-tree index on both databases, unlike LIKE 'x%' (case-insensitive on SQLite).
    return and_(column >= prefix, column < prefix + "\uffff")


def _status_where(status: str, today: dt.date) -> list[Any]:
    soon = today + dt.timedelta(days=EXPIRING_DAYS)
    active = col(Assignment.status) == AssignmentStatus.ACTIVE.value
    if status == "matched":
        return [col(Assignment.status) == AssignmentStatus.ASSIGNED.value]
    if status == "registered":
        return [col(Assignment.status) == AssignmentStatus.REGISTERED.value]
    if status == "active":
        return [active, or_(col(Assignment.coverage_end).is_(None), col(Assignment.coverage_end) > soon)]
    if status == "expiring":
        return [active, col(Assignment.coverage_end) >= today, col(Assignment.coverage_end) <= soon]
    if status == "covered":
        return [col(Assignment.id).is_(None), covered_now(today)]
    if status == "unprotected":
        lapsed = and_(active, col(Assignment.coverage_end) < today)  # refresh has not run yet: say what is true
        return [or_(col(Assignment.id).is_(None), lapsed), ~covered_now(today)]
    raise ValidationError("Status tidak dikenal: pilih salah satu status dari daftar.")


def _filters(flt: RegistryFilter, today: dt.date) -> list[Any]:
    where: list[Any] = []
    q = flt.query.strip()
    if q:
        digits = q.replace(" ", "")
        if digits.isdigit():
            where.append(col(Worker.nik) == digits if len(digits) == 16 else _prefix_range(col(Worker.nik), digits))
        elif len(q) < 2:
            raise ValidationError("Ketik minimal 2 huruf nama, atau angka NIK.")
        else:
            pattern = "%" + q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
            where.append(func.lower(col(Worker.name)).like(pattern))
    if flt.kelurahan_code:
        where.append(col(Worker.kelurahan_code) == flt.kelurahan_code)
    elif flt.kecamatan_code:
        where.append(_prefix_range(col(Worker.kelurahan_code), flt.kecamatan_code + "."))
    if flt.desil is not None:
        where.append(col(Worker.desil).is_(None) if flt.desil == 0 else col(Worker.desil) == flt.desil)
    if flt.occupation:
        where.append(col(Worker.occupation) == flt.occupation)
    if flt.status:
        where.extend(_status_where(flt.status, today))
    return where


def search_workers(
    *,
    session: Session,
    actor: Actor,
    flt: RegistryFilter,
    page: int = 1,
    page_size: int = 50,
    today: dt.date | None = None,
) -> RegistryPage:
    """One page of workers matching the filter, with the total count (both in SQL). Admins only; full NIK."""
    require_role(actor, Role.ADMIN, session=session, action="registry.search")
    today = today or dt.date.today()
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    where = _filters(flt, today)
    base = select(func.count()).select_from(Worker).outerjoin(Assignment, _holding_join()).where(*where)
    total = int(session.execute(base).scalar_one())
    pages = max(1, -(-total // page_size))
    page = max(1, min(page, pages))
    stmt = (
        select(
            col(Worker.id),
            col(Worker.nik),
            col(Worker.name),
            col(Worker.sex),
            col(Worker.birth_date),
            col(Kelurahan.name),
            col(Kecamatan.name),
            col(Worker.occupation),
            col(Worker.desil),
            col(Worker.phone),
            status_expression(today),
            col(Assignment.kpj_number),
            col(Assignment.coverage_end),
        )
        .outerjoin(Assignment, _holding_join())
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .where(*where)
        .order_by(col(Worker.name), col(Worker.id))
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    columns = [
        "worker_id",
        "nik",
        "name",
        "sex",
        "birth_date",
        "kelurahan",
        "kecamatan",
        "occupation",
        "desil",
        "phone",
        "status",
        "kpj_number",
        "coverage_end",
    ]
    rows = pd.DataFrame(session.execute(stmt).all(), columns=columns)
    rows["desil"] = rows["desil"].astype("Int64")
    return RegistryPage(total=total, page=page, page_size=page_size, rows=rows)


def status_counts(*, session: Session, actor: Actor, today: dt.date | None = None) -> dict[str, int]:
    """How many workers are in each derived status (one GROUP BY)."""
    require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="registry.counts")
    today = today or dt.date.today()
    expr = status_expression(today)
    rows = session.execute(
        select(expr, func.count()).select_from(Worker).outerjoin(Assignment, _holding_join()).group_by(expr)
    ).all()
    counts = dict.fromkeys(STATUS_LABELS, 0)
    counts.update({str(s): int(n) for s, n in rows})
    return counts


def filter_options(*, session: Session) -> dict[str, list[str]]:
    """Occupations present in the registry (for the filter)."""
    occupations = session.execute(select(col(Worker.occupation)).distinct().order_by(col(Worker.occupation))).all()
    return {"occupations": [str(o) for (o,) in occupations]}


def _worker_by(session: Session, *, worker_id: int | None, nik: str | None) -> Worker:
    if worker_id is not None:
        worker = session.get(Worker, worker_id)
    else:
        worker = session.execute(select(Worker).where(col(Worker.nik) == (nik or "").strip())).scalars().first()
    if worker is None:
        raise NotFound("Pekerja dengan NIK itu tidak ada di registri. Periksa 16 digit NIK-nya.")
    return worker


def history_frame(session: Session, worker_id: int) -> pd.DataFrame:
    """Every audit row about this worker: who viewed, exported or changed it, and when."""
    rows = session.execute(
        select(col(AuditLog.at), col(AuditLog.username), col(AuditLog.action), col(AuditLog.detail))
        .where(col(AuditLog.entity) == "worker", col(AuditLog.entity_id) == str(worker_id))
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
    ).all()
    return pd.DataFrame(
        [(at, user, ACTION_LABELS.get(action, action), _describe(detail or {})) for at, user, action, detail in rows],
        columns=["at", "username", "action", "detail"],
    )


ACTION_LABELS = {
    "worker.view": "Dilihat",
    "worker.update": "Diubah",
    "worker.insert": "Ditambahkan",
    "worker.covered": "Ditandai ditanggung pihak lain",
    "worker.export": "Diekspor (berkas pendaftaran BPJS)",
    "worker.history_export": "Riwayat diunduh",
    "worker.activate": "Kartu BPJS (KPJ) dicatat",
}


def _describe(detail: dict[str, Any]) -> str:
    changes = detail.get("changes")
    parts = []
    if isinstance(changes, dict):
        parts = [f"{k}: {old!s} → {new!s}" for k, (old, new) in changes.items()]
    for key in ("source", "pledge_id", "kpj", "file", "reason"):
        if key in detail:
            parts.append(f"{key}: {detail[key]}")
    return "; ".join(parts)


def worker_detail(
    *,
    session: Session,
    actor: Actor,
    worker_id: int | None = None,
    nik: str | None = None,
    today: dt.date | None = None,
) -> WorkerDetail:
    """Everything stored about one worker, its assignments and its history. Viewing is audited."""
    require_role(actor, Role.ADMIN, session=session, action="worker.view")
    today = today or dt.date.today()
    worker = _worker_by(session, worker_id=worker_id, nik=nik)
    assert worker.id is not None
    kel = session.get(Kelurahan, worker.kelurahan_code)
    kec = session.get(Kecamatan, kel.kecamatan_code) if kel else None
    data = worker.model_dump()
    data["kelurahan"] = kel.name if kel else ""
    data["kecamatan"] = kec.name if kec else ""
    status = session.execute(
        select(status_expression(today))
        .select_from(Worker)
        .outerjoin(Assignment, _holding_join())
        .where(col(Worker.id) == worker.id)
    ).scalar_one()
    assignments = pd.DataFrame(
        session.execute(
            select(
                col(Assignment.id),
                col(Assignment.pledge_id),
                col(Company.name),
                col(Assignment.status),
                col(Assignment.kpj_number),
                col(Assignment.coverage_start),
                col(Assignment.coverage_end),
                col(Assignment.reason),
                col(Assignment.created_at),
            )
            .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
            .join(Company, col(Company.id) == Pledge.company_id)
            .where(col(Assignment.worker_id) == worker.id)
            .order_by(col(Assignment.created_at).desc(), col(Assignment.id).desc())
        ).all(),
        columns=["id", "pledge_id", "company", "status", "kpj", "start", "end", "reason", "created_at"],
    )
    imports = []
    if worker.import_id is not None:
        run = session.get(ImportRun, worker.import_id)
        if run is not None:
            imports.append({"id": run.id, "at": run.at, "username": run.username, "filename": run.filename})
    audit.record(session=session, actor=actor, action="worker.view", entity="worker", entity_id=worker.id)
    session.commit()
    return WorkerDetail(
        worker=data,
        status=str(status),
        assignments=assignments,
        history=history_frame(session, worker.id),
        imports=imports,
    )


def history_export(*, session: Session, actor: Actor, worker_id: int) -> bytes:
    """The worker's data and its processing history as Excel, for the person who asks (audited)."""
    require_role(actor, Role.ADMIN, session=session, action="worker.history_export")
    worker = _worker_by(session, worker_id=worker_id, nik=None)
    audit.record(session=session, actor=actor, action="worker.history_export", entity="worker", entity_id=worker_id)
    session.commit()
    hist = history_frame(session, worker_id)
    frame = pd.DataFrame(
        {
            "Waktu": hist["at"].map(lambda t: t.strftime("%Y-%m-%d %H:%M") if t is not None else ""),
            "Pengguna": hist["username"],
            "Kegiatan": hist["action"],
            "Rincian": hist["detail"],
        }
    )
    title = f"Riwayat pemrosesan data NIK {worker.nik} ({worker.name}) per {fmt.date(dt.date.today())}"
    return exports.to_xlsx(frame, sheet_title="Riwayat", title=title)
