"""One-time passwords waiting for the admin who made them (issue 22): kept across that admin's sessions, for an
hour at most, downloaded once, never shown to another admin; a click hides the list while its file is made."""

from collections.abc import Iterator

import pytest

from services.campaign import OneTimePassword
from services.campaign import password_store as store


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    now = [1000.0]
    monkeypatch.setattr(store, "clock", lambda: now[0])
    store._by_owner.clear()  # noqa: SLF001
    yield now
    store._by_owner.clear()  # noqa: SLF001


def _otp(username: str, password: str = "Rahasia-123456") -> OneTimePassword:
    return OneTimePassword(username, username.title(), password, "PT Uji")


def test_kept_for_their_maker_only_until_one_take(clock: list[float]) -> None:
    store.keep(owner="admin", passwords=[_otp("a.satu"), _otp("a.dua")])
    assert [p.username for p in store.waiting(owner="admin")] == ["a.satu", "a.dua"]
    assert store.waiting(owner="admin.lain") == [] and store.take(owner="admin.lain") == []
    clock[0] += 30 * 60  # a reload half an hour later
    assert len(store.waiting(owner="admin")) == 2
    assert [p.username for p in store.take(owner="admin")] == ["a.satu", "a.dua"]
    assert store.waiting(owner="admin") == [] and store.take(owner="admin") == []  # once


def test_gone_after_the_hour(clock: list[float]) -> None:
    store.keep(owner="admin", passwords=[_otp("a.satu")])
    clock[0] += store.TTL_SECONDS + 1
    assert store.waiting(owner="admin") == [] and store.take(owner="admin") == []
    assert "admin" not in store._by_owner  # noqa: SLF001  (nothing lingers in memory)


def test_a_second_reset_keeps_only_the_newest_password(clock: list[float]) -> None:
    store.keep(owner="admin", passwords=[_otp("a.satu", "lama-lama-lama")])
    store.keep(owner="admin", passwords=[_otp("a.satu", "baru-baru-baru"), _otp("a.dua")])
    assert sorted((p.username, p.password) for p in store.waiting(owner="admin")) == [
        ("a.dua", "Rahasia-123456"),
        ("a.satu", "baru-baru-baru"),
    ]


def test_a_click_hides_the_list_and_a_failed_download_shows_it_again(clock: list[float]) -> None:
    store.keep(owner="admin", passwords=[_otp("a.satu")])
    store.claim(owner="admin")
    assert store.waiting(owner="admin") == []  # the page redraws without the list while the file is made
    clock[0] += store.CLAIM_HOLD_SECONDS + 1  # the file never came
    assert [p.username for p in store.waiting(owner="admin")] == ["a.satu"]


def test_nothing_kept_without_an_owner_or_passwords(clock: list[float]) -> None:
    store.keep(owner="", passwords=[_otp("a.satu")])
    store.keep(owner="admin", passwords=[])
    assert store._by_owner == {}  # noqa: SLF001
    assert store.discard(owner="admin") == 0
