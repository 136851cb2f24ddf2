"""Who is acting, as plain data (safe to keep in st.session_state). Imports nothing of services."""

from dataclasses import dataclass

from models import Role


@dataclass(frozen=True)
class Actor:
    """The acting user as plain data (safe to keep in st.session_state)."""

    user_id: int | None
    username: str
    role: str
    company_id: int | None = None
    display_name: str = ""
    branch: str = ""  # a branch officer's BPJS branch

    @property
    def is_branch(self) -> bool:
        return self.role == Role.BRANCH

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_city(self) -> bool:
        return self.role in (Role.ADMIN, Role.VIEWER)


# Batch jobs and the demo seed act as this user (audited as "sistem").
SYSTEM = Actor(user_id=None, username="sistem", role=Role.ADMIN, display_name="Sistem")
