"""`check-config`: the settings a production install must not run with. Pure over its inputs (tested), plus
one optional look at the database (is the app connected as the owner of the tables?)."""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from services.platform.settings import PROJECT_ROOT, ConfigError, Settings, validate_cookie_key
from services.platform.uploads import MAX_UPLOAD_MB

MAX_COOKIE_DAYS = 1.0  # the login cookie is readable by page scripts (see docs/deploy.md): keep it short-lived


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" (refuse to start) or "warning"
    message: str


def streamlit_config(path: Path | None = None) -> dict[str, Any]:
    path = path or PROJECT_ROOT / ".streamlit" / "config.toml"
    return tomllib.loads(path.read_text()) if path.exists() else {}


def check(*, settings: Settings, cookie_key: str | None, config: dict[str, Any]) -> list[Finding]:
    found: list[Finding] = []

    def error(message: str) -> None:
        found.append(Finding("error", message))

    if settings.demo:
        error("PAYUNG_DEMO is on: demo accounts with published passwords and synthetic data. Set PAYUNG_DEMO=false.")
    try:
        validate_cookie_key(cookie_key, strict=True)
    except ConfigError as exc:
        error(f"cookie key: {exc}")
    if settings.cookie_expiry_days > MAX_COOKIE_DAYS or settings.cookie_expiry_days <= 0:
        error(f"PAYUNG_COOKIE_EXPIRY_DAYS={settings.cookie_expiry_days}: keep the login cookie to 0 < days <= 1.")
    if settings.is_sqlite and settings.replicas > 1:
        error(f"SQLite with PAYUNG_REPLICAS={settings.replicas}: several processes need PostgreSQL (DATABASE_URL).")
    elif settings.is_sqlite:
        found.append(Finding("warning", "SQLite: fine for one process; use PostgreSQL for a city deployment."))
    server = config.get("server", {})
    upload = server.get("maxUploadSize", 200)
    if upload > MAX_UPLOAD_MB:
        error(f"server.maxUploadSize={upload} MB: the imports need at most {MAX_UPLOAD_MB} MB; set it to that.")
    if server.get("enableXsrfProtection") is False:
        error("server.enableXsrfProtection is off: turn it on.")
    if config.get("client", {}).get("showErrorDetails", "full") not in ("none", False):
        error('client.showErrorDetails must be "none": error details may hold SQL, parameters and paths.')
    if not settings.behind_proxy:
        found.append(
            Finding(
                "warning",
                "PAYUNG_BEHIND_PROXY is off: behind a reverse proxy every browser has the proxy's address, so login "
                "throttling would treat all users as one client. Set PAYUNG_BEHIND_PROXY=true behind the proxy.",
            )
        )
    return found


def database_findings(engine: Any) -> list[Finding]:
    """PostgreSQL only: the app should not connect as the owner of the tables (it could drop the audit trigger)."""
    if engine.dialect.name != "postgresql":
        return []
    try:
        with engine.connect() as conn:
            owner = conn.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'auditlog'")).scalar()
            me = conn.execute(text("SELECT current_user")).scalar()
    except Exception as exc:  # noqa: BLE001 - reported, not raised: the command lists every problem
        return [Finding("error", f"cannot connect to the database: {type(exc).__name__}")]
    if owner is None:
        return [Finding("error", "the database has no schema yet: run the migrations as the owner role.")]
    if owner == me:
        return [
            Finding(
                "error",
                f"the app connects as {me}, the owner of the tables: create a separate application role "
                "(docs/deploy.md, `python -m services.platform grant-app-role`).",
            )
        ]
    return []
