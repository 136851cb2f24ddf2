"""One settings module: environment variables with safe defaults; secrets never from the code."""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from services.platform.errors import PayungError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
REGIONS_DIR = DATA_DIR / "regions"
STATE_DIR = PROJECT_ROOT / "var"  # git-ignored: the demo database and the demo cookie key
MIN_COOKIE_KEY_BYTES = 32
# Keys that appear in documentation or library examples are refused even if long enough.
_KNOWN_BAD_KEYS = {"some_key", "some_signature_key", "changeme", "secret", "random_signature_key"}


class ConfigError(PayungError):
    pass


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo: bool
    cookie_name: str
    cookie_expiry_days: float
    seed: int
    # E-mail reminders: sent through this SMTP server when SMTP_HOST is set (STARTTLS when the server offers it).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "Disnaker Kota Tangerang <no-reply@tangerangkota.go.id>"

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _truthy(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ya"}


def get_settings() -> Settings:
    default_db = f"sqlite:///{STATE_DIR / 'payung.db'}"
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or default_db,
        demo=_truthy(os.environ.get("PAYUNG_DEMO"), default=True),
        cookie_name=os.environ.get("PAYUNG_COOKIE_NAME", "payung_auth"),
        cookie_expiry_days=float(os.environ.get("PAYUNG_COOKIE_EXPIRY_DAYS", "1")),
        seed=int(os.environ.get("PAYUNG_SEED", "14422")),
        smtp_host=os.environ.get("SMTP_HOST", ""),
        smtp_port=int(os.environ.get("SMTP_PORT") or "587"),
        smtp_user=os.environ.get("SMTP_USER", ""),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        smtp_from=os.environ.get("SMTP_FROM") or "Disnaker Kota Tangerang <no-reply@tangerangkota.go.id>",
    )


def validate_cookie_key(key: str | None) -> str:
    """Refuse a missing, short or well-known cookie key (the cookie signs who is logged in)."""
    if not key:
        raise ConfigError("Kunci cookie belum diatur: isi PAYUNG_COOKIE_KEY (minimal 32 byte acak).")
    if key.strip().lower() in _KNOWN_BAD_KEYS:
        raise ConfigError("Kunci cookie adalah nilai contoh: buat kunci acak baru, misalnya `openssl rand -hex 32`.")
    if len(key.encode()) < MIN_COOKIE_KEY_BYTES:
        raise ConfigError(f"Kunci cookie terlalu pendek: minimal {MIN_COOKIE_KEY_BYTES} byte.")
    return key


def resolve_cookie_key(*, settings: Settings, configured: str | None, key_file: Path | None = None) -> str:
    """The configured key if any; in demo mode a random key generated once per install (kept in var/)."""
    if configured:
        return validate_cookie_key(configured)
    if not settings.demo:
        return validate_cookie_key(None)
    key_file = key_file or STATE_DIR / "cookie_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return validate_cookie_key(key_file.read_text().strip())
