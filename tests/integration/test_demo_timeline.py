"""The demo tells one believable campaign relative to the day of seeding: letter → answers → pledges → matching →
BPJS registration → cards → renewals and lapses. Guards the issue-22 plausibility rules on both databases."""

import datetime as dt
import statistics

import pytest
from sqlmodel import Session, col, select

from models import Assignment, AuditLog, Campaign, Company, LetterRecipient, Pledge, PledgeStatus
from services.campaign.letters import check_pdf
from services.demo.seed import seed_demo
from services.insight import leaderboard
from services.insight.badges import PIONEER_PLACES
from services.platform.dates import cover_end


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite returns naive UTC


@pytest.mark.parametrize(("today", "companies"), [(dt.date(2026, 12, 4), 80), (dt.date(2031, 3, 1), 24)])
def test_the_demo_campaign_is_plausible(session: Session, today: dt.date, companies: int) -> None:
    seed_demo(session=session, seed=5, n_workers=1_200, n_companies=companies, today=today)
    end_of_today = dt.datetime.combine(today, dt.time(23, 59), tzinfo=dt.UTC)
    campaign = session.exec(select(Campaign)).one()
    letter = dt.datetime.combine(campaign.letter_date, dt.time(0), tzinfo=dt.UTC)
    assert campaign.letter_date < campaign.response_deadline < today
    assert campaign.attachment is not None and campaign.attachment.startswith(b"%PDF")  # the letter itself
    check_pdf(campaign.attachment)
    recipients = session.exec(select(LetterRecipient)).all()
    answers = {r.company_id: _utc(r.responded_at) for r in recipients if r.responded_at is not None}
    declines = [_utc(r.declined_at) for r in recipients if r.declined_at is not None]
    # Every answer (a pledge or a decline) after the letter and not after the day of seeding.
    assert answers and declines
    assert all(letter < at <= end_of_today for at in [*answers.values(), *declines])
    # A first wave within weeks: the median days-to-answer under 60, at most a quarter after the deadline.
    board = leaderboard.public_board(session=session).rows
    assert statistics.median(int(d) for d in board["days_to_answer"]) < 60
    late = [at for at in answers.values() if at.date() > campaign.response_deadline]
    assert 0 < len(late) <= len(answers) / 4
    # Panarub answered first.
    panarub = session.exec(select(Company).where(Company.name == "PT Panarub Industry")).one()
    assert min(answers, key=answers.__getitem__) == panarub.id
    pledges = session.exec(select(Pledge)).all()
    for p in pledges:
        created = _utc(p.created_at)
        # Pledged with (or after) the answer, before its cover starts, never after the day of seeding.
        assert answers[p.company_id] <= created <= end_of_today
        assert created.date() < p.start_month or p.renewed_from_id is not None
        for a in session.exec(select(Assignment).where(Assignment.pledge_id == p.id)):
            matched = _utc(a.created_at)
            assert created <= matched <= end_of_today
            if a.registered_at is not None:  # registered days after matching, never on the day of seeding
                assert _utc(a.registered_at) - matched >= dt.timedelta(days=3)
                assert _utc(a.registered_at).date() < today
            elif a.status in ("registered", "active", "expired"):
                assert p.renewed_from_id is not None  # only a renewal's carried cards keep the first registration
        if p.renewed_from_id is not None:  # renewed inside the window of the pledge it extends
            old = session.get(Pledge, p.renewed_from_id)
            assert old is not None and old.status == PledgeStatus.RENEWED
            end = cover_end(old.start_month, old.months)
            assert end - dt.timedelta(days=60) <= created.date() <= end and created.date() < today
            # The renewal went through the real service, so it is audited; the audit log is append-only, so the
            # demo dates the row as it is written (services/demo/timeline.py), never afterwards.
            audit = session.exec(
                select(AuditLog).where(AuditLog.action == "pledge.renew", AuditLog.entity_id == str(p.id))
            ).one()
            assert audit.success and _utc(audit.at) == created
        # Renewals and lapses at their dates: expired cover ended before today, running cover has not.
        if p.status == PledgeStatus.EXPIRED:
            assert cover_end(p.start_month, p.months) < today
        if p.status == PledgeStatus.ACTIVE:
            assert p.start_month <= today <= cover_end(p.start_month, p.months)
    assert {PledgeStatus.ACTIVE, PledgeStatus.EXPIRED, PledgeStatus.RENEWED} <= {p.status for p in pledges}
    assert {PledgeStatus.REGISTERED, PledgeStatus.MATCHED} <= {p.status for p in pledges}
    # Each badge's holders are consistent with the timeline.
    first_ten = sorted(answers, key=answers.__getitem__)[:PIONEER_PLACES]
    by_company = {int(r.company_id): r for r in board.itertuples()}
    for company_id, row in by_company.items():
        own = [p for p in pledges if p.company_id == company_id]
        if "perintis" in row.badges:  # among the first ten to answer, all within the deadline
            assert company_id in first_ten and answers[company_id].date() <= campaign.response_deadline
        else:
            assert company_id not in first_ten
        if "tuntas" in row.badges:  # registered before today, days after matching (checked above)
            regs = session.exec(
                select(Assignment.registered_at).where(col(Assignment.pledge_id).in_([p.id for p in own]))
            ).all()
            assert any(r is not None for r in regs)
        if "konsisten" in row.badges:  # a renewal made before today
            assert any(p.renewed_from_id is not None and _utc(p.created_at).date() < today for p in own)
        if "saran" in row.badges:  # cards issued: cover started by today
            assert any(p.start_month <= today and p.status in ("active", "expired", "renewed") for p in own)
    # The first responder: renewed once, the cover now running ends this month (the expiry reminders show).
    current = session.exec(
        select(Pledge).where(Pledge.company_id == panarub.id, Pledge.status == PledgeStatus.ACTIVE)
    ).one()
    assert current.workers == 148 and current.renewed_from_id is not None
    assert cover_end(current.start_month, current.months).month == today.month
