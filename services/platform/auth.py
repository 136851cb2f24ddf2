"""Accounts, passwords, lockout and server-side sessions.

streamlit-authenticator draws the login form and signs the cookie; everything that decides whether a person
may be in (active account, lockout, revoked cookies, role) lives here, in our own tables.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import bcrypt
import jwt
from sqlmodel import Session, col, select

from models import Campaign, LetterRecipient, Role, User
from models.common import utcnow
from services.platform import audit
from services.platform.authz import Actor
from services.platform.errors import AccessDenied, ValidationError

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
BCRYPT_MAX_BYTES = 72


@dataclass(frozen=True)
class SessionGrant:
    actor: Actor
    session_version: int


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"Kata sandi terlalu pendek: minimal {MIN_PASSWORD_LENGTH} karakter.")
    if len(password.encode()) > BCRYPT_MAX_BYTES:
        raise ValidationError(f"Kata sandi terlalu panjang: maksimal {BCRYPT_MAX_BYTES} byte.")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def _as_aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _is_locked(user: User, now: dt.datetime) -> bool:
    locked_until = _as_aware(user.locked_until)
    return locked_until is not None and locked_until > now


def authenticator_credentials(*, session: Session) -> dict[str, Any]:
    """The credentials dict streamlit-authenticator expects, built from active accounts.

    Locked accounts carry `failed_login_attempts = MAX_FAILED_ATTEMPTS`, so the library refuses them before it
    even checks the password (pass `max_login_attempts=MAX_FAILED_ATTEMPTS` to `login`).
    """
    now = utcnow()
    users = session.exec(select(User).where(col(User.is_active).is_(True))).all()
    return {
        "usernames": {
            u.username: {
                "name": u.display_name,
                "email": u.email,
                "password": u.password_hash,
                "roles": [u.role],
                "failed_login_attempts": MAX_FAILED_ATTEMPTS if _is_locked(u, now) else 0,
            }
            for u in users
        }
    }


def failed_usernames(credentials: dict[str, Any]) -> list[str]:
    """Usernames whose attempt the library just counted as failed (it increments the dict we gave it)."""
    return [
        name
        for name, entry in credentials["usernames"].items()
        if 0 < int(entry.get("failed_login_attempts") or 0) < MAX_FAILED_ATTEMPTS
    ]


def record_failed_login(*, session: Session, username: str) -> str:
    """Count a wrong password; lock the account for 15 minutes after 5. Returns the message to show."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        return "Nama pengguna atau kata sandi salah. Periksa kembali, perhatikan huruf besar/kecil."
    user.failed_attempts += 1
    left = MAX_FAILED_ATTEMPTS - user.failed_attempts
    actor = Actor(user_id=user.id, username=user.username, role=user.role, company_id=user.company_id)
    if left <= 0:
        user.locked_until = utcnow() + LOCKOUT
        user.failed_attempts = 0
        audit.record(
            session=session, actor=actor, action="auth.locked", entity="user", entity_id=user.id, success=False
        )
        message = "Terlalu banyak percobaan yang salah: akun dikunci 15 menit. Coba lagi nanti atau hubungi admin."
    else:
        audit.record(
            session=session, actor=actor, action="auth.failed", entity="user", entity_id=user.id, success=False
        )
        message = f"Nama pengguna atau kata sandi salah. Sisa {left} percobaan sebelum akun dikunci sementara."
    session.add(user)
    session.commit()
    return message


def cookie_issued_at(token: str | None, *, key: str, expiry_days: float) -> dt.datetime | None:
    """When the library's cookie was issued: its JWT holds only the expiry, which is issue time + expiry_days."""
    if not token:
        return None
    try:
        payload = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    exp = payload.get("exp_date")
    if not isinstance(exp, int | float):
        return None
    return dt.datetime.fromtimestamp(exp, tz=dt.UTC) - dt.timedelta(days=expiry_days)


def start_session(
    *, session: Session, username: str, via_cookie: bool, cookie_issued: dt.datetime | None = None
) -> SessionGrant:
    """Admit a user the library has authenticated, after our own checks. Audited; marks the letter as opened."""
    now = utcnow()
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.is_active:
        raise AccessDenied("Akun ini tidak aktif. Hubungi admin Disnaker untuk mengaktifkannya.")
    if _is_locked(user, now):
        raise AccessDenied("Akun dikunci sementara karena terlalu banyak percobaan salah. Coba lagi 15 menit lagi.")
    revoked = _as_aware(user.sessions_revoked_at)
    if via_cookie and revoked is not None and (cookie_issued is None or cookie_issued <= revoked):
        raise AccessDenied("Sesi Anda sudah berakhir. Silakan masuk lagi.")
    user.failed_attempts = 0
    user.last_login_at = now
    actor = Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        company_id=user.company_id,
        display_name=user.display_name,
    )
    if user.role == Role.COMPANY and user.company_id is not None:
        recipients = session.exec(
            select(LetterRecipient)
            .join(Campaign, col(Campaign.id) == LetterRecipient.campaign_id)
            .where(LetterRecipient.company_id == user.company_id, col(LetterRecipient.first_login_at).is_(None))
        ).all()
        for r in recipients:
            r.first_login_at = now
            session.add(r)
    audit.record(
        session=session,
        actor=actor,
        action="auth.login",
        entity="user",
        entity_id=user.id,
        via="cookie" if via_cookie else "form",
    )
    session.add(user)
    session.commit()
    return SessionGrant(actor=actor, session_version=user.session_version)


def session_is_valid(*, session: Session, user_id: int | None, session_version: int) -> bool:
    """Checked on every run: a logout elsewhere, a deactivation or a lock ends this session too."""
    user = session.get(User, user_id) if user_id is not None else None
    return bool(user and user.is_active and user.session_version == session_version and not _is_locked(user, utcnow()))


def end_session(*, session: Session, actor: Actor) -> None:
    """Logout: every session and every cookie issued so far for this user stops working."""
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        return
    user.session_version += 1
    user.sessions_revoked_at = utcnow()
    audit.record(session=session, actor=actor, action="auth.logout", entity="user", entity_id=user.id)
    session.add(user)
    session.commit()
