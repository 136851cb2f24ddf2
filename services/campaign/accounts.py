"""Accounts and passwords: one-time passwords for new recipients and resets, the forced change at first login,
changing one's own password, and user management for admins (city users: admin, viewer).

Login itself, lockout and the session check stay in `services.platform.auth`; this module uses its public
`hash_password` and the `User` columns that session check reads (`session_version`, `sessions_revoked_at`,
`is_active`), so ending a user's sessions here takes effect on that user's next rerun.
"""

import datetime as dt
import io
import re
import secrets
from dataclasses import dataclass

import bcrypt
import pandas as pd
from sqlmodel import Session, select

from models import Company, Role, User
from models.common import utcnow
from services.coverage import branches
from services.platform import audit, exports, fmt
from services.platform.auth import (
    BCRYPT_MAX_BYTES,
    MIN_PASSWORD_LENGTH,
    confirm_password,
    fingerprint_of,
    hash_password,
)
from services.platform.authz import Actor, require_role
from services.platform.errors import NotFound, ValidationError
from services.platform.throttle import UNKNOWN_CLIENT

# Letters and digits a person can read off paper without confusing them (no 0/O, 1/l/I).
_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY3479"
ONE_TIME_LENGTH = 14  # 14 symbols of 47: ~78 bits, out of reach of guessing even with a cheap hash
# A random one-time password has more entropy than any stretching adds, so its hash uses bcrypt's lowest cost:
# an import of 10,000 recipients hashes in ~20 s instead of ~40 min. The user's own password gets full cost.
ONE_TIME_BCRYPT_ROUNDS = 4
CITY_ROLES = (Role.ADMIN, Role.VIEWER)
# Least privilege: a new city user is a viewer unless admin is chosen *and* confirmed (issue 23).
ADMIN_CONFIRMATION = (
    "Peran Admin kota memberi akses penuh: data pribadi pekerja, impor, pencocokan dan pengelolaan pengguna. "
    "Centang konfirmasi pemberian peran admin, atau pilih Pemantau kota."
)
NEW_USER_ROLES = (*CITY_ROLES, Role.BRANCH)  # the accounts an admin makes on *Pengguna*
ROLE_LABELS = {
    Role.ADMIN: "Admin kota",
    Role.VIEWER: "Pemantau kota",
    Role.COMPANY: "Perusahaan",
    Role.BRANCH: "Petugas cabang BPJS",
}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")


@dataclass(frozen=True)
class OneTimePassword:
    username: str
    display_name: str
    password: str
    company: str = ""


def one_time_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(ONE_TIME_LENGTH))


def _one_time_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=ONE_TIME_BCRYPT_ROUNDS)).decode()


def _end_sessions(user: User) -> None:
    """Every open session and every cookie issued so far stop working (checked by auth on each rerun)."""
    user.session_version += 1
    user.sessions_revoked_at = utcnow()


def company_username(name: str, taken: set[str]) -> str:
    """A short readable username from a company name ('PT Maju Jaya Abadi' -> 'majujayaabadi'), unique in `taken`."""
    stem = re.sub(r"^(pt|cv|ud|pd)\.?\s+", "", name.strip().lower())
    stem = re.sub(r"\b(tbk|persero)\b", "", stem)
    stem = re.sub(r"[^a-z0-9]+", "", stem)[:20] or "perusahaan"
    if len(stem) < 3:
        stem = f"pt{stem}"
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}{n}"
    taken.add(candidate)
    return candidate


def existing_usernames(*, session: Session) -> set[str]:
    return set(session.exec(select(User.username)).all())


def company_accounts(
    companies: list[tuple[int, str, str]], taken: set[str]
) -> tuple[list[dict], list[OneTimePassword]]:
    """Rows for the accounts of new recipients (company id, name, e-mail), each with a one-time password it must
    change at first login, ready for one bulk insert; and the passwords for the mail-merge list."""
    rows: list[dict] = []
    passwords: list[OneTimePassword] = []
    for company_id, name, email in companies:
        password = one_time_password()
        username, display = company_username(name, taken), f"CSR {name}"[:120]
        rows.append(
            {
                "username": username,
                "display_name": display,
                "email": email,
                "role": Role.COMPANY.value,
                "company_id": company_id,
                "password_hash": _one_time_hash(password),
                "must_change_password": True,
                "failed_attempts": 0,
                "session_version": 0,
                "is_active": True,
                "created_at": utcnow(),
            }
        )
        passwords.append(OneTimePassword(username, display, password, name))
    return rows, passwords


