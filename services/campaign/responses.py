"""Response tracking per recipient: letter sent (date, channel), first login (auth records it), answered by pledging
(pledges record it), declined with a reason, and the reminders and follow-up calls the city logs."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models import Campaign, Channel, Company, Kecamatan, Kelurahan, LetterRecipient, RecipientContact, Role
from models.common import utcnow
from services.campaign.letters import active_campaign
from services.platform import audit
from services.platform.authz import Actor, require_company_access, require_role
from services.platform.errors import NotFound, ValidationError

SEND_CHANNELS = {
    Channel.POST: "Pos",
    Channel.EMAIL: "Email",
    Channel.WHATSAPP: "WhatsApp",
    Channel.HAND: "Diantar langsung",
}
CONTACT_CHANNELS = {**SEND_CHANNELS, Channel.PHONE: "Telepon"}
DECLINE_REASONS = {
    "budget": "Anggaran CSR/TJSL tahun ini sudah teralokasi",
    "approval": "Menunggu persetujuan kantor pusat/direksi",
    "other_program": "Sudah menjalankan program perlindungan pekerja lain",
    "no_workers": "Tidak ada pekerja rentan di sekitar lokasi kami",
    "other": "Lainnya (tuliskan alasannya)",
}
OUTCOMES = [
    "Pengingat terkirim",
    "Tidak dapat dihubungi",
    "Berjanji menjawab",
    "Minta surat dikirim ulang",
    "Diteruskan ke pimpinan",
    "Menyatakan belum dapat ikut",
    "Lainnya",
]
STATUS_LABELS = {
    "not_sent": "Surat belum dikirim",
    "sent": "Terkirim, belum login",
    "opened": "Sudah login, belum menjawab",
    "pledged": "Sudah berikrar",
    "declined": "Belum dapat ikut serta",
}
NO_ANSWER = ("not_sent", "sent", "opened")
RECIPIENT_COLUMNS = [
    "recipient_id",
    "company_id",
    "company",
    "nib",
    "sector",
    "kecamatan",
    "kelurahan",
    "employees",
    "contact_name",
    "contact_email",
    "contact_phone",
    "site_approximate",
    "sent_at",
    "send_channel",
    "first_login_at",
    "responded_at",
    "declined_at",
    "decline_reason",
    "decline_note",
    "decline_withdrawn_at",
    "reminders",
    "last_contact",
    "status",
    "days_since_letter",
]


@dataclass(frozen=True)
class Answer:
    """Where a company stands with the letter, for its own home page."""

    recipient_id: int | None
    responded_at: dt.datetime | None
    declined_at: dt.datetime | None
    decline_reason: str | None
    decline_note: str
    withdrawn_at: dt.datetime | None = None  # the decline was taken back: no answer now, a pledge still welcome

    @property
    def declined(self) -> bool:
        return self.declined_at is not None and self.withdrawn_at is None


def _set(value: Any) -> bool:
    return value is not None and bool(pd.notna(value))


def status_of(sent_at: Any, first_login_at: Any, responded_at: Any, declined_at: Any) -> str:
    """A pledge answers the letter even after a decline (the company changed its mind)."""
    if _set(responded_at):
        return "pledged"
    if _set(declined_at):
        return "declined"
    if _set(first_login_at):
        return "opened"
    if _set(sent_at):
        return "sent"
    return "not_sent"


def as_dates(series: pd.Series) -> pd.Series:
    """Timestamps (or None) as days (or NaT, which tables show empty and Excel leaves blank)."""
    return pd.to_datetime(series, utc=True).dt.tz_convert(None).dt.normalize()


def _campaign(session: Session, campaign_id: int | None) -> Campaign:
    campaign = session.get(Campaign, campaign_id) if campaign_id else active_campaign(session=session)
    if campaign is None:
        raise NotFound("Belum ada surat edaran. Buat suratnya dulu di menu Surat edaran.")
    return campaign


def recipients(
    *, session: Session, actor: Actor, campaign_id: int | None = None, today: dt.date | None = None
) -> pd.DataFrame:
    """Every recipient of a letter (the active one by default) with its answer state (city staff)."""
    require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="recipients.view")
    campaign = _campaign(session, campaign_id)
    today = today or dt.date.today()
    columns: list[Any] = [
        LetterRecipient.id,
        Company.id,
        Company.name,
        Company.nib,
        Company.sector,
        Kecamatan.name,
        Kelurahan.name,
        Company.employees,
        Company.contact_name,
        Company.contact_email,
        Company.contact_phone,
        Company.site_approximate,
        LetterRecipient.sent_at,
        LetterRecipient.send_channel,
        LetterRecipient.first_login_at,
        LetterRecipient.responded_at,
        LetterRecipient.declined_at,
        LetterRecipient.decline_reason,
        LetterRecipient.decline_note,
        LetterRecipient.decline_withdrawn_at,
        LetterRecipient.reminders_sent,
        LetterRecipient.last_reminder_at,
    ]
    rows = session.execute(
        sa_select(*columns)
        .select_from(LetterRecipient)
        .join(Company, col(Company.id) == LetterRecipient.company_id)
        .join(Kelurahan, col(Kelurahan.code) == Company.kelurahan_code, isouter=True)
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code, isouter=True)
        .where(col(LetterRecipient.campaign_id) == campaign.id)
        .order_by(col(Company.name))
    ).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=RECIPIENT_COLUMNS[:-2])
    frame["status"] = [
        status_of(*t)
        for t in zip(
            frame["sent_at"],
            frame["first_login_at"],
            frame["responded_at"],
            frame["declined_at"].where(frame["decline_withdrawn_at"].isna(), None),
            strict=True,
        )
    ]
    frame["days_since_letter"] = pd.array(
        [None if pd.isna(s) else (today - s.date()).days for s in frame["sent_at"]], dtype="Int64"
    )
    frame["employees"] = frame["employees"].astype("Int64")
    frame["reminders"] = frame["reminders"].astype(int)
    return frame


def company_answer(*, session: Session, actor: Actor, company_id: int) -> Answer:
    """The company's answer to the active letter (own company, or city staff)."""
    require_company_access(actor, company_id, session=session, action="letter.answer.view")
    recipient = _recipient_of(session, company_id)
    if recipient is None:
        return Answer(None, None, None, None, "")
    return Answer(
        recipient.id,
        recipient.responded_at,
        recipient.declined_at,
        recipient.decline_reason,
        recipient.decline_note,
        recipient.decline_withdrawn_at,
    )


