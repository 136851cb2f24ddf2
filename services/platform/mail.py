"""Sending e-mail through the configured SMTP server (settings SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD,
SMTP_FROM). Journeys decide what to send and log it; this module only delivers."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from services.platform.errors import ValidationError
from services.platform.settings import Settings
from services.platform.text import header_text

SMTP_TIMEOUT_S = 15


def build_message(*, sender: str, to: str, subject: str, body: str) -> EmailMessage:
    """The message as it will be sent. The subject (which may carry a company name or a letter's subject) is
    reduced to one line first, so a CR/LF in it can neither add a header (Bcc:) nor make the library raise; the
    body is plain text (no HTML part), encoded by the library."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = header_text(to)
    msg["Subject"] = header_text(subject)
    msg["Message-ID"] = make_msgid(domain="payung.tangerangkota.go.id")
    msg.set_content(body.replace("\x00", " "))
    return msg


def send_email(*, settings: Settings, to: str, subject: str, body: str) -> str:
    """Deliver one plain-text message; returns its Message-ID. Raises ValidationError (Indonesian) on failure."""
    if not settings.smtp_configured:
        raise ValidationError("Server email (SMTP_HOST) belum diatur: email tidak dapat dikirim.")
    msg = build_message(sender=settings.smtp_from, to=to, subject=subject, body=body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_S) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise ValidationError(
            f"Email ke {to} gagal dikirim ({type(exc).__name__}). Periksa alamatnya atau coba lagi nanti."
        ) from exc
    return str(msg["Message-ID"])
