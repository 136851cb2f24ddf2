"""docs/deploy.md's backup: `scripts/backup_restore_check.sh` dumps the test run's PostgreSQL database with
pg_dump, restores it into a fresh one and compares every table's row count (and the audit trigger). Its
failure path is tested too: a copy without the append-only trigger, and a database that does not exist."""

import shutil
import subprocess

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.platform import audit
from services.platform.settings import PROJECT_ROOT
from tests import factories as f

SCRIPT = PROJECT_ROOT / "scripts" / "backup_restore_check.sh"


def _run(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), url], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_dump_restores_identically(engine: Engine, db_url: str) -> None:
    assert shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")
    with Session(engine) as s:
        camp = f.campaign(s)
        f.company(s, campaign_id=camp.id)
        f.user(s)
        audit.record(session=s, actor=None, action="uji.cadangan", entity="uji")
        s.commit()
    done = _run(db_url)
    assert done.returncode == 0, done.stderr
    assert "RESTORE CHECK OK" in done.stdout
    with engine.connect() as conn:  # the copy is gone again
        copies = conn.execute(text("SELECT count(*) FROM pg_database WHERE datname LIKE '%restore_check%'")).scalar()
    assert copies == 0


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_missing_trigger_or_unreachable_database_fails_the_check(engine: Engine, db_url: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER auditlog_no_update_delete ON auditlog"))
    done = _run(db_url)
    assert done.returncode == 1 and "triggers are missing" in done.stderr
    assert _run(db_url.rsplit("/", 1)[0] + "/tidak_ada").returncode != 0
