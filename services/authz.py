"""Who is acting, and the rules of what each role may do. Checked inside services, not only in pages."""

from dataclasses import dataclass

from sqlmodel import Session

from models import Role
from services.errors import AccessDenied


@dataclass(frozen=True)
class Actor:
    """The acting user as plain data (safe to keep in st.session_state)."""

    user_id: int | None
    username: str
    role: str
    company_id: int | None = None
    display_name: str = ""

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_city(self) -> bool:
        return self.role in (Role.ADMIN, Role.VIEWER)


# Batch jobs and the demo seed act as this user (audited as "sistem").
SYSTEM = Actor(user_id=None, username="sistem", role=Role.ADMIN, display_name="Sistem")


def _deny(session: Session | None, actor: Actor | None, action: str, entity: str, entity_id: object) -> AccessDenied:
    if session is not None:
        from services import audit  # local: audit imports this module

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