def _recipient_of(session: Session, company_id: int) -> LetterRecipient | None:
    return session.exec(
        select(LetterRecipient)
        .join(Campaign, col(Campaign.id) == LetterRecipient.campaign_id)
        .where(LetterRecipient.company_id == company_id)
        .order_by(col(Campaign.is_active).desc(), col(Campaign.letter_date).desc())
    ).first()


def check_decline(reason: str | None, note: str) -> str:
    """A decline's reason and note as the company gave them (the note stripped); refused with the fix to make."""
    if reason not in DECLINE_REASONS:
        raise ValidationError("Pilih salah satu alasan dari daftar; tidak ada alasan yang dipilihkan untuk Anda.")
    note = note.strip()
    if reason == "other" and not note:
        raise ValidationError("Untuk 'Lainnya', tuliskan alasannya singkat di kolom keterangan.")
    if len(note) > 500:
        raise ValidationError("Keterangan paling panjang 500 karakter.")
    return note


def decline_letter(*, session: Session, actor: Actor, company_id: int, reason: str, note: str = "") -> Answer:
    """ "Kami belum dapat ikut serta saat ini": the company's answer, with a reason the city sees."""
    require_company_access(actor, company_id, session=session, action="letter.decline", write=True)
    note = check_decline(reason, note)
    recipient = _recipient_of(session, company_id)
    if recipient is None:
        raise NotFound("Perusahaan Anda tidak tercatat sebagai penerima surat edaran. Hubungi Disnaker.")
    if recipient.responded_at is not None:
        raise ValidationError("Perusahaan Anda sudah berikrar; tidak perlu menyatakan belum dapat ikut serta.")
    if recipient.declined_at is not None and recipient.decline_withdrawn_at is None:
        return company_answer(session=session, actor=actor, company_id=company_id)  # a repeated click: no change
    recipient.declined_at = utcnow()
    recipient.decline_reason = reason
    recipient.decline_note = note
    recipient.decline_withdrawn_at = None
    session.add(recipient)
    audit.record(
        session=session,
        actor=actor,
        action="letter.decline",
        entity="letterrecipient",
        entity_id=recipient.id,
        reason=reason,
    )
    session.commit()
    return company_answer(session=session, actor=actor, company_id=company_id)


def withdraw_decline(*, session: Session, actor: Actor, company_id: int) -> Answer:
    """The company takes its decline back: no answer again (reminders may follow), a pledge still welcome. The city
    keeps the decline, its reason and the withdrawal (Tanggapan shows both)."""
    require_company_access(actor, company_id, session=session, action="letter.decline.withdraw", write=True)
    recipient = _recipient_of(session, company_id)
    if recipient is None or recipient.declined_at is None:
        raise ValidationError("Perusahaan Anda belum menyatakan belum dapat ikut serta; tidak ada yang ditarik.")
    if recipient.decline_withdrawn_at is None:  # a repeated click changes nothing
        recipient.decline_withdrawn_at = utcnow()
        session.add(recipient)
        audit.record(
            session=session,
            actor=actor,
            action="letter.decline.withdraw",
            entity="letterrecipient",
            entity_id=recipient.id,
            reason=recipient.decline_reason or "",
        )
        session.commit()
    return company_answer(session=session, actor=actor, company_id=company_id)


