"""Batch matching from the command line.

python -m services.matching full [--processes N] [--database-url URL]
python -m services.matching pledge ID [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import sys

from sqlmodel import Session
from tqdm import tqdm

from services.matching.service import match_pledge, run_full_match
from services.platform.authz import SYSTEM
from services.platform.db import make_engine
from services.platform.errors import PayungError
from services.platform.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.matching", description="Pencocokan pekerja ke ikrar")
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL or the demo SQLite file")
    sub = parser.add_subparsers(dest="command", required=True)
    full = sub.add_parser("full", help="match every pledge with room left (proposed assignments may move)")
    full.add_argument("--database-url", dest="database_url_sub", default=None)
    full.add_argument(
        "--processes", type=int, default=os.cpu_count() or 1, help="worker processes (default: CPU cores)"
    )
    one = sub.add_parser("pledge", help="match one pledge from free workers")
    one.add_argument("pledge_id", type=int)
    one.add_argument("--database-url", dest="database_url_sub", default=None)
    args = parser.parse_args(argv)
    url = args.database_url_sub or args.database_url or get_settings().database_url
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            if args.command == "full":
                with tqdm(total=0, unit="bagian", desc="Pencocokan") as bar:

                    def progress(done: int, total: int) -> None:
                        if bar.total != total:
                            bar.total = total
                            bar.refresh()
                        bar.update(done - bar.n)

                    res = run_full_match(
                        session=session, actor=SYSTEM, progress=progress, processes=max(1, args.processes)
                    )
                print(
                    f"{res.pledges} ikrar, {res.assigned} penugasan baru, {res.moved} dipindah, "
                    f"{res.released} dilepas, {res.kept} tetap, {res.unmatched_pledges} ikrar belum penuh; "
                    f"{res.seconds:.1f} detik"
                )
            else:
                one_res = match_pledge(session=session, pledge_id=args.pledge_id, actor=SYSTEM)
                print(
                    f"Ikrar {one_res.pledge_id}: +{one_res.assigned_now}, {one_res.total_assigned}/"
                    f"{one_res.requested}. {one_res.explanation}"
                )
    except PayungError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
