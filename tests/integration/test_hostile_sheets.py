"""Issue 23, item 1: spreadsheets are sized before they are read, on every import and its CLI twin.

Bad inputs tried (tests/hostile_sheets.py): a 1,5 KB file with a cell at XFD200000 (before the fix the reader
allocated 200.000 x 16.384 cells and the process aborted), 1.048.576 rows without a `<dimension>` claim, the same
with the claim, a header of 16.384 columns, a sheet unpacking to 200 MB of blanks. Each is refused with an
Indonesian message naming the limit, in under 1 s of CPU and, in a fresh CLI process, under 200 MB peak memory;
nothing is saved."""

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session, col, func, select

from models import AuditLog, Company, Role, Worker
from services.campaign import import_recipients
from services.coverage.results import import_result
from services.platform.authz import Actor
from services.platform.db import make_engine, migrate
from services.platform.errors import ValidationError
from services.registry import import_covered, import_workers
from tests import factories, hostile_sheets

ROOT = Path(__file__).resolve().parents[2]
WORDS = {
    "sparse": "menjangkau sampai baris 200.000, kolom XFD",
    "tall": r"menjangkau sampai baris [0-9.]+; batas .* baris \(termasuk judul\)",
    "tall_claimed": "menjangkau sampai baris 1.048.576",
    "wide": "baris 1, kolom XFD; batas .* 64 kolom",
    "bomb": "terlalu besar setelah dibuka",
}
SERVICES: dict[str, Callable[..., object]] = {
    "workers": lambda **kw: import_workers(apply=True, **kw),
    "covered": lambda **kw: import_covered(apply=True, **kw),
    "results": lambda **kw: import_result(apply=True, **kw),
    "recipients": lambda **kw: import_recipients(dry_run=False, **kw),
}
CLIS = {
    "workers": ["services.registry", "import-workers"],
    "covered": ["services.registry", "import-covered"],
    "results": ["services.coverage", "import-result"],
    "recipients": ["services.campaign", "import-recipients"],
}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    built = {
        "sparse": hostile_sheets.sparse(),
        "tall": hostile_sheets.tall(),
        "tall_claimed": hostile_sheets.tall(dimension=True),
        "wide": hostile_sheets.wide(),
        "bomb": hostile_sheets.bomb(),
    }
    assert len(built["sparse"]) < 2_000
    paths = {}
    for name, content in built.items():
        paths[name] = folder / f"{name}.xlsx"
        paths[name].write_bytes(content)
    return paths


@pytest.fixture
def admin(session: Session) -> Actor:
    factories.campaign(session)
    actor = factories.actor_of(factories.user(session, role=Role.ADMIN))
    session.commit()
    return actor


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def test_every_import_refuses_every_hostile_sheet_fast(session: Session, admin: Actor, files: dict[str, Path]) -> None:
    companies, workers = _count(session, Company), _count(session, Worker)
    for service_name, service in SERVICES.items():
        for name, path in files.items():
            content = path.read_bytes()
            started = time.process_time()
            with pytest.raises(ValidationError, match=WORDS[name]):
                service(session=session, actor=admin, content=content, filename=path.name)
            spent = time.process_time() - started
            assert spent < 1.0, f"{service_name} took {spent:.2f} s of CPU to refuse {name}"
            session.rollback()
    assert (_count(session, Company), _count(session, Worker)) == (companies, workers)
    written = ["worker.import", "worker.covered_import", "coverage.result_import", "recipients.import"]
    assert not session.exec(select(AuditLog).where(col(AuditLog.action).in_(written))).all()  # nothing imported


_WRAPPER = """
import json, resource, runpy, sys, time, io, contextlib
module, command, url, *paths = sys.argv[1:]
out = {}
for path in paths:
    sys.argv = [module, command, path, "--json", "--database-url", url]
    buffer = io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(buffer):
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = exc.code
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out[path] = {"code": code, "stdout": buffer.getvalue(), "cpu": time.process_time() - cpu,
                 "wall": time.perf_counter() - started, "rss": rss}
out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


@pytest.mark.parametrize("journey", list(CLIS))
def test_every_cli_twin_refuses_them_in_bounded_memory(journey: str, files: dict[str, Path], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as s:
        factories.campaign(s)
        s.commit()
    engine.dispose()
    module, command = CLIS[journey]
    warm_up = tmp_path / "kosong.csv"  # the first run pays for imports and the migration check: not measured
    warm_up.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, module, command, url, str(warm_up), *map(str, files.values())],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        # A clean environment: the suite's own settings (PAYUNG_DEMO from tests/ui, DATABASE_URL) must not make the
        # command line do more than a user's shell would.
        env={k: v for k, v in os.environ.items() if not k.startswith("PAYUNG_") and k != "DATABASE_URL"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    for name, path in files.items():
        run = report[str(path)]
        assert run["code"] == 2, (name, run)
        assert re.search(WORDS[name], json.loads(run["stdout"].strip().splitlines()[-1])["error"])
        assert run["cpu"] < 1.0, (name, run["cpu"])
    # The peak counts the imports too (155 MB alone, over 500 MB seen when the whole suite ran before it); what
    # is asserted is what the hostile files add over the warm-up's peak: little, nothing near the grid they claim.
    warmed = report[str(warm_up)]["rss"]
    assert report["maxrss_mb"] - warmed < 50, (warmed, report["maxrss_mb"])