def must_change_password(*, session: Session, user_id: int | None) -> bool:
    user = session.get(User, user_id) if user_id is not None else None
    return bool(user and user.must_change_password)


def check_new_password(new: str, repeat: str, *, username: str = "", current: str = "") -> list[str]:
    """Problems with a chosen password (pure), in Indonesian."""
    errors = []
    if new != repeat:
        errors.append("Kata sandi baru dan ulangannya tidak sama.")
    if len(new) < MIN_PASSWORD_LENGTH:
        errors.append(f"Kata sandi baru minimal {MIN_PASSWORD_LENGTH} karakter.")
    if len(new.encode()) > BCRYPT_MAX_BYTES:
        errors.append(f"Kata sandi baru maksimal {BCRYPT_MAX_BYTES} byte (huruf beraksen dihitung 2 byte).")
    if new and current and new == current:
        errors.append("Kata sandi baru harus berbeda dari yang lama.")
    if username and username.lower() in new.lower():
        errors.append("Kata sandi tidak boleh memuat nama pengguna.")
    if new and (new.isdigit() or new.isalpha()):
        errors.append("Campurkan huruf dengan angka atau tanda baca.")
    return errors


def change_password(
    *, session: Session, actor: Actor, current: str, new: str, repeat: str, client: str = UNKNOWN_CLIENT
) -> tuple[int, str]:
    """Change one's own password. The current password is checked through `auth.confirm_password` (throttled
    like login, per user and `client`, audited). Ends the user's other sessions; returns the new session version
    and password fingerprint, which the caller keeps so the session in which the change was made goes on."""
    user = confirm_password(session=session, actor=actor, password=current, client=client, purpose="password.change")
    errors = check_new_password(new, repeat, username=user.username, current=current)
    if errors:
        raise ValidationError("Kata sandi baru belum dapat dipakai:\n\n" + "\n".join(f"- {e}" for e in errors))
    user.password_hash = hash_password(new)
    user.must_change_password = False
    _end_sessions(user)
    session.add(user)
    audit.record(session=session, actor=actor, action="password.change", entity="user", entity_id=user.id)
    session.commit()
    return user.session_version, fingerprint_of(user.password_hash)


# ---------------------------------------------------------------------------------------------------------------
# User management (admins)


def list_users(*, session: Session, actor: Actor, role: str | None = None) -> pd.DataFrame:
    require_role(actor, Role.ADMIN, session=session, action="user.list")
    stmt = select(User).order_by(User.role, User.username)
    if role:
        stmt = stmt.where(User.role == role)
    rows = session.exec(stmt).all()
    return pd.DataFrame(
        [
            (u.id, u.username, u.display_name, u.email, u.role, u.is_active, u.must_change_password, u.last_login_at)
            for u in rows
        ],
        columns=["id", "username", "display_name", "email", "role", "active", "must_change", "last_login_at"],
    )


def _target(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Pengguna tidak ditemukan. Muat ulang halaman.")
    return user


def _grant_admin_audit(session: Session, actor: Actor, user: User) -> None:
    audit.record(session=session, actor=actor, action="user.admin_grant", entity="user", entity_id=user.id)


def create_city_user(
    *,
    session: Session,
    actor: Actor,
    username: str,
    display_name: str,
    email: str,
    role: str | None,
    confirm_admin: bool = False,
    branch: str = "",
) -> OneTimePassword:
    """A new admin, viewer or BPJS branch officer (of one branch) with a one-time password to change at first
    login. The role has no default; an admin is made only with `confirm_admin` (the form's explicit
    confirmation), and that grant has its own audit row."""
    require_role(actor, Role.ADMIN, session=session, action="user.create")
    username = username.strip().lower()
    errors = []
    if not role:
        errors.append("Pilih peran: Pemantau kota (hanya membaca), Petugas cabang BPJS atau Admin kota.")
    elif role not in NEW_USER_ROLES:
        errors.append("Peran pengguna hanya Admin kota, Pemantau kota atau Petugas cabang BPJS.")
    elif role == Role.ADMIN and not confirm_admin:
        errors.append(ADMIN_CONFIRMATION)
    if role == Role.BRANCH and branch not in branches():
        errors.append(f"Pilih cabang BPJS petugas ini: {', '.join(branches())}.")
    if not _USERNAME.match(username):
        errors.append("Nama pengguna 3–60 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung.")
    if not display_name.strip():
        errors.append("Nama lengkap wajib diisi.")
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email.strip()):
        errors.append("Alamat email tidak valid, contoh: nama@tangerangkota.go.id.")
    if not errors and username in existing_usernames(session=session):
        errors.append(f"Nama pengguna '{username}' sudah dipakai. Pilih nama lain.")
    if errors:
        raise ValidationError("Periksa isian berikut:\n\n" + "\n".join(f"- {e}" for e in errors))
    password = one_time_password()
    user = User(
        username=username,
        display_name=display_name.strip()[:120],
        email=email.strip(),
        role=role or Role.VIEWER,  # never None here: refused above
        branch=branch if role == Role.BRANCH else "",
        password_hash=_one_time_hash(password),
        must_change_password=True,
    )
    session.add(user)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="user.create",
        entity="user",
        entity_id=user.id,
        role=role,
        branch=user.branch,
    )
    if role == Role.ADMIN:
        _grant_admin_audit(session, actor, user)
    session.commit()
    return OneTimePassword(user.username, user.display_name, password)


