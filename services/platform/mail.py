"""Sending e-mail through the configured SMTP server (settings SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD,
SMTP_FROM). Journeys decide what to send and log it; this module only delivers."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from services.platform.errors import ValidationError
from services.platform.settings import Settings

SMTP_TIMEOUT_S = 15


def send_email(*, settings: Settings, to: str, subject: str, body: str) -> str:
    """Deliver one plain-text message; returns its Message-ID. Raises ValidationError (Indonesian) on failure."""
    if not settings.smtp_configured:
        raise ValidationError("Server email (SMTP_HOST) belum diatur: email tidak dapat dikirim.")
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="payung.tangerangkota.go.id")
    msg.set_content(body)
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
