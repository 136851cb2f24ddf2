"""Audit log writes. Never commits: the row joins the caller's transaction, so it lands with the change."""

from typing import Any

import pandas as pd
from sqlmodel import Session, col, select

from models import AuditLog, Role
from services.authz import Actor, require_role


def record(
    *,
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str = "",
    entity_id: object = "",
    success: bool = True,
    **detail: Any,
) -> None:
    session.add(
        AuditLog(
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else "sistem",
            action=action,
            entity=entity,
            entity_id=str(entity_id) if entity_id not in (None, "") else "",
            success=success,
            detail={k: v for k, v in detail.items() if v is not None},
        )
    )


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
