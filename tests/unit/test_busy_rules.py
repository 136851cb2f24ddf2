"""Which database answers mean "busy, run the unit again" (and nothing else), and which services run once."""

import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from services.campaign import reminders
from services.platform.db import UNIT_ATTEMPTS, attempts_for, is_busy, run_once
from services.pledges import create_pledge


def _wrapped(orig: BaseException) -> OperationalError:
    return OperationalError("SELECT 1", None, orig)


@pytest.mark.parametrize(
    "orig",
    [
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("database table is locked: pledge"),
        sqlite3.OperationalError("database is busy"),
        psycopg.errors.SerializationFailure("could not serialize access due to concurrent update"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
    ],
)
def test_busy_answers_are_retried(orig: BaseException) -> None:
    assert is_busy(_wrapped(orig)) and is_busy(orig)


@pytest.mark.parametrize(
    "exc",
    [
        _wrapped(sqlite3.OperationalError("no such table: pledge")),
        _wrapped(sqlite3.OperationalError("disk I/O error")),
        IntegrityError("INSERT", None, sqlite3.IntegrityError("UNIQUE constraint failed: pledge.submission_key")),
        _wrapped(psycopg.errors.UniqueViolation("duplicate key")),
        _wrapped(psycopg.OperationalError("connection refused")),
        ValueError("database is locked"),  # a message alone is not the database's answer
    ],
)
def test_other_errors_are_not(exc: BaseException) -> None:
    assert not is_busy(exc)


def test_a_service_with_an_effect_outside_the_database_runs_once() -> None:
    assert attempts_for(reminders.send_reminder) == 1
    assert attempts_for(create_pledge) == UNIT_ATTEMPTS > 1

    def mailer() -> None: ...

    assert attempts_for(run_once(mailer)) == 1
