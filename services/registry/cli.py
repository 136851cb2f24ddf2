"""The command-line twin of every import page: same service, same counts, `--json` for scripts.

Exit status: 0 when the file could be read (refused rows are reported, not fatal), 2 when it could not be read
at all, 1 for any other refusal (permission, a conflicting change).
"""

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session

from services.platform.authz import SYSTEM
from services.platform.db import make_engine, migrate
from services.platform.errors import PayungError, ValidationError
from services.platform.settings import get_settings
from services.registry.runs import ImportResult

Service = Callable[..., ImportResult]


def summary(result: ImportResult) -> str:
    verb = "disimpan" if result.applied else "pratinjau, belum disimpan"
    lines = [
        f"Dibaca {result.read} baris ({verb}): baru {result.inserted}, berubah {result.updated}, "
        f"tetap {result.unchanged}, ditolak {result.rejected}, ganda {result.duplicates}, baris kosong {result.blank}."
    ]
    lines += [f"  baris {e.row}, kolom {e.column}, nilai '{e.value}': {e.reason}" for e in result.errors[:50]]
    if len(result.errors) > 50:
        lines.append(f"  … dan {len(result.errors) - 50} lagi (pakai --json untuk semuanya)")
    lines += [
        f"  baris {c['row']} NIK {c['nik']}: {c['field']} {c['old']!s} → {c['new']!s}" for c in result.changes[:50]
    ]
    return "\n".join(lines)


def run(prog: str, description: str, commands: dict[str, tuple[str, Service, bool]], argv: list[str] | None) -> int:
    """`commands`: name -> (help, service, has_dry_run). The service takes session, actor, content, filename, apply."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _, dry) in commands.items():
        p = sub.add_parser(name, help=help_text)
        p.add_argument("file", type=Path)
        if dry:
            p.add_argument("--dry-run", action="store_true", help="validate and compare only; change nothing")
        p.add_argument("--json", action="store_true", help="print one JSON object")
        p.add_argument("--database-url", default=None, help="default: DATABASE_URL or the demo SQLite file")
    args = parser.parse_args(argv)
    _, service, _ = commands[args.command]
    url = args.database_url or get_settings().database_url
    try:
        content = args.file.read_bytes()
    except OSError as exc:
        print(f"Berkas tidak dapat dibuka: {exc}", file=sys.stderr)
        return 2
    migrate(url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            result = service(
                session=session,
                actor=SYSTEM,
                content=content,
                filename=args.file.name,
                apply=not getattr(args, "dry_run", False),
            )
    except ValidationError as exc:
        _fail(args.json, str(exc))
        return 2
    except PayungError as exc:
        _fail(args.json, str(exc))
        return 1
    finally:
        engine.dispose()
    print(json.dumps(result.as_json(), ensure_ascii=False) if args.json else summary(result))
    return 0


def _fail(as_json: bool, message: str) -> None:
    out: Any = json.dumps({"error": message}, ensure_ascii=False) if as_json else message
    print(out, file=sys.stdout if as_json else sys.stderr)