def mark_sent(
    *,
    session: Session,
    actor: Actor,
    sent_on: dt.date,
    channel: str,
    recipient_ids: list[int] | None = None,
    campaign_id: int | None = None,
) -> int:
    """Record the letter as sent on a date by a channel: to the given recipients, or to all not yet sent."""
    require_role(actor, Role.ADMIN, session=session, action="letter.sent")
    if channel not in SEND_CHANNELS:
        raise ValidationError("Pilih cara pengiriman: pos, email, WhatsApp atau diantar langsung.")
    if sent_on > dt.date.today():
        raise ValidationError("Tanggal kirim tidak boleh di masa depan.")
    campaign = _campaign(session, campaign_id)
    if sent_on < campaign.letter_date:
        raise ValidationError("Tanggal kirim tidak boleh sebelum tanggal surat.")
    stmt = select(LetterRecipient).where(LetterRecipient.campaign_id == campaign.id)
    if recipient_ids is None:
        stmt = stmt.where(col(LetterRecipient.sent_at).is_(None))
    else:
        stmt = stmt.where(col(LetterRecipient.id).in_(recipient_ids))
    rows = session.exec(stmt).all()
    at = dt.datetime.combine(sent_on, dt.time(9), tzinfo=dt.UTC)
    for r in rows:
        r.sent_at = at
        r.send_channel = channel
        session.add(r)
    audit.record(
        session=session,
        actor=actor,
        action="letter.sent",
        entity="campaign",
        entity_id=campaign.id,
        recipients=len(rows),
        channel=channel,
        on=sent_on.isoformat(),
    )
    session.commit()
    return len(rows)


def log_contact(
    *,
    session: Session,
    actor: Actor,
    recipient_id: int,
    contacted_on: dt.date,
    channel: str,
    outcome: str,
    note: str = "",
) -> int:
    """Log a reminder or a follow-up call on a recipient (date, channel, outcome, note, by whom)."""
    require_role(actor, Role.ADMIN, session=session, action="recipient.contact")
    errors = []
    if channel not in CONTACT_CHANNELS:
        errors.append("Pilih saluran: telepon, email, WhatsApp, pos atau diantar langsung.")
    if contacted_on > dt.date.today():
        errors.append("Tanggal kontak tidak boleh di masa depan.")
    if not outcome.strip() or len(outcome) > 120:
        errors.append("Isi hasil kontak (paling panjang 120 karakter).")
    if len(note) > 500:
        errors.append("Catatan paling panjang 500 karakter.")
    if errors:
        raise ValidationError("Periksa isian berikut:\n\n" + "\n".join(f"- {e}" for e in errors))
    recipient = session.get(LetterRecipient, recipient_id)
    if recipient is None:
        raise NotFound("Penerima surat tidak ditemukan. Muat ulang halaman.")
    contact = RecipientContact(
        recipient_id=recipient_id,
        contacted_on=contacted_on,
        channel=channel,
        outcome=outcome.strip(),
        note=note.strip(),
        by_user_id=actor.user_id,
        by_username=actor.username,
    )
    session.add(contact)
    recipient.reminders_sent += 1
    last = dt.datetime.combine(contacted_on, dt.time(12), tzinfo=dt.UTC)
    previous = recipient.last_reminder_at
    if previous is None or (previous.replace(tzinfo=dt.UTC) if previous.tzinfo is None else previous) < last:
        recipient.last_reminder_at = last
    session.add(recipient)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="recipient.contact",
        entity="letterrecipient",
        entity_id=recipient_id,
        channel=channel,
        outcome=outcome.strip()[:60],
    )
    session.commit()
    return contact.id or 0


def contacts(*, session: Session, actor: Actor, recipient_id: int) -> pd.DataFrame:
    """The reminders and calls logged on one recipient, newest first (city staff)."""
    require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="recipient.contacts")
    rows = session.exec(
        select(RecipientContact)
        .where(RecipientContact.recipient_id == recipient_id)
        .order_by(col(RecipientContact.contacted_on).desc(), col(RecipientContact.id).desc())
    ).all()
    return pd.DataFrame(
        [
            (c.contacted_on, CONTACT_CHANNELS.get(Channel(c.channel), c.channel), c.outcome, c.note, c.by_username)
            for c in rows
        ],
        columns=["Tanggal", "Saluran", "Hasil", "Catatan", "Oleh"],
    )
