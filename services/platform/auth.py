"""Accounts, passwords, lockout and server-side sessions.

streamlit-authenticator draws the login form and signs the cookie; everything that decides whether a person
may be in (active account, lockout, revoked cookies, role) lives here, in our own tables.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

import bcrypt
import jwt
from sqlmodel import Session, col, select

from models import Campaign, LetterRecipient, Role, User
from models.common import utcnow
from services.platform import audit, authz, throttle
from services.platform.authz import Actor
from services.platform.errors import AccessDenied, NotFound, ValidationError

MAX_FAILED_ATTEMPTS = throttle.MAX_FAILED_ATTEMPTS
LOCKOUT = throttle.LOCKOUT
# One answer for every failed login (unknown user, wrong password, locked, throttled): no account enumeration.
LOGIN_FAILED_MESSAGE = (
    "Gagal masuk: nama pengguna atau kata sandi salah, atau terlalu banyak percobaan. Periksa kembali (perhatikan "
    "huruf besar/kecil) dan coba lagi beberapa menit lagi. Jika tetap gagal, hubungi admin Disnaker."
)
# A bcrypt hash (cost 12, as real ones) of a random string nobody knows: unknown and blocked accounts are
# compared against it so they take as long as a real wrong password.
_DUMMY_HASH = "$2b$12$URFJ1SywZzd6lU2fxye4/.ur69mVGBS/e2djQMp/oD/fwibPTEPui"
UNKNOWN_USER = "(tidak dikenal)"
MIN_PASSWORD_LENGTH = 10
BCRYPT_MAX_BYTES = 72


@dataclass(frozen=True)
class SessionGrant:
    actor: Actor
    session_version: int
    password_fingerprint: str = ""


@dataclass(frozen=True)
class LoginOutcome:
    ok: bool
    message: str  # the one failure message, or "" on success
    checked: bool  # whether the password was compared with the account's hash (at most MAX per client)


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


def _check_password(password: str, password_hash: str) -> bool:
    """bcrypt compare that never raises (over-long input or a malformed hash count as a mismatch)."""
    try:
        matches = bcrypt.checkpw(password.encode()[:BCRYPT_MAX_BYTES], password_hash.encode())
    except ValueError:
        return False
    if not password_hash.startswith("$2b$12$"):  # a one-time password's cheap hash: spend the usual time anyway
        bcrypt.checkpw(b"-", _DUMMY_HASH.encode())
    return matches


def _reserved_check(
    session: Session, name: str, password: str, client: str, now: dt.datetime
) -> tuple[int | None, bool, bool, User | None]:
    """The one password comparison every check goes through: reserve the try (atomic, committed), then one
    bcrypt comparison, against the account's hash only if the account is usable and the try allowed. Returns
    (try number, allowed, matches, user)."""
    number = throttle.reserve(session=session, username=name, client=client, now=now)
    user = session.exec(select(User).where(User.username == name)).first() if name else None
    usable = user is not None and user.is_active and not _is_locked(user, now)
    allowed = number is not None and number <= MAX_FAILED_ATTEMPTS
    matches = _check_password(password, user.password_hash if (usable and allowed and user) else _DUMMY_HASH)
    return number, allowed, bool(usable and allowed and matches), user


PASSWORD_WRONG_MESSAGE = "Kata sandi saat ini salah. Ketik kata sandi yang Anda pakai untuk masuk."
PASSWORD_THROTTLED_MESSAGE = (
    "Terlalu banyak percobaan kata sandi yang salah. Tunggu {wait} lalu coba lagi, atau minta admin kota "
    "membuka blokirnya."
)


def confirm_password(
    *, session: Session, actor: Actor, password: str, client: str, purpose: str, now: dt.datetime | None = None
) -> User:
    """Check a signed-in user's own password (password change, any confirmation asking for it), throttled
    exactly like login and sharing its counters: the same (username, client) row, so the change form and the
    login form together give a guesser MAX_FAILED_ATTEMPTS comparisons, then growing waits and a block.
    Every failure is audited (`password.failed`, `password.throttled`) with `purpose`. Returns the user on
    success (the caller commits its change); raises ValidationError otherwise (after committing the audit row)."""
    now = now or utcnow()
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.is_active:
        raise NotFound("Akun tidak ditemukan atau tidak aktif.")
    number, allowed, matches, _ = _reserved_check(session, user.username, password, client, now)
    if matches and number is not None:
        throttle.clear(session=session, username=user.username, client=client, number=number)
        return user
    if number is not None:
        throttle.record_failure(session=session, username=user.username, client=client, number=number, now=now)
    audit.record(
        session=session,
        actor=actor,
        action="password.failed" if allowed else "password.throttled",
        entity="user",
        entity_id=user.id,
        success=False,
        purpose=purpose,
        client=client[:12],
    )
    session.commit()
    if allowed and number is not None and number < MAX_FAILED_ATTEMPTS:
        raise ValidationError(PASSWORD_WRONG_MESSAGE)
    wait = "15 menit" if (number or MAX_FAILED_ATTEMPTS) >= MAX_FAILED_ATTEMPTS else "beberapa detik"
    raise ValidationError(PASSWORD_THROTTLED_MESSAGE.format(wait=wait))


def attempt_login(
    *, session: Session, username: str, password: str, client: str, now: dt.datetime | None = None
) -> LoginOutcome:
    """Check a login form: throttled per (username, client), one answer for every failure.

    The try is reserved atomically before the password is compared (see `throttle`), so parallel tries are
    checked at most MAX_FAILED_ATTEMPTS times. Unknown, deactivated, locked and throttled accounts cost one
    bcrypt comparison too (against a dummy hash) and get the same message, so neither the words nor the time
    tell whether an account exists. Every failure is audited, tries on a blocked client too. On success the
    caller starts the session with `start_session` (which audits the login).
    """
    now = now or utcnow()
    name = username.strip()[:60]
    number, allowed, matches, user = _reserved_check(session, name, password, client, now)
    usable = user is not None and user.is_active and not _is_locked(user, now)
    # An unknown name is not written to the log (it may be a password typed in the wrong field).
    actor = _actor_of(user) if user is not None else Actor(user_id=None, username=UNKNOWN_USER, role="public")
    if allowed and usable and matches:
        throttle.clear(session=session, username=name, client=client, number=number)
        session.commit()
        return LoginOutcome(ok=True, message="", checked=True)
    if number is not None:
        throttle.record_failure(session=session, username=name, client=client, number=number, now=now)
    if not allowed:
        action = "auth.throttled"
    elif number is not None and number >= MAX_FAILED_ATTEMPTS:
        action = "auth.blocked"
    else:
        action = "auth.failed"
    audit.record(
        session=session,
        actor=actor,
        action=action,
        entity="user",
        entity_id=user.id if user is not None else "",
        success=False,
        client=client[:12],
        known=user is not None,
    )
    session.commit()
    return LoginOutcome(ok=False, message=LOGIN_FAILED_MESSAGE, checked=allowed)


def unlock(*, session: Session, actor: Actor, username: str) -> int:
    """Admin: lift every block on an account (all clients, and a lock set on the account). Returns the number of
    blocked clients cleared. Audited. The user-management page calls this."""
    authz.require_role(actor, Role.ADMIN, session=session, action="auth.unlock")
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"Pengguna {username!r} tidak ditemukan.")
    cleared = throttle.clear(session=session, username=username)
    user.locked_until = None
    user.failed_attempts = 0
    session.add(user)
    audit.record(session=session, actor=actor, action="auth.unlock", entity="user", entity_id=user.id, clients=cleared)
    session.commit()
    return cleared


def fingerprint_of(password_hash: str) -> str:
    """A short digest of the stored hash: an open session remembers it, so a password changed anywhere (even
    directly in the database) ends that session on its next run."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _actor_of(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        company_id=user.company_id,
        display_name=user.display_name,
        branch=user.branch,
    )


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
    actor = _actor_of(user)
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
    return SessionGrant(
        actor=actor, session_version=user.session_version, password_fingerprint=fingerprint_of(user.password_hash)
    )


def session_is_valid(
    *, session: Session, user_id: int | None, session_version: int, password_fingerprint: str | None = None
) -> bool:
    """Checked on every run: a logout elsewhere, a deactivation, an admin lock or a changed password (when the
    session's fingerprint is given) ends this session too."""
    user = session.get(User, user_id) if user_id is not None else None
    if user is not None and password_fingerprint and password_fingerprint != fingerprint_of(user.password_hash):
        return False
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
