"""Make a database ready: migrate, load reference data, seed the demo if empty (demo mode only)."""

import time
from pathlib import Path

from sqlmodel import Session

from services.demo.seed import is_empty, seed_demo
from services.platform.db import make_engine, migrate
from services.platform.regions import load_regions
from services.platform.settings import STATE_DIR, get_settings, private_dir, private_file


def bootstrap(
    *, url: str | None = None, demo: bool | None = None, n_workers: int = 25_000, seed: int | None = None
) -> str:
    settings = get_settings()
    url = url or settings.database_url
    demo = settings.demo if demo is None else demo
    db_file = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    if db_file and db_file != ":memory:":
        if Path(db_file).parent == STATE_DIR:
            private_dir(STATE_DIR)
        # 0600: the database holds NIKs and addresses; SQLite gives its -wal/-shm files the database's own mode.
        private_file(Path(db_file))
    started = time.perf_counter()
    migrate(url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            load_regions(session=session)
            if demo and is_empty(session=session):
                summary = seed_demo(session=session, seed=settings.seed if seed is None else seed, n_workers=n_workers)
                return (
                    f"Demo dimuat dalam {time.perf_counter() - started:.1f} dtk: {summary.companies} perusahaan, "
                    f"{summary.workers} pekerja, {summary.pledges} ikrar, {summary.assignments} penugasan."
                )
    finally:
        engine.dispose()
    return "Basis data siap (tidak ada yang perlu dimuat)."
