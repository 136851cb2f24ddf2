"""Audit log writes. Never commits: the row joins the caller's transaction, so it lands with the change."""

from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from models import AuditLog
from models.common import utcnow
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


def record_many(
    *,
    session: Session,
    actor: Actor | None,
    action: str,
    entity: str,
    items: list[tuple[object, dict[str, Any]]],
) -> None:
    """One audit row per (entity_id, detail), inserted in one executemany (bulk imports and exports)."""
    if not items:
        return
    now = utcnow()
    rows = [
        {
            "at": now,
            "user_id": actor.user_id if actor else None,
            "username": actor.username if actor else "sistem",
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "success": True,
            "detail": {k: v for k, v in detail.items() if v is not None},
        }
        for entity_id, detail in items
    ]
    for i in range(0, len(rows), 5_000):
        session.execute(insert(AuditLog), rows[i : i + 5_000])
