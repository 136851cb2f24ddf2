"""Portal accounts. Roles and lockout live here, not in streamlit-authenticator."""

import datetime as dt
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.common import utcnow


class Role(StrEnum):
    ADMIN = "admin"  # Disnaker / Dinsos staff
    VIEWER = "viewer"  # Wali Kota's office: read only
    COMPANY = "company"  # CSR/HR officer of a letter recipient
    BRANCH = "branch"  # officer of a BPJS Ketenagakerjaan branch: only the kecamatan its branch serves


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    display_name: str = Field(max_length=120)
    email: str = Field(default="", max_length=200)
    role: str = Field(max_length=10)  # a Role value
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    branch: str = Field(default="", max_length=60)  # the BPJS branch of a branch officer (data/bpjs_branches.csv)
    password_hash: str = Field(max_length=100)
    failed_attempts: int = 0
    locked_until: dt.datetime | None = None
    # Bumped on logout/password change; cookies issued before sessions_revoked_at are refused.
    session_version: int = 0
    sessions_revoked_at: dt.datetime | None = None
    is_active: bool = True
    must_change_password: bool = False  # a one-time password (import, reset) is changed at first login
    last_login_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
