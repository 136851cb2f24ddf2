"""python -m services.coverage import-result FILE [--dry-run] [--json]
python -m services.coverage import-claims FILE [--dry-run] [--json]    (benefits BPJS paid: JKK, JKM)
python -m services.coverage refresh [--today YYYY-MM-DD] [--json]      (daily cron; idempotent)"""

import argparse
import datetime as dt
import json
import sys

from sqlmodel import Session

from services.coverage.claims import import_claims
from services.coverage.expiry import refresh
from services.coverage.results import import_result
from services.platform.authz import SYSTEM
from services.platform.db import make_engine, migrate
from services.platform.settings import get_settings
from services.registry.cli import run


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["refresh"]:
        parser = argparse.ArgumentParser(prog="python -m services.coverage refresh")
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--database-url", default=None)
        opts = parser.parse_args(args[1:])
        url = opts.database_url or get_settings().database_url
        migrate(url)
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            counts = refresh(session=session, actor=SYSTEM, today=opts.today)
        engine.dispose()
        if opts.json:
            print(json.dumps(counts))
        else:
            print(
                f"Kepesertaan berakhir: {counts['assignments_expired']}, ikrar berakhir: {counts['pledges_expired']}, "
                f"tanggungan pihak lain berakhir: {counts['covered_lapsed']}."
            )
        return 0
    return run(
        "python -m services.coverage",
        "Hasil pendaftaran BPJS dan masa berlaku",
        {
            "import-result": ("import BPJS's registration result (NIK, KPJ, start, end)", import_result, True),
            "import-claims": ("import the benefits BPJS paid (KPJ/NIK, JKK/JKM, dates, amount)", import_claims, True),
        },
        args,
    )


if __name__ == "__main__":
    sys.exit(main())
