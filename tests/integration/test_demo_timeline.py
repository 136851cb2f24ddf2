"""The demo tells one story relative to the day of seeding: letter → answers → pledges → matching → cards."""

import datetime as dt

import pytest
from sqlmodel import Session, col, select

from models import Assignment, AuditLog, Campaign, Company, LetterRecipient, Pledge, PledgeStatus
from services.demo.seed import seed_demo
from services.platform.dates import cover_end


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite returns naive UTC


@pytest.mark.parametrize("today", [dt.date(2026, 11, 22), dt.date(2031, 3, 1)])
def test_one_timeline_relative_to_the_day_of_seeding(session: Session, today: dt.date) -> None:
    seed_demo(session=session, seed=5, n_workers=1_200, n_companies=24, today=today)
    end_of_today = dt.datetime.combine(today, dt.time(23, 59), tzinfo=dt.UTC)
    campaign = session.exec(select(Campaign)).one()
    letter = dt.datetime.combine(campaign.letter_date, dt.time(0), tzinfo=dt.UTC)
    # The letter: some months before seeding (room for the first responder's year and its renewal), never years.
    assert 700 <= (today - campaign.letter_date).days <= 800
    assert campaign.letter_date < campaign.response_deadline < today
    answers = {
        r.company_id: _utc(r.responded_at)
        for r in session.exec(select(LetterRecipient).where(col(LetterRecipient.responded_at).is_not(None)))
        if r.responded_at is not None
    }
    assert answers and all(letter < at <= end_of_today for at in answers.values())
    panarub = session.exec(select(Company).where(Company.name == "PT Panarub Industry")).one()
    assert min(answers, key=answers.__getitem__) == panarub.id  # the first responder answered first
    for p in session.exec(select(Pledge)).all():
        created = _utc(p.created_at)
        # Pledged with (or after) the answer, before its cover starts, never after the day of seeding.
        assert answers[p.company_id] <= created <= end_of_today
        assert created.date() < p.start_month or p.renewed_from_id is not None
        for a in session.exec(select(Assignment).where(Assignment.pledge_id == p.id)):
            assert created <= _utc(a.created_at) <= end_of_today
        if p.renewed_from_id is not None:  # renewed inside the window of the pledge it extends
            old = session.get(Pledge, p.renewed_from_id)
            assert old is not None and old.status == PledgeStatus.RENEWED
            end = cover_end(old.start_month, old.months)
            assert end - dt.timedelta(days=60) <= created.date() <= end
            # The renewal went through the real service, so it is audited; the audit log is append-only, so the
            # demo dates the row as it is written (services/demo/timeline.py), never afterwards.
            audit = session.exec(
                select(AuditLog).where(AuditLog.action == "pledge.renew", AuditLog.entity_id == str(p.id))
            ).one()
            assert audit.success and audit.username == "panarub"
            assert _utc(audit.at) == created
    # The active cover of the first responder ends this month (the expiry reminders show).
    current = session.exec(
        select(Pledge).where(Pledge.company_id == panarub.id, Pledge.status == PledgeStatus.ACTIVE)
    ).one()
    assert cover_end(current.start_month, current.months).month == today.month
