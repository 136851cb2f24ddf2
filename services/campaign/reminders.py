"""Reminders to a recipient that has not answered: an e-mail through SMTP when it is configured (in demo mode the
outbox keeps what would have been sent), or a WhatsApp click-to-chat link for the officer's own phone.
Every reminder is logged on the recipient."""

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, col, select

from models import Campaign, Channel, Company, LetterRecipient, OutboxMessage, Role
from services.campaign.responses import log_contact
from services.platform import audit, fmt
from services.platform.authz import Actor, require_role
from services.platform.db import run_once
from services.platform.errors import NotFound, ValidationError
from services.platform.mail import send_email
from services.platform.settings import Settings, get_settings


@dataclass(frozen=True)
class Reminder:
    status: str  # sent / outbox / whatsapp
    message: str  # what to tell the officer, in Indonesian
    subject: str
    body: str
    whatsapp_url: str | None = None


def reminder_text(
    *, company: str, contact: str, letter_number: str, subject: str, deadline: dt.date, portal_url: str = ""
) -> tuple[str, str]:
    """The reminder's subject and body (pure)."""
    greeting = f"Yth. {contact} ({company})" if contact else f"Yth. Pimpinan {company}"
    body = (
        f"{greeting},\n\n"
        f'Pemerintah Kota Tangerang mengingatkan surat edaran Wali Kota {letter_number} perihal "{subject}". '
        f"Kami belum menerima tanggapan perusahaan Anda. Batas tanggapan: {fmt.long_date(deadline)}.\n\n"
        "Silakan masuk ke Payung dengan akun perusahaan Anda untuk membuat ikrar perlindungan pekerja rentan, "
        "atau menyatakan bahwa perusahaan belum dapat ikut serta saat ini."
        + (f"\n\nPayung: {portal_url}" if portal_url else "")
        + "\n\nTerima kasih.\nDinas Ketenagakerjaan Kota Tangerang"
    )
    return f"Pengingat: {subject[:200]}", body


def whatsapp_url(phone: str, text: str) -> str | None:
    """wa.me click-to-chat link with the text (Indonesian numbers: 08… / 021… become 628… / 6221…)."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    if len(digits) < 9 or not digits.startswith("62"):
        return None
    return f"https://wa.me/{digits}?text={urllib.parse.quote(text, safe='')}"  # every reserved character encoded


def _load(session: Session, recipient_id: int) -> tuple[LetterRecipient, Company, Campaign]:
    row = session.exec(
        select(LetterRecipient, Company, Campaign)
        .join(Company, col(Company.id) == LetterRecipient.company_id)
        .join(Campaign, col(Campaign.id) == LetterRecipient.campaign_id)
        .where(LetterRecipient.id == recipient_id)
    ).first()
    if row is None:
        raise NotFound("Penerima surat tidak ditemukan. Muat ulang halaman.")
    return row[0], row[1], row[2]


@run_once  # the e-mail leaves before the commit: a retried unit would send it twice
def send_reminder(
    *,
    session: Session,
    actor: Actor,
    recipient_id: int,
    channel: str = Channel.EMAIL,
    settings: Settings | None = None,
    today: dt.date | None = None,
) -> Reminder:
    """Send (e-mail) or prepare (WhatsApp) a reminder, and log it on the recipient."""
    require_role(actor, Role.ADMIN, session=session, action="reminder.send")
    settings = settings or get_settings()
    recipient, company, campaign = _load(session, recipient_id)
    declined = recipient.declined_at is not None and recipient.decline_withdrawn_at is None
    if recipient.responded_at is not None or declined:
        raise ValidationError(f"{company.name} sudah menjawab surat; pengingat tidak diperlukan.")
    subject, body = reminder_text(
        company=company.name,
        contact=company.contact_name,
        letter_number=campaign.letter_number,
        subject=campaign.subject,
        deadline=campaign.response_deadline,
    )
    today = today or dt.date.today()
    if channel == Channel.WHATSAPP:
        url = whatsapp_url(company.contact_phone, body)
        if url is None:
            raise ValidationError(f"Nomor telepon {company.name} kosong atau tidak valid untuk WhatsApp.")
        log_contact(
            session=session,
            actor=actor,
            recipient_id=recipient_id,
            contacted_on=today,
            channel=Channel.WHATSAPP,
            outcome="Pengingat WhatsApp disiapkan",
        )
        return Reminder("whatsapp", "Tautan WhatsApp siap: buka di ponsel Anda dan kirim.", subject, body, url)
    if channel != Channel.EMAIL:
        raise ValidationError("Pengingat dikirim lewat email atau WhatsApp.")
    to = company.contact_email.strip()
    if not to:
        raise ValidationError(f"{company.name} belum punya alamat email kontak. Gunakan WhatsApp atau telepon.")
    if not settings.smtp_configured and not settings.demo:
        raise ValidationError("Server email (SMTP_HOST) belum diatur. Gunakan WhatsApp atau telepon.")
    session.rollback()  # end the read transaction: SQLite must not hold its write lock while the mail goes out
    status, error = "outbox", ""
    if settings.smtp_configured:
        try:
            send_email(settings=settings, to=to, subject=subject, body=body)
            status = "sent"
        except ValidationError as exc:
            status, error = "failed", str(exc)
    session.add(
        OutboxMessage(
            recipient_id=recipient_id,
            to_address=to,
            subject=subject,
            body=body,
            status=status,
            error=error[:300],
            by_username=actor.username,
        )
    )
    outcome = {"sent": "Email pengingat terkirim", "outbox": "Email pengingat (mode demo: kotak keluar)"}.get(
        status, "Email pengingat gagal terkirim"
    )
    log_contact(
        session=session,
        actor=actor,
        recipient_id=recipient_id,
        contacted_on=today,
        channel=Channel.EMAIL,
        outcome=outcome,
    )
    if status == "failed":
        raise ValidationError(error + " Pengingat dicatat sebagai gagal.")
    message = (
        f"Email pengingat terkirim ke {to}."
        if status == "sent"
        else f"Mode demo: email ke {to} tidak dikirim, tersimpan di Kotak keluar."
    )
    return Reminder(status, message, subject, body)


def outbox(*, session: Session, actor: Actor, limit: int = 200) -> pd.DataFrame:
    """The e-mails sent or kept (demo mode), newest first."""
    require_role(actor, Role.ADMIN, session=session, action="outbox.view")
    rows = session.exec(
        select(OutboxMessage).order_by(col(OutboxMessage.created_at).desc(), col(OutboxMessage.id).desc()).limit(limit)
    ).all()
    audit.record(session=session, actor=actor, action="outbox.view", entity="outbox", rows=len(rows))
    session.commit()
    return pd.DataFrame(
        [(m.created_at, m.to_address, m.subject, m.status, m.by_username, m.body, m.error) for m in rows],
        columns=["created_at", "to", "subject", "status", "by", "body", "error"],
    )
