"""Audit log writes. Never commits: the row joins the caller's transaction, so it lands with the change."""

from typing import Any

from sqlmodel import Session

from models import AuditLog
from services.platform.actor import Actor


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
