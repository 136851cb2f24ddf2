"""One settings module: environment variables with safe defaults; secrets never from the code."""

import math
import os
import secrets
from collections import Counter
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
    # Behind a reverse proxy the client address is the right-most X-Forwarded-For entry (the one our proxy added).
    behind_proxy: bool = False
    replicas: int = 1  # Streamlit processes sharing the database (check-config refuses SQLite with several)
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
        behind_proxy=_truthy(os.environ.get("PAYUNG_BEHIND_PROXY"), default=False),
        replicas=int(os.environ.get("PAYUNG_REPLICAS", "1")),
        smtp_host=os.environ.get("SMTP_HOST", ""),
        smtp_port=int(os.environ.get("SMTP_PORT") or "587"),
        smtp_user=os.environ.get("SMTP_USER", ""),
        smtp_password=os.environ.get("SMTP_PASSWORD", ""),
        smtp_from=os.environ.get("SMTP_FROM") or "Disnaker Kota Tangerang <no-reply@tangerangkota.go.id>",
    )


MIN_COOKIE_KEY_BITS = 128  # estimated from the key's own character frequencies
MIN_COOKIE_KEY_DISTINCT = 10


def _estimated_bits(key: str) -> float:
    """Shannon estimate of the key's entropy: `"a"*32` has 0 bits, 64 hex digits from `openssl rand` ~250."""
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return per_char * len(key)


def _is_periodic(key: str) -> bool:
    """ "abcd" * 10 is long and varied but has the entropy of four characters."""
    return any(len(key) % p == 0 and key == key[:p] * (len(key) // p) for p in range(1, len(key) // 2 + 1))


def validate_cookie_key(key: str | None, *, strict: bool = True) -> str:
    """Refuse a missing, short or well-known cookie key (the cookie signs who is logged in). `strict` (outside
    demo mode) also refuses keys with too little variety: blanks, one repeated character, a repeated pattern."""
    if not key or not key.strip():
        raise ConfigError("Kunci cookie belum diatur: isi PAYUNG_COOKIE_KEY (minimal 32 byte acak).")
    if key.strip().lower() in _KNOWN_BAD_KEYS:
        raise ConfigError("Kunci cookie adalah nilai contoh: buat kunci acak baru, misalnya `openssl rand -hex 32`.")
    if len(key.encode()) < MIN_COOKIE_KEY_BYTES:
        raise ConfigError(f"Kunci cookie terlalu pendek: minimal {MIN_COOKIE_KEY_BYTES} byte.")
    if strict and (
        len(set(key)) < MIN_COOKIE_KEY_DISTINCT or _is_periodic(key) or _estimated_bits(key) < MIN_COOKIE_KEY_BITS
    ):
        raise ConfigError(
            "Kunci cookie terlalu mudah ditebak (terlalu sedikit variasi karakter): buat kunci acak, misalnya "
            "`openssl rand -hex 32`."
        )
    return key


def private_dir(path: Path) -> Path:
    """Create a directory only its owner can enter (0700): var/ holds the demo database and the cookie key."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Create (or tighten) a file only its owner can read (0600), without a moment of wider permissions."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    path.chmod(0o600)
    return path


def resolve_cookie_key(*, settings: Settings, configured: str | None, key_file: Path | None = None) -> str:
    """The configured key if any; in demo mode a random key generated once per install (kept in var/)."""
    if configured:
        return validate_cookie_key(configured, strict=not settings.demo)
    if not settings.demo:
        return validate_cookie_key(None)
    key_file = key_file or STATE_DIR / "cookie_key"
    if not key_file.exists():
        private_dir(key_file.parent)
        private_file(key_file).write_text(secrets.token_hex(32))
    return validate_cookie_key(key_file.read_text().strip())
