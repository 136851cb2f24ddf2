"""Reading the audit log (admins only); reading it is itself audited."""

import pandas as pd
from sqlmodel import Session, col, select

from models import AuditLog, Role
from services.platform.audit import record
from services.platform.authz import Actor, require_role


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
