"""python -m services.insight figures [--json] [--database-url URL]

The active campaign's city-wide catalogued figures now, as the public page and the dashboard show them: each with
its key, Indonesian label, raw value and Indonesian text (`--json`), or one line per figure."""

import argparse
import json
import sys

from sqlmodel import Session

from services.insight.catalogue import figure
from services.insight.dashboard import campaign_progress
from services.insight.payers import payer_split
from services.platform.db import make_engine, migrate
from services.platform.settings import get_settings


def figures_payload(values: dict[str, object]) -> dict[str, dict[str, object]]:
    """key -> {label, value, text} for every catalogued city figure (pure)."""
    return {
        key: {"label": figure(key).label, "value": value, "text": figure(key).format(value)}
        for key, value in values.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.insight", description="Angka kampanye (katalog angka).")
    parser.add_argument("command", choices=["figures"])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--database-url", default=None)
    opts = parser.parse_args(sys.argv[1:] if argv is None else argv)
    url = opts.database_url or get_settings().database_url
    migrate(url)
    engine = make_engine(url)
    with Session(engine) as session:
        progress = campaign_progress(session=session)
        by_payer = payer_split(session=session).figures()
    engine.dispose()
    if progress is None:
        print("Belum ada surat edaran aktif.", file=sys.stderr)
        return 1
    payload = figures_payload({**progress.figures, **by_payer})
    if opts.json:
        print(json.dumps(payload, ensure_ascii=False))
    else:
        for item in payload.values():
            print(f"{item['label']}: {item['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
