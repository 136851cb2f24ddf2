"""The data version lives in the database (issue 26): every commit that writes a row the read side counts raises it
in the same transaction, whatever wrote it (ORM, Core executemany, text SQL, PostgreSQL's COPY) and whichever
process did (a second engine, a CLI import in a subprocess); a rollback or an unwatched table leaves it alone."""

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from models import DataVersion, Worker
from services.platform import dataversion
from services.platform.bulk import insert_rows
from services.platform.db import make_engine
from tests import factories as f
from tests.data.workers import corpus

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _probe_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataversion, "PROBE_S", 0.0)  # these tests ask the database each time


def _stored(engine: Engine) -> int:
    with Session(engine) as s:
        return s.exec(select(DataVersion.version)).one()


def test_every_kind_of_write_to_a_watched_table_raises_the_version_once_per_commit(engine: Engine) -> None:
    start = dataversion.data_version(engine)
    with Session(engine) as s:  # ORM flush
        f.worker(s)
        s.commit()
    assert dataversion.data_version(engine) == start + 1 == _stored(engine)
    with Session(engine) as s:  # several statements, one commit: one step
        f.worker(s)
        s.execute(update(Worker).values(occupation="Pedagang"))
        s.execute(text("UPDATE worker SET address = 'Jl. Baru'"))
        s.commit()
    assert dataversion.data_version(engine) == start + 2
    with engine.begin() as conn:  # Core, no Session
        conn.execute(delete(Worker).where(col(Worker.occupation) == "tidak ada"))
    assert dataversion.data_version(engine) == start + 3


def test_rollback_and_unwatched_tables_leave_the_version(engine: Engine) -> None:
    start = dataversion.data_version(engine)
    with Session(engine) as s:
        f.worker(s)
        s.flush()
        s.rollback()
        f.user(s)  # a user row is on no figure
        s.commit()
    assert dataversion.data_version(engine) == start


def test_a_bulk_insert_copy_on_postgresql_raises_the_version(engine: Engine) -> None:
    start = dataversion.data_version(engine)
    with Session(engine) as s:
        template = f.worker(s)
        s.flush()
        row = {c.name: getattr(template, c.name) for c in Worker.__table__.columns if c.name != "id"}  # type: ignore[attr-defined]
        s.rollback()
        insert_rows(s, Worker.__table__, [{**row, "nik": "3671011234567890"}])  # type: ignore[attr-defined]
        s.commit()
    assert dataversion.data_version(engine) == start + 1


def test_a_write_through_a_second_engine_is_seen_by_the_first(engine: Engine) -> None:
    """Another replica's write: this process's next read of the version (at most PROBE_S later) moves."""
    before = dataversion.data_version(engine)
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with Session(other) as s:
            f.worker(s)
            s.commit()
    finally:
        other.dispose()
    assert dataversion.data_version(engine) == before + 1


def test_a_cli_import_in_another_process_raises_the_version(engine: Engine, db_url: str, tmp_path: Path) -> None:
    before = dataversion.data_version(engine)
    path = tmp_path / "dinsos.xlsx"
    path.write_bytes(corpus.xlsx(corpus.mixed_rows()))
    cmd = [sys.executable, "-m", "services.registry", "import-workers", str(path), "--json", "--database-url", db_url]
    dry = subprocess.run([*cmd, "--dry-run"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert dry.returncode == 0, dry.stderr
    assert dataversion.data_version(engine) == before  # a dry run writes nothing the figures count
    subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True)
    assert dataversion.data_version(engine) > before


def test_the_statement_hook_recognises_every_write_the_dialects_compile() -> None:
    """Guard the class: for every watched table, the INSERT / UPDATE / DELETE both dialects compile is seen."""
    tables = SQLModel.metadata.tables
    assert set(tables) >= dataversion.WATCHED_TABLES, dataversion.WATCHED_TABLES - set(tables)
    for name in dataversion.WATCHED_TABLES:
        table = tables[name]
        first = next(iter(table.columns))
        for dialect in (sqlite.dialect(), postgresql.dialect()):
            for stmt in (insert(table), update(table).values({first.name: None}), delete(table)):
                assert dataversion.written_table(str(stmt.compile(dialect=dialect))) == name, (name, dialect.name)
    assert dataversion.written_table("COPY assignment (worker_id) FROM STDIN") == "assignment"
    assert dataversion.written_table("INSERT OR IGNORE INTO worker (nik) VALUES (?)") == "worker"
    assert dataversion.written_table("SELECT * FROM worker") is None


def test_every_raw_write_in_services_marks_the_connection() -> None:
    """A write on the raw DBAPI connection (COPY) passes no SQLAlchemy hook: each module doing one must mark it."""
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "services").rglob("*.py")
        if "dbapi_connection" in (src := p.read_text()) and "mark_written(" not in src
    ]
    assert offenders == []


def test_a_read_that_began_before_a_commit_here_is_not_remembered(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another thread's probe may read the version just before this process commits: it must not hide the commit
    for a whole PROBE_S by storing the old value after the commit forgot it."""
    monkeypatch.setattr(dataversion, "PROBE_S", 60.0)
    dataversion.forget()
    real = dataversion.reading

    def commit_meanwhile(bind: Engine) -> Engine:
        dataversion.forget()  # what a commit in this process does while the read is on its way
        return real(bind)

    monkeypatch.setattr(dataversion, "reading", commit_meanwhile)
    dataversion.data_version(engine)
    assert not dataversion._seen  # the next read asks the database again
    monkeypatch.setattr(dataversion, "reading", real)
    dataversion.data_version(engine)
    assert dataversion._seen  # a read with no commit meanwhile is remembered
