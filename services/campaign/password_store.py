"""One-time passwords waiting to be downloaded by the admin who made them (issue 22).

A reload or a new browser session of the same admin must not lose the passwords of an import or a reset, yet they
must never rest on disk or in the database in plain text. So they wait here, in this process's memory, keyed by
the admin's username, for `TTL` at most, and leave with the one download that takes them (`take`). A server
restart loses them: the admin then gives the affected users a new one-time password on *Pengguna*.

`claim` is the click's half that runs in the page (Streamlit's on_click): the list is hidden from the page at
once, while the file is made in a server thread (`take`). A claim whose download never took the list (a failed
download) shows the list again after `CLAIM_HOLD`.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session

from models import Role
from services.campaign.accounts import OneTimePassword, password_sheet
from services.platform import exports
from services.platform.authz import Actor, require_role

TTL_SECONDS = 60 * 60  # an hour: enough for the mail merge, short enough that a forgotten list does not linger
CLAIM_HOLD_SECONDS = 120


@dataclass
class _Waiting:
    password: OneTimePassword
    made: float
    claimed: float | None = None


_lock = threading.Lock()
_by_owner: dict[str, list[_Waiting]] = {}
clock: Callable[[], float] = time.monotonic  # tests move time on by replacing it


def _fresh(owner: str, now: float) -> list[_Waiting]:
    """The owner's entries still within the TTL (the rest are dropped). Caller holds the lock."""
    kept = [w for w in _by_owner.get(owner, []) if now - w.made <= TTL_SECONDS]
    if kept:
        _by_owner[owner] = kept
    else:
        _by_owner.pop(owner, None)
    return kept


def keep(*, owner: str, passwords: list[OneTimePassword]) -> None:
    """Add passwords to the owner's waiting list (a user reset twice keeps only the newest password)."""
    if not owner or not passwords:
        return
    now = clock()
    with _lock:
        new = {p.username for p in passwords}
        kept = [w for w in _fresh(owner, now) if w.password.username not in new]
        _by_owner[owner] = kept + [_Waiting(p, now) for p in passwords]


def waiting(*, owner: str) -> list[OneTimePassword]:
    """What the owner's page shows: unexpired, not claimed by a download in progress."""
    now = clock()
    with _lock:
        return [w.password for w in _fresh(owner, now) if w.claimed is None or now - w.claimed > CLAIM_HOLD_SECONDS]


def claim(*, owner: str) -> None:
    now = clock()
    with _lock:
        for w in _fresh(owner, now):
            w.claimed = now


def take(*, owner: str) -> list[OneTimePassword]:
    """The owner's whole list, removed: the one download that gets it."""
    now = clock()
    with _lock:
        taken = [w.password for w in _fresh(owner, now)]
        _by_owner.pop(owner, None)
    return taken


GONE_NOTE = (
    "Daftar kata sandi ini sudah diunduh atau sudah lewat 60 menit. Buat kata sandi sekali pakai baru untuk "
    "akun yang belum menerimanya lewat menu Pengguna."
)


def download_sheet(*, session: Session, actor: Actor) -> bytes:
    """The acting admin's waiting passwords as the mail-merge Excel (audited as `password.download`), taken from
    memory by this download. A second click gets a sheet that says where the passwords went instead."""
    require_role(actor, Role.ADMIN, session=session, action="password.download")
    passwords = take(owner=actor.username)
    if not passwords:
        return exports.to_xlsx(pd.DataFrame({"Keterangan": [GONE_NOTE]}), sheet_title="Kata sandi")
    try:
        return password_sheet(session=session, actor=actor, passwords=passwords)
    except Exception:  # no file, no audit row: the list waits again for the next click
        keep(owner=actor.username, passwords=passwords)
        raise


def discard(*, owner: str) -> int:
    with _lock:
        return len(_by_owner.pop(owner, []))