def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> str:
    """Deactivate (ends the user's sessions at once) or reactivate an account. Returns the username."""
    require_role(actor, Role.ADMIN, session=session, action="user.deactivate" if not active else "user.reactivate")
    user = _target(session, user_id)
    if not active and user.id == actor.user_id:
        raise ValidationError("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    if user.is_active == active:
        return user.username
    user.is_active = active
    if not active:
        _end_sessions(user)
    else:
        user.failed_attempts = 0
        user.locked_until = None
    session.add(user)
    audit.record(
        session=session,
        actor=actor,
        action="user.reactivate" if active else "user.deactivate",
        entity="user",
        entity_id=user.id,
    )
    session.commit()
    return user.username


def reset_password(*, session: Session, actor: Actor, user_id: int) -> OneTimePassword:
    """A new one-time password (to change at next login); the user's open sessions end."""
    require_role(actor, Role.ADMIN, session=session, action="user.reset")
    user = _target(session, user_id)
    password = one_time_password()
    user.password_hash = _one_time_hash(password)
    user.must_change_password = True
    user.failed_attempts = 0
    user.locked_until = None
    _end_sessions(user)
    session.add(user)
    audit.record(session=session, actor=actor, action="user.reset", entity="user", entity_id=user.id)
    session.commit()
    company = session.get(Company, user.company_id) if user.company_id else None
    return OneTimePassword(user.username, user.display_name, password, company.name if company else "")


def change_role(*, session: Session, actor: Actor, user_id: int, role: str, confirm_admin: bool = False) -> str:
    """Switch a city user between admin and viewer (company accounts keep their role). Their sessions end, so the
    new menu applies at once. Making someone admin needs `confirm_admin` and is audited as an admin grant."""
    require_role(actor, Role.ADMIN, session=session, action="user.role")
    user = _target(session, user_id)
    if role not in CITY_ROLES or user.role not in CITY_ROLES:
        raise ValidationError("Peran hanya dapat diganti antara Admin kota dan Pemantau kota.")
    if user.id == actor.user_id:
        raise ValidationError("Anda tidak dapat mengganti peran akun Anda sendiri.")
    if user.role == role:
        return user.username
    if role == Role.ADMIN and not confirm_admin:
        raise ValidationError(ADMIN_CONFIRMATION)
    old, user.role = user.role, role
    _end_sessions(user)
    session.add(user)
    audit.record(session=session, actor=actor, action="user.role", entity="user", entity_id=user.id, old=old, new=role)
    if role == Role.ADMIN:
        _grant_admin_audit(session, actor, user)
    session.commit()
    return user.username


def password_sheet(*, session: Session, actor: Actor, passwords: list[OneTimePassword]) -> bytes:
    """The one-time passwords as an Excel list for the letter's mail merge. Made on the click, and audited."""
    require_role(actor, Role.ADMIN, session=session, action="password.download")
    frame = pd.DataFrame(
        [(p.company, p.username, p.password, p.display_name) for p in passwords],
        columns=["Perusahaan", "Nama pengguna", "Kata sandi sekali pakai", "Nama akun"],
    )
    audit.record(
        session=session,
        actor=actor,
        action="password.download",
        entity="user",
        accounts=len(passwords),
        usernames=[p.username for p in passwords][:50],
    )
    session.commit()
    return exports.to_xlsx(
        frame, sheet_title="Kata sandi", title=f"Kata sandi sekali pakai — {fmt.date(dt.date.today())}"
    )


def write_password_sheet(path: str, content: bytes) -> None:
    """Write the list readable by its owner only (CLI)."""
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with io.FileIO(fd, "w") as fh:
        fh.write(content)
