"""`python -m services.platform check-config` refuses unsafe production settings. Bad settings tried: demo mode,
a key of 32 spaces, "a"*32, a repeated pattern, a 7-day cookie, SQLite with 3 replicas, a 200 MB upload limit,
XSRF off, full error details."""

import os
import subprocess
import sys
from dataclasses import replace

import pytest

from services.platform import config_check
from services.platform.settings import PROJECT_ROOT, ConfigError, Settings, validate_cookie_key

GOOD_KEY = "9f2c4e1a7b3d8f60c5e2a9d14b7f3c8e0a6d2f5b9c1e4a7d3f8b2c6e0a9d5f1b"
SAFE = Settings(
    database_url="postgresql://payung_app@db/payung",
    demo=False,
    cookie_name="payung_auth",
    cookie_expiry_days=0.5,
    seed=1,
    behind_proxy=True,
    replicas=3,
)
SAFE_CONFIG = {
    "server": {"maxUploadSize": 30, "enableXsrfProtection": True},
    "client": {"showErrorDetails": "none"},
}


def _errors(**changes: object) -> list[str]:
    config = {k: dict(v) for k, v in SAFE_CONFIG.items()}
    key = changes.pop("cookie_key", GOOD_KEY)
    for dotted in [k for k in changes if "__" in k]:
        section, name = dotted.split("__")
        config[section][name] = changes.pop(dotted)
    found = config_check.check(settings=replace(SAFE, **changes), cookie_key=key, config=config)  # type: ignore[arg-type]
    return [f.message for f in found if f.severity == "error"]


def test_a_safe_production_configuration_passes() -> None:
    assert _errors() == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"demo": True}, "PAYUNG_DEMO"),
        ({"cookie_key": " " * 32}, "cookie key"),
        ({"cookie_key": "a" * 32}, "cookie key"),
        ({"cookie_key": "abcd1234" * 6}, "cookie key"),
        ({"cookie_key": None}, "cookie key"),
        ({"cookie_expiry_days": 7.0}, "COOKIE_EXPIRY"),
        ({"database_url": "sqlite:///var/payung.db"}, "SQLite"),
        ({"server__maxUploadSize": 200}, "maxUploadSize"),
        ({"server__enableXsrfProtection": False}, "Xsrf"),
        ({"client__showErrorDetails": "full"}, "showErrorDetails"),
    ],
)
def test_each_unsafe_setting_is_refused(changes: dict, words: str) -> None:
    errors = _errors(**changes)
    assert len(errors) == 1 and words in errors[0], errors


@pytest.mark.parametrize("key", [" " * 32, "a" * 32, "ab" * 20, "0123456789" * 4, "Payung2024" * 4])
def test_keys_with_little_variety_are_refused_outside_demo_only(key: str) -> None:
    with pytest.raises(ConfigError, match="mudah ditebak|belum diatur"):
        validate_cookie_key(key, strict=True)


def test_random_keys_pass() -> None:
    import secrets

    for _ in range(20):
        validate_cookie_key(secrets.token_hex(32), strict=True)
        validate_cookie_key(secrets.token_urlsafe(32), strict=True)


def test_the_command_exits_1_in_demo_mode_and_0_when_safe(tmp_path: object) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PAYUNG_") and k != "DATABASE_URL"}
    demo = subprocess.run(
        [sys.executable, "-m", "services.platform", "check-config", "--no-db"],
        cwd=PROJECT_ROOT,
        env={**base, "PAYUNG_DEMO": "true"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert demo.returncode == 1 and "PAYUNG_DEMO" in demo.stdout
    safe_env = {
        **base,
        "PAYUNG_DEMO": "false",
        "PAYUNG_COOKIE_KEY": GOOD_KEY,
        "PAYUNG_BEHIND_PROXY": "true",
        "DATABASE_URL": "postgresql://payung_app@127.0.0.1:1/payung",
    }
    safe = subprocess.run(
        [sys.executable, "-m", "services.platform", "check-config", "--no-db", "--json"],
        cwd=PROJECT_ROOT,
        env=safe_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert safe.returncode == 0, safe.stdout + safe.stderr
    assert '"ok": true' in safe.stdout
