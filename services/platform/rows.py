"""Plain rows for the read side's large reads."""

from typing import Any

from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import Select
from sqlmodel import Session


def plain_rows(session: Session, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of a SELECT as the driver returns them: plain tuples, without SQLAlchemy's Row objects and type
    processing (at 100.000 rows these cost more than the query). Only for columns the driver already returns as the
    Python type wanted: text, integers, floats (not dates on SQLite, not enums)."""
    result = session.connection().execute(statement)
    assert isinstance(result, CursorResult)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()
