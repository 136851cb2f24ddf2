"""The waiting one-time passwords' download on SQLite and PostgreSQL (issue 22): the admin who made them gets
them once, audited as every password list is; a second click gets a sheet that says where they went; a viewer
gets nothing and the list still waits."""

import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from models import AuditLog, Role
from services.campaign import OneTimePassword, keep_passwords, password_store, waiting_password_sheet, waiting_passwords
from services.platform.errors import AccessDenied
from tests import factories


@pytest.fixture(autouse=True)
def empty_store() -> Iterator[None]:
    password_store._by_owner.clear()  # noqa: SLF001
    yield
    password_store._by_owner.clear()  # noqa: SLF001


def _cells(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_waiting_list_downloads_once_audited_and_only_for_an_admin(session: Session) -> None:
    admin = factories.actor_of(factories.user(session, role=Role.ADMIN))
    viewer = factories.actor_of(factories.user(session, role=Role.VIEWER))
    session.commit()
    made = [OneTimePassword("pt.satu", "PT Satu", "Rahasia-111111", "PT Satu"), OneTimePassword("b.dua", "B", "x2")]
    keep_passwords(owner=admin.username, passwords=made)

    with pytest.raises(AccessDenied):
        waiting_password_sheet(session=session, actor=viewer)
    assert len(waiting_passwords(owner=admin.username)) == 2  # the refusal took nothing

    rows = _cells(waiting_password_sheet(session=session, actor=admin))
    assert str(rows[0][0]).startswith("Kata sandi sekali pakai — ") and "-" not in str(rows[0][0])[-11:]  # 4 Des 2026
    assert rows[2][:3] == ["Perusahaan", "Nama pengguna", "Kata sandi sekali pakai"]
    assert rows[3][:3] == ["PT Satu", "pt.satu", "Rahasia-111111"] and len(rows) == 5
    audit = session.exec(select(AuditLog).where(AuditLog.action == "password.download")).one()
    assert audit.detail["accounts"] == 2 and audit.username == admin.username
    assert waiting_passwords(owner=admin.username) == []

    again = _cells(waiting_password_sheet(session=session, actor=admin))
    assert "sudah diunduh" in str(again[1][0]) and "Rahasia" not in str(again)
