"""Reading the audit log (admins only); reading it is itself audited."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlmodel import Session, col, func, select

from models import AuditLog, Role
from services.platform.audit import record
from services.platform.authz import Actor, require_role
from services.platform.exports import to_xlsx


def recent(*, session: Session, actor: Actor, limit: int = 500, action_prefix: str = "") -> pd.DataFrame:
    """The newest audit rows (admins only). Reading the log is itself recorded."""
    require_role(actor, Role.ADMIN, session=session, action="audit.view")
    stmt = select(AuditLog).order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc()).limit(limit)
    if action_prefix:
        stmt = stmt.where(col(AuditLog.action).startswith(action_prefix))
    rows = session.exec(stmt).all()
    record(session=session, actor=actor, action="audit.view", entity="auditlog", rows=len(rows))
    session.commit()
    return pd.DataFrame(
        [(r.at, r.username, r.action, r.entity, r.entity_id, r.success, r.detail) for r in rows],
        columns=["at", "username", "action", "entity", "entity_id", "success", "detail"],
    )


# ---------------------------------------------------------------------------------------------------------------
# The viewer's search: filters by person, action, entity and time range, one page at a time (paginated in SQL).

AUDIT_COLUMNS = ["at", "username", "action", "entity", "entity_id", "success", "detail"]


@dataclass(frozen=True)
class AuditQuery:
    username: str = ""  # exact username ("sistem" for the batch/demo user)
    action_prefix: str = ""  # "auth." or a full action name
    entity: str = ""
    since: dt.datetime | None = None  # inclusive, aware
    until: dt.datetime | None = None  # exclusive, aware


def _filtered(stmt: Any, query: AuditQuery) -> Any:
    if query.username:
        stmt = stmt.where(AuditLog.username == query.username)
    if query.action_prefix:
        stmt = stmt.where(col(AuditLog.action).startswith(query.action_prefix))
    if query.entity:
        stmt = stmt.where(AuditLog.entity == query.entity)
    if query.since is not None:
        stmt = stmt.where(col(AuditLog.at) >= query.since)
    if query.until is not None:
        stmt = stmt.where(col(AuditLog.at) < query.until)
    return stmt


def search(
    *, session: Session, actor: Actor, query: AuditQuery, page: int = 1, page_size: int = 100
) -> tuple[pd.DataFrame, int]:
    """(one page of matching rows, newest first; the number of matching rows). Reading is itself recorded."""
    require_role(actor, Role.ADMIN, session=session, action="audit.view")
    page_size = max(1, min(page_size, 1000))
    total = int(session.exec(_filtered(select(func.count()).select_from(AuditLog), query)).one())
    offset = max(0, page - 1) * page_size
    rows = session.exec(
        _filtered(select(AuditLog), query)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
        .offset(offset)
        .limit(page_size)
    ).all()
    record(session=session, actor=actor, action="audit.view", entity="auditlog", rows=len(rows), page=page)
    session.commit()
    frame = pd.DataFrame(
        [(r.at, r.username, r.action, r.entity, r.entity_id, r.success, r.detail) for r in rows], columns=AUDIT_COLUMNS
    )
    return frame, total


def filter_options(*, session: Session, actor: Actor) -> tuple[list[str], list[str]]:
    """The usernames and entities that occur in the log, for the filter pickers."""
    require_role(actor, Role.ADMIN, session=session, action="audit.view")
    users = session.exec(select(AuditLog.username).distinct().order_by(AuditLog.username)).all()
    entities = session.exec(
        select(AuditLog.entity).where(AuditLog.entity != "").distinct().order_by(AuditLog.entity)
    ).all()
    return list(users), list(entities)


EXPORT_MAX_ROWS = 50_000


def export_xlsx(*, session: Session, actor: Actor, query: AuditQuery) -> bytes:
    """The matching rows (up to 50,000, newest first) as Excel. The export itself is audited."""
    require_role(actor, Role.ADMIN, session=session, action="audit.export")
    rows = session.exec(
        _filtered(select(AuditLog), query)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
        .limit(EXPORT_MAX_ROWS)
    ).all()
    record(
        session=session,
        actor=actor,
        action="audit.export",
        entity="auditlog",
        rows=len(rows),
        username_filter=query.username or None,
        action_filter=query.action_prefix or None,
        entity_filter=query.entity or None,
    )
    session.commit()
    frame = pd.DataFrame(
        [
            (
                r.at.replace(tzinfo=None) if r.at else None,
                r.username,
                r.action,
                r.entity,
                r.entity_id,
                "ya" if r.success else "tidak",
                ", ".join(f"{k}={v}" for k, v in (r.detail or {}).items()),
            )
            for r in rows
        ],
        columns=["Waktu (UTC)", "Pengguna", "Kegiatan", "Objek", "ID", "Berhasil", "Rincian"],
    )
    return to_xlsx(frame, sheet_title="Log audit", title="Log audit Payung")
