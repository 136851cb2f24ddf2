"""Auth service on both databases: lockout, server-side sessions, revoked cookies, first-login tracking."""

import datetime as dt

import pytest
from sqlmodel import Session, select

from models import AuditLog, LetterRecipient, Role
from models.common import utcnow
from services.platform import auth
from services.platform.errors import AccessDenied
from tests import factories as f


def test_credentials_for_the_login_form_come_from_active_users(session: Session) -> None:
    f.user(session, username="aktif")
    f.user(session, username="nonaktif", is_active=False)
    session.commit()
    creds = auth.authenticator_credentials(session=session)
    assert "aktif" in creds["usernames"] and "nonaktif" not in creds["usernames"]
    assert creds["usernames"]["aktif"]["password"] == f.PASSWORD_HASH
    assert creds["usernames"]["aktif"]["roles"] == [Role.ADMIN]


def test_login_marks_the_letter_opened_and_is_audited(session: Session) -> None:
    camp = f.campaign(session)
    comp = f.company(session, campaign_id=camp.id)
    f.user(session, username="csr", role=Role.COMPANY, company_id=comp.id)
    session.commit()
    grant = auth.start_session(session=session, username="csr", via_cookie=False)
    assert grant.actor.company_id == comp.id and grant.actor.role == Role.COMPANY
    recipient = session.exec(select(LetterRecipient).where(LetterRecipient.company_id == comp.id)).one()
    assert recipient.first_login_at is not None
    assert session.exec(select(AuditLog).where(AuditLog.action == "auth.login")).first() is not None


def test_logout_revokes_sessions_and_earlier_cookies(session: Session) -> None:
    f.user(session, username="sari")
    session.commit()
    grant = auth.start_session(session=session, username="sari", via_cookie=False)
    assert auth.session_is_valid(session=session, user_id=grant.actor.user_id, session_version=grant.session_version)
    issued_before = utcnow() - dt.timedelta(minutes=5)
    auth.end_session(session=session, actor=grant.actor)
    assert not auth.session_is_valid(
        session=session, user_id=grant.actor.user_id, session_version=grant.session_version
    )
    with pytest.raises(AccessDenied, match="berakhir"):  # a copied cookie from before the logout
        auth.start_session(session=session, username="sari", via_cookie=True, cookie_issued=issued_before)
    fresh = auth.start_session(
        session=session, username="sari", via_cookie=True, cookie_issued=utcnow() + dt.timedelta(seconds=1)
    )
    assert fresh.session_version == grant.session_version + 1


def test_deactivated_user_cannot_start_a_session(session: Session) -> None:
    f.user(session, username="lama", is_active=False)
    session.commit()
    with pytest.raises(AccessDenied, match="tidak aktif"):
        auth.start_session(session=session, username="lama", via_cookie=False)
