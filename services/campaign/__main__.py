"""The recipients import from the shell, for large lists: the same service as the page.

python -m services.campaign import-recipients FILE [--dry-run] [--json] [--passwords OUT.xlsx] [--database-url URL]

Exit status 0 when the file could be read (rows may still be refused: see `rejected`/`errors`), 2 when it could
not (empty, wrong columns, not a spreadsheet, no active letter). The one-time passwords of the new accounts are
written to an Excel file readable by its owner only (default: onetime-passwords-<time>.xlsx here).
"""

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from sqlmodel import Session

from services.campaign.accounts import password_sheet, write_password_sheet
from services.campaign.recipients import import_recipients
from services.platform.authz import SYSTEM
from services.platform.db import make_engine
from services.platform.errors import PayungError
from services.platform.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.campaign", description="Kampanye surat edaran")
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import-recipients", help="impor penerima surat dari .xlsx/.csv")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="periksa saja, tidak menyimpan")
    imp.add_argument("--json", action="store_true", help="cetak hasil sebagai satu objek JSON")
    imp.add_argument("--passwords", type=Path, default=None, help="berkas Excel kata sandi sekali pakai")
    imp.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    try:
        content = args.file.read_bytes()
    except OSError as exc:
        return _fail(args.json, f"Berkas tidak dapat dibuka: {exc.strerror or exc}")
    engine = make_engine(args.database_url or get_settings().database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            result = import_recipients(
                session=session, actor=SYSTEM, content=content, filename=args.file.name, dry_run=args.dry_run
            )
            out = result.as_json()
            if result.passwords:
                path = args.passwords or Path(f"onetime-passwords-{dt.datetime.now():%Y%m%d-%H%M%S}.xlsx")
                write_password_sheet(
                    str(path), password_sheet(session=session, actor=SYSTEM, passwords=result.passwords)
                )
                out["passwords_file"] = str(path)
    except PayungError as exc:
        return _fail(args.json, str(exc))
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        mode = "Pemeriksaan (tidak disimpan)" if result.dry_run else "Impor"
        print(
            f"{mode}: {result.read} baris dibaca, {result.inserted} disimpan, {result.rejected} ditolak, "
            f"{result.duplicates} ganda."
        )
        for e in result.errors[:50]:
            print(f"  baris {e.row}, kolom {e.column}: {e.reason} (nilai: {e.value!r})")
        if len(result.errors) > 50:
            print(f"  … dan {len(result.errors) - 50} lainnya (pakai --json untuk semuanya)")
        if "passwords_file" in out:
            print(f"Kata sandi sekali pakai: {out['passwords_file']} (simpan aman, kirim lewat surat)")
    return 0


def _fail(as_json: bool, message: str) -> int:
    if as_json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    else:
        print(message, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
