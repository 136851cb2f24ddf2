"""The audit log is append-only (migration 0003): on SQLite and PostgreSQL no connection can UPDATE or DELETE
an audit row (a trigger), on PostgreSQL not TRUNCATE either; and the application's own role, set up as
docs/deploy.md says (`python -m services.platform grant-app-role`), can insert and read audit rows but not
change them, while it still writes the other tables.

Bad inputs tried: UPDATE, DELETE, TRUNCATE as the owner; UPDATE, DELETE, TRUNCATE and DROP TRIGGER as the app
role; a role name with SQL in it."""

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlmodel import Session, select

from models import AuditLog
from services.platform import audit, config_check
from services.platform.db import app_role_grants, make_engine


def _one_row(engine: Engine) -> int:
    with Session(engine) as s:
        audit.record(session=s, actor=None, action="uji.baris", entity="uji")
        s.commit()
        row = s.exec(select(AuditLog).where(AuditLog.action == "uji.baris")).one()
        assert row.id is not None
        return row.id


@pytest.mark.parametrize(
    "statement", ["UPDATE auditlog SET action = 'dihapus' WHERE id = :i", "DELETE FROM auditlog WHERE id = :i"]
)
def test_no_connection_can_rewrite_or_remove_an_audit_row(engine: Engine, statement: str) -> None:
    row_id = _one_row(engine)
    with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text(statement), {"i": row_id})
    with Session(engine) as s:
        assert s.get(AuditLog, row_id) is not None and s.get(AuditLog, row_id).action == "uji.baris"  # type: ignore[union-attr]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_truncate_is_refused_on_postgresql(engine: Engine) -> None:
    _one_row(engine)
    with engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("TRUNCATE auditlog"))


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_application_role_appends_and_reads_but_cannot_rewrite(engine: Engine, db_url: str) -> None:
    role = f"payung_app_{uuid.uuid4().hex[:8]}"
    database = db_url.rsplit("/", 1)[1]
    with engine.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        for statement in app_role_grants(role=role, database=database):
            conn.execute(text(statement))
    row_id = _one_row(engine)
    app_url = db_url.replace("postgres@", f"{role}@", 1)
    app = make_engine(app_url)
    try:
        # check-config: connected as the owner is refused, as the app role accepted
        assert [f.severity for f in config_check.database_findings(engine)] == ["error"]
        assert config_check.database_findings(app) == []
        with Session(app) as s:  # the app role writes audit rows and ordinary tables, and reads them
            audit.record(session=s, actor=None, action="uji.aplikasi", entity="uji")
            s.exec(text("UPDATE loginthrottle SET failures = 0"))  # type: ignore[call-overload]
            s.commit()
            assert s.exec(select(AuditLog).where(AuditLog.action == "uji.aplikasi")).one()
        for statement in (
            "UPDATE auditlog SET action = 'x' WHERE id = :i",
            "DELETE FROM auditlog WHERE id = :i",
            "TRUNCATE auditlog",
            "DROP TRIGGER auditlog_no_update_delete ON auditlog",
            "ALTER TABLE auditlog DISABLE TRIGGER ALL",
        ):
            with app.connect() as conn, pytest.raises(ProgrammingError, match="permission denied|must be owner"):
                conn.execute(text(statement), {"i": row_id} if ":i" in statement else {})
    finally:
        app.dispose()
        with engine.begin() as conn:  # roles belong to the cluster: leave none behind
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
    with Session(engine) as s:
        assert s.get(AuditLog, row_id) is not None


def test_role_names_are_plain_identifiers() -> None:
    with pytest.raises(ValueError):
        app_role_grants(role="app; DROP TABLE auditlog", database="payung")
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON auditlog FROM payung_app" in app_role_grants(
        role="payung_app", database="payung"
    )
