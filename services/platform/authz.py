"""The rules of what each role may do. Checked inside services, not only in pages; every denial is audited."""

from sqlmodel import Session

from models import Role
from services.platform import audit
from services.platform.actor import SYSTEM, Actor

__all__ = ["SYSTEM", "Actor", "record_refused_page", "require_branch", "require_company_access", "require_role"]
from services.platform.errors import AccessDenied


def _deny(session: Session | None, actor: Actor | None, action: str, entity: str, entity_id: object) -> AccessDenied:
    if session is not None:
        # The denial is committed on its own so the record survives the caller's rollback.
        audit.record(
            session=session,
            actor=actor,
            action="access.denied",
            entity=entity,
            entity_id=entity_id,
            success=False,
            attempted=action,
        )
        session.commit()
    return AccessDenied("Anda tidak berhak membuka data ini. Jika menurut Anda ini keliru, hubungi admin Disnaker.")


def require_role(actor: Actor | None, *roles: str, session: Session | None = None, action: str = "") -> Actor:
    if actor is None or actor.role not in roles:
        raise _deny(session, actor, action, "role", ",".join(roles))
    return actor


def require_company_access(
    actor: Actor | None, company_id: int, *, session: Session | None = None, action: str = "", write: bool = False
) -> Actor:
    """City staff may read every company (admins may also write); a company user only its own."""
    if actor is not None:
        if actor.role == Role.ADMIN or (actor.role == Role.VIEWER and not write):
            return actor
        if actor.role == Role.COMPANY and actor.company_id == company_id:
            return actor
    raise _deny(session, actor, action, "company", company_id)


def require_branch(actor: Actor | None, branch: str, *, session: Session | None = None, action: str = "") -> Actor:
    """Admins may act for every BPJS branch; a branch officer only for its own; nobody else."""
    if actor is not None and (actor.role == Role.ADMIN or (actor.role == Role.BRANCH and branch == actor.branch != "")):
        return actor
    raise _deny(session, actor, action, "branch", branch)


def record_refused_page(*, session: Session, actor: Actor, page: str) -> None:
    """A signed-in user asked for a page their role may not open (a typed or bookmarked URL): the navigation
    never registers it for them; this records the try (committed)."""
    _deny(session, actor, "page.open", "page", page)
