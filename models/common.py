"""Small helpers shared by the table modules."""

import datetime as dt


def utcnow() -> dt.datetime:
    """Aware UTC timestamp (SQLModel's datetime columns refuse naive values)."""
    return dt.datetime.now(dt.UTC)
