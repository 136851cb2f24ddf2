"""Small helpers shared by the table modules."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

_FROZEN: list[dt.datetime] = []  # set by `frozen_clock` (tests replaying a campaign on its dates)


def utcnow() -> dt.datetime:
    """Aware UTC timestamp (SQLModel's datetime columns refuse naive values)."""
    return _FROZEN[-1] if _FROZEN else dt.datetime.now(dt.UTC)


@contextmanager
def frozen_clock(at: dt.datetime) -> Iterator[None]:
    """Inside the block every timestamp the application writes is `at` (a past day can be replayed as it was)."""
    _FROZEN.append(at)
    try:
        yield
    finally:
        _FROZEN.pop()
