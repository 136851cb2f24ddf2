"""The campaign desk in the demo: recipients in every state (letter not yet sent, sent, logged in, pledged,
declined with reasons), reminders and calls logged, an outbox with a few e-mails, approximate sites.

Runs after the seed has made the letter, the companies and their pledges; deterministic for a seed and a day.
"""

import datetime as dt

import numpy as np
from sqlmodel import Session, col, select

from models import Campaign, Channel, Company, Kelurahan, LetterRecipient, OutboxMessage, RecipientContact
from services.campaign import DECLINE_REASONS, OUTCOMES, reminder_text
from services.campaign.letters import active_campaign

KEEP_SILENT = {"PT Benteng Logistik Nusantara"}  # the README's "has not answered yet" login
DECLINE_NOTES = {
    "budget": "Anggaran TJSL 2025 sudah untuk beasiswa; kami ajukan untuk tahun depan.",
    "approval": "Sudah kami teruskan ke kantor pusat di Jakarta.",
    "other_program": "Kami sudah mendaftarkan 60 pekerja harian lewat program BPU sendiri.",
    "no_workers": "Lokasi kami di kawasan pergudangan tertutup.",
    "other": "Perusahaan sedang dalam proses merger.",
}


def seed_campaign_demo(*, session: Session, seed: int, today: dt.date) -> None:
    """The campaign desk's states on top of the seeded letter and companies; commits the seed's transaction."""
    campaign = active_campaign(session=session)
    if campaign is None:
        session.commit()
        return
    rng = np.random.default_rng(seed + 11)
    rows = session.exec(
        select(LetterRecipient, Company)
        .join(Company, col(Company.id) == LetterRecipient.company_id)
        .where(LetterRecipient.campaign_id == campaign.id)
        .order_by(col(LetterRecipient.id))
    ).all()
    channels = [Channel.POST, Channel.POST, Channel.EMAIL, Channel.HAND, Channel.WHATSAPP]
    silent = [(r, c) for r, c in rows if r.responded_at is None and c.name not in KEEP_SILENT]
    not_sent = {id(r) for r, _ in silent[-3:]}  # three letters still to be sent (new recipients)
    declining = silent[: len(DECLINE_REASONS) + 1]
    for r, _c in rows:
        if id(r) in not_sent:
            r.sent_at = r.delivered_at = r.first_login_at = None
            r.reminders_sent = 0
        else:
            r.send_channel = str(channels[int(rng.integers(0, len(channels)))])
    reasons = list(DECLINE_REASONS)
    for i, (r, _c) in enumerate(declining):
        reason = reasons[i % len(reasons)]
        r.first_login_at = r.first_login_at or (r.sent_at or dt.datetime.now(dt.UTC)) + dt.timedelta(days=5)
        r.declined_at = r.first_login_at + dt.timedelta(days=int(rng.integers(0, 10)))
        r.decline_reason, r.decline_note = reason, DECLINE_NOTES[reason]
    contacts: list[RecipientContact] = []
    for r, c in rows:
        if r.sent_at is None or r.responded_at is not None or r.declined_at is not None:
            r.reminders_sent = 0
            continue
        r.reminders_sent = int(rng.integers(0, 4)) if c.name not in KEEP_SILENT else 2
        first = r.sent_at.date() + dt.timedelta(days=14)
        span = max((today - first).days, 1)
        days = sorted(int(d) for d in rng.integers(0, span, r.reminders_sent))
        for d in days:
            channel = [Channel.PHONE, Channel.PHONE, Channel.EMAIL, Channel.WHATSAPP][int(rng.integers(0, 4))]
            contacts.append(
                RecipientContact(
                    recipient_id=r.id or 0,
                    contacted_on=first + dt.timedelta(days=d),
                    channel=channel,
                    outcome=OUTCOMES[int(rng.integers(0, 5))],
                    note="Bicara dengan staf HRD." if channel == Channel.PHONE else "",
                    by_username="admin",
                )
            )
        if days:
            r.last_reminder_at = dt.datetime.combine(first + dt.timedelta(days=days[-1]), dt.time(10), tzinfo=dt.UTC)
    session.add_all(contacts)
    session.add_all(r for r, _ in rows)
    _outbox(session, campaign, [(r, c) for r, c in rows if r.reminders_sent and c.contact_email][:4], today)
    _approximate_sites(session, [c for r, c in rows if id(r) in not_sent])
    session.commit()


def _outbox(session: Session, campaign: Campaign, rows: list[tuple[LetterRecipient, Company]], today: dt.date) -> None:
    for i, (r, c) in enumerate(rows):
        subject, body = reminder_text(
            company=c.name,
            contact=c.contact_name,
            letter_number=campaign.letter_number,
            subject=campaign.subject,
            deadline=campaign.response_deadline,
        )
        at = dt.datetime.combine(today - dt.timedelta(days=3 * i + 1), dt.time(9, 30), tzinfo=dt.UTC)
        session.add(
            OutboxMessage(
                recipient_id=r.id,
                to_address=c.contact_email,
                subject=subject,
                body=body,
                by_username="admin",
                created_at=at,
            )
        )


def _approximate_sites(session: Session, companies: list[Company]) -> None:
    """New recipients imported without coordinates: their site is the kelurahan's inside point, marked so."""
    for c in companies:
        kel = session.get(Kelurahan, c.kelurahan_code) if c.kelurahan_code else None
        if kel is not None:
            c.site_lat, c.site_lon, c.site_approximate = kel.rep_lat, kel.rep_lon, True
            session.add(c)
