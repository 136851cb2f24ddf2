"""A company's decline of the letter: its own reason (nothing chosen for it), and a decline it can take back and
pledge later, the city seeing both events (issue 22). Both databases."""

import datetime as dt

import pytest
from sqlmodel import Session, select

from models import AuditLog, LetterRecipient, Role
from services import campaign as desk
from services.platform.errors import AccessDenied, ValidationError
from services.pledges import PledgeDraft, create_pledge
from tests import factories as f

DRAFT = desk.LetterDraft(
    letter_number="SE No. 501/2025",
    letter_date=dt.date(2025, 1, 6),
    subject="Perlindungan pekerja rentan 2025",
    body="Mohon dukungan perusahaan.",
    response_deadline=dt.date(2025, 3, 31),
    target_workers=20_000,
)


@pytest.mark.parametrize(
    ("reason", "note", "words"),
    [(None, "", "salah satu alasan"), ("", "", "salah satu alasan"), ("other", "  ", "tuliskan alasannya")],
)
def test_a_decline_needs_a_reason_the_company_chose(reason: str | None, note: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        desk.check_decline(reason, note)


def test_a_withdrawn_decline_leaves_both_events_and_a_pledge_later(session: Session) -> None:
    admin = f.actor_of(f.user(session, role=Role.ADMIN))
    session.commit()
    letter = desk.create_letter(session=session, actor=admin, draft=DRAFT)
    ours, other = (f.company(session, campaign_id=letter.id, name=f"PT Tarik {i}") for i in range(2))
    user = f.actor_of(f.user(session, role=Role.COMPANY, company_id=ours.id))
    session.commit()
    assert ours.id is not None and other.id is not None
    with pytest.raises(ValidationError, match="tidak ada yang ditarik"):
        desk.withdraw_decline(session=session, actor=user, company_id=ours.id)
    desk.decline_letter(session=session, actor=user, company_id=ours.id, reason="approval", note="Ke kantor pusat")
    with pytest.raises(AccessDenied):  # another company's decline is not ours to take back
        desk.withdraw_decline(session=session, actor=user, company_id=other.id)
    answer = desk.withdraw_decline(session=session, actor=user, company_id=ours.id)
    assert answer.withdrawn_at is not None and not answer.declined
    again = desk.withdraw_decline(session=session, actor=user, company_id=ours.id)  # a repeated click
    assert again.withdrawn_at == answer.withdrawn_at
    frame = desk.recipients(session=session, actor=admin).set_index("company")
    assert frame.loc["PT Tarik 0", "status"] != "declined"  # no answer now: reminders may follow
    assert frame.loc["PT Tarik 0", "decline_reason"] == "approval"  # the city keeps the decline and its reason
    assert frame.loc["PT Tarik 0", "decline_withdrawn_at"] is not None
    actions = session.exec(select(AuditLog.action).where(AuditLog.username == user.username)).all()
    assert {"letter.decline", "letter.decline.withdraw"} <= set(actions)
    draft = PledgeDraft(workers=10, months=12, start_month=dt.date.today().replace(day=1), radius_km=3.0)
    create_pledge(session=session, actor=user, company_id=ours.id, draft=draft)
    assert desk.recipients(session=session, actor=admin).set_index("company").loc["PT Tarik 0", "status"] == "pledged"
    recipient = session.exec(select(LetterRecipient).where(LetterRecipient.company_id == ours.id)).one()
    assert recipient.declined_at is not None and recipient.responded_at is not None
