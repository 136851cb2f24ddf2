"""Which BPJS Ketenagakerjaan branch serves which kecamatan: a setting, not code.

Read from `data/bpjs_branches.csv` (kecamatan_code, kecamatan_name, branch), or from the CSV named by
PAYUNG_BPJS_BRANCHES when BPJS redraws its areas. Every kecamatan must have exactly one branch.
"""

import functools
import os
from pathlib import Path

import pandas as pd
from sqlmodel import Session

from models import Role
from services.platform.authz import Actor, require_branch, require_role
from services.platform.errors import ValidationError
from services.platform.settings import DATA_DIR

DEFAULT_FILE = DATA_DIR / "bpjs_branches.csv"


def _path() -> Path:
    return Path(os.environ.get("PAYUNG_BPJS_BRANCHES") or DEFAULT_FILE)


@functools.lru_cache(maxsize=4)
def _read(path: Path) -> dict[str, str]:
    frame = pd.read_csv(path, dtype=str)
    if frame["kecamatan_code"].duplicated().any():
        raise ValidationError(f"Pengaturan cabang BPJS ({path.name}) memuat kecamatan yang sama dua kali.")
    return dict(zip(frame["kecamatan_code"], frame["branch"].str.strip(), strict=True))


def branch_of_kecamatan() -> dict[str, str]:
    """kecamatan code -> branch name."""
    return dict(_read(_path()))


def branches() -> list[str]:
    return sorted(set(branch_of_kecamatan().values()))


def kecamatan_of_branch(branch: str) -> list[str]:
    codes = [k for k, b in branch_of_kecamatan().items() if b == branch]
    if not codes:
        raise ValidationError(f"Cabang BPJS '{branch}' tidak dikenal. Pilih salah satu: {', '.join(branches())}.")
    return codes


def kecamatan_names(branch: str) -> list[str]:
    """The names of the kecamatan a branch serves, for its desk's heading."""
    frame = pd.read_csv(_path(), dtype=str)
    return frame.loc[frame["branch"].str.strip() == branch, "kecamatan_name"].tolist()


def branch_scope(*, session: Session, actor: Actor, action: str, branch: str = "") -> list[str] | None:
    """The kecamatan codes `actor` may act on: a branch officer's own branch (asking for another is refused and
    audited), the branch an admin chose, or None (every kecamatan) for an admin who chose none. Everyone else is
    refused. Every branch-desk service starts here."""
    if actor.role == Role.BRANCH:
        require_branch(actor, branch or actor.branch, session=session, action=action)
        return kecamatan_of_branch(actor.branch)
    require_role(actor, Role.ADMIN, session=session, action=action)
    return kecamatan_of_branch(branch) if branch else None
