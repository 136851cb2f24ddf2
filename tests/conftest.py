"""Shared fixtures. Integration tests take `engine`/`session`, parametrised over SQLite and PostgreSQL.

A migrated template (regions loaded) is built once per database kind; each test gets a fresh copy:
a copied file on SQLite, `CREATE DATABASE ... TEMPLATE` on PostgreSQL.
"""

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.platform.db import make_engine, migrate  # noqa: E402
from services.platform.regions import load_regions  # noqa: E402
from tests.pg import ThrowawayPostgres  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).parts
        for kind in ("unit", "integration", "ui", "e2e"):
            if kind in parts:
                item.add_marker(getattr(pytest.mark, kind))
        if "e2e" in parts:
            # A real browser on a 2-core machine shared with a server, PostgreSQL and the suite: a click can land
            # while a rerun redraws the page. A failed browser test runs once more (pytest-rerunfailures); the
            # rerun shows as "R" and in the summary's "rerun" count, and a second failure fails the suite.
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:  # type: ignore[type-arg]
    """In CI a skipped test is a failure: nothing may silently not run."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which is not allowed: {report.longrepr}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    url = os.environ.get("PAYUNG_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    pg = ThrowawayPostgres()
    if not pg.available:
        msg = "PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    try:
        yield pg.start()
    finally:
        pg.stop()


def _seed_template(url: str) -> None:
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        load_regions(session=session)
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    _seed_template(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: str) -> str:
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS payung_template"))
        conn.execute(text("CREATE DATABASE payung_template"))
    admin.dispose()
    _seed_template(postgres_server.rsplit("/", 1)[0] + "/payung_template")
    return postgres_server


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    server: str = request.getfixturevalue("postgres_template")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE payung_template"))
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
