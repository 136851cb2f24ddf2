"""`python -m services.platform check-config [--json] [--no-db]` and `grant-app-role ROLE [--print]`.

check-config exits 1 if the environment is unsafe for production (demo mode, weak cookie key, SQLite with
several replicas, upload limit above what the imports need, XSRF off, error details shown, the app connected as
the tables' owner). grant-app-role applies (or prints) the application role's grants; run it as the owner after
every migration (docs/deploy.md)."""

import argparse
import json
import os
import sys

from services.platform import config_check
from services.platform.db import app_role_grants, make_engine
from services.platform.settings import PROJECT_ROOT, get_settings


def _configured_cookie_key() -> str | None:
    key = os.environ.get("PAYUNG_COOKIE_KEY")
    secrets_file = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not key and secrets_file.exists():
        key = config_check.streamlit_config(secrets_file).get("cookie_key")
    return key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.platform")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check-config", help="refuse unsafe production settings")
    check.add_argument("--json", action="store_true")
    check.add_argument("--no-db", action="store_true", help="do not connect to the database")
    grant = sub.add_parser("grant-app-role", help="grant the application role its rights (run as the owner)")
    grant.add_argument("role")
    grant.add_argument("--print", action="store_true", help="print the SQL instead of running it")
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command == "grant-app-role":
        engine = make_engine(settings.database_url)
        statements = app_role_grants(role=args.role, database=engine.url.database or "")
        if args.print:
            print(";\n".join(statements) + ";")
            return 0
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
        print(f"{len(statements)} grants applied for {args.role}.")
        return 0
    findings = config_check.check(
        settings=settings, cookie_key=_configured_cookie_key(), config=config_check.streamlit_config()
    )
    if not args.no_db:
        findings += config_check.database_findings(make_engine(settings.database_url))
    errors = [f for f in findings if f.severity == "error"]
    if args.json:
        print(json.dumps({"ok": not errors, "findings": [f.__dict__ for f in findings]}, indent=2))
    else:
        for f in findings:
            print(f"{f.severity.upper():8} {f.message}")
        print("OK: no unsafe setting found." if not errors else f"REFUSED: {len(errors)} unsafe setting(s).")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
