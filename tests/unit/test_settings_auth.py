"""Settings refuse weak cookie keys; password and cookie helpers of the auth service."""

import datetime as dt
from pathlib import Path

import jwt
import pytest

from services.platform import auth
from services.platform.errors import ValidationError
from services.platform.settings import ConfigError, Settings, resolve_cookie_key, validate_cookie_key


def _settings(demo: bool) -> Settings:
    return Settings(database_url="sqlite://", demo=demo, cookie_name="c", cookie_expiry_days=1, seed=1)


@pytest.mark.parametrize("key", [None, "", "short-key", "some_key", "random_signature_key"])
def test_bad_cookie_keys_are_refused(key: str | None) -> None:
    with pytest.raises(ConfigError):
        validate_cookie_key(key)


def test_outside_demo_a_missing_key_stops_the_app(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PAYUNG_COOKIE_KEY"):
        resolve_cookie_key(settings=_settings(demo=False), configured=None, key_file=tmp_path / "k")
    assert not (tmp_path / "k").exists()


def test_demo_generates_a_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = resolve_cookie_key(settings=_settings(demo=True), configured=None, key_file=tmp_path / "k")
    second = resolve_cookie_key(settings=_settings(demo=True), configured=None, key_file=tmp_path / "k")
    assert first == second and len(first.encode()) >= 32
    assert (tmp_path / "k").stat().st_mode & 0o077 == 0


def test_configured_key_wins_over_demo_key(tmp_path: Path) -> None:
    key = "x" * 40
    assert resolve_cookie_key(settings=_settings(demo=True), configured=key, key_file=tmp_path / "k") == key


def test_password_rules() -> None:
    with pytest.raises(ValidationError, match="terlalu pendek"):
        auth.hash_password("pendek")
    with pytest.raises(ValidationError, match="72 byte"):
        auth.hash_password("é" * 40)  # 80 bytes: bcrypt would silently truncate
    assert auth.hash_password("kata-sandi-panjang").startswith("$2")


def test_cookie_issue_time_is_derived_from_its_expiry() -> None:
    key = "k" * 40
    issued = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    token = jwt.encode({"username": "a", "exp_date": (issued + dt.timedelta(days=1)).timestamp()}, key, "HS256")
    assert auth.cookie_issued_at(token, key=key, expiry_days=1) == issued
    assert auth.cookie_issued_at(token, key="z" * 40, expiry_days=1) is None  # forged signature
    assert auth.cookie_issued_at(None, key=key, expiry_days=1) is None
