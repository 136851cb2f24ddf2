"""The circular letter (surat edaran): create, edit, one active at a time, its PDF attachment.

Rates and targets are settings of a letter. A pledge freezes its premium when it is made
(`Pledge.premium_per_worker_month`), so editing a rate here never changes a pledge already made.
"""

import datetime as dt
import re
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from models import Campaign, LetterRecipient, Role
from models.common import utcnow
from services.platform import audit
from services.platform.authz import Actor, require_role
from services.platform.errors import NotFound, ValidationError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_OBJ_AT = re.compile(rb"\s*\d+\s+\d+\s+obj\b")


@dataclass(frozen=True)
class LetterDraft:
    letter_number: str
    letter_date: dt.date
    subject: str
    body: str
    response_deadline: dt.date
    target_workers: int
    suggested_min_workers: int = 100
    premium_jkk_jkm: int = 16_800
    premium_jht: int = 20_000
    escalation_days: int = 14


@dataclass(frozen=True)
class LetterView:
    id: int
    letter_number: str
    letter_date: dt.date
    subject: str
    body: str
    response_deadline: dt.date
    target_workers: int
    suggested_min_workers: int
    premium_jkk_jkm: int
    premium_jht: int
    escalation_days: int
    is_active: bool
    attachment_name: str | None
    attachment_bytes: int
    recipients: int

    def draft(self) -> LetterDraft:
        return LetterDraft(**{f: getattr(self, f) for f in LetterDraft.__dataclass_fields__})


def check_pdf(content: bytes) -> None:
    """Refuse a file that is not really a PDF: the magic bytes, the end marker and a cross-reference that points
    at a cross-reference table or stream. A renamed Word file or image fails here, whatever its name."""
    if not content:
        raise ValidationError("Lampiran kosong. Pilih berkas PDF surat edaran.")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            f"Lampiran terlalu besar ({len(content) / 1_048_576:.1f} MB). Maksimal 10 MB: kecilkan PDF-nya dulu."
        )
    if not content.startswith(b"%PDF-"):
        raise ValidationError(
            "Berkas ini bukan PDF (isinya tidak diawali %PDF-). Simpan surat sebagai PDF lalu unggah."
        )
    tail = content[-2048:]
    match = _STARTXREF.search(tail)
    if match is None:
        raise ValidationError(
            "Berkas PDF ini rusak atau terpotong (penanda akhir %%EOF tidak ada). Simpan ulang PDF-nya."
        )
    offset = int(match.group(1))
    at = content[offset : offset + 64] if 0 < offset < len(content) else b""
    if not (at.lstrip().startswith(b"xref") or _OBJ_AT.match(at)):
        raise ValidationError("Struktur PDF ini rusak (tabel rujukan silang tidak ditemukan). Simpan ulang PDF-nya.")


def validate_letter(draft: LetterDraft) -> list[str]:
    """Problems with a letter's values (pure), in Indonesian."""
    errors: list[str] = []
    if not draft.letter_number.strip():
        errors.append("Nomor surat wajib diisi, misalnya 'SE No. 14422/2024'.")
    elif len(draft.letter_number) > 80:
        errors.append("Nomor surat paling panjang 80 karakter.")
    if not draft.subject.strip():
        errors.append("Perihal surat wajib diisi.")
    elif len(draft.subject) > 300:
        errors.append("Perihal paling panjang 300 karakter.")
    if draft.response_deadline < draft.letter_date:
        errors.append("Batas tanggapan tidak boleh sebelum tanggal surat.")
    if not 1 <= draft.target_workers <= 10_000_000:
        errors.append("Target pekerja harus 1 sampai 10.000.000.")
    if not 0 <= draft.suggested_min_workers <= 100_000:
        errors.append("Imbauan minimal pekerja per perusahaan harus 0 sampai 100.000.")
    for label, value in (("Iuran JKK + JKM", draft.premium_jkk_jkm), ("Iuran JHT", draft.premium_jht)):
        if not 0 <= value <= 10_000_000:
            errors.append(f"{label} harus Rp0 sampai Rp10.000.000 per pekerja per bulan.")
    if draft.premium_jkk_jkm == 0:
        errors.append("Iuran JKK + JKM tidak boleh Rp0.")
    if not 1 <= draft.escalation_days <= 365:
        errors.append("Hari eskalasi harus 1 sampai 365 hari setelah surat dikirim.")
    return errors


def _check(draft: LetterDraft, attachment: tuple[str, bytes] | None) -> LetterDraft:
    draft = LetterDraft(
        **{
            **draft.__dict__,
            "letter_number": draft.letter_number.strip(),
            "subject": draft.subject.strip(),
            "body": draft.body.strip(),
        }
    )
    errors = validate_letter(draft)
    if attachment is not None:
        try:
            check_pdf(attachment[1])
        except ValidationError as exc:
            errors.append(str(exc))
    if errors:
        raise ValidationError("Periksa isian surat berikut:\n\n" + "\n".join(f"- {e}" for e in errors))
    return draft


def _number_taken(session: Session, number: str, except_id: int | None = None) -> bool:
    stmt = select(Campaign.id).where(func.lower(Campaign.letter_number) == number.lower())
    if except_id is not None:
        stmt = stmt.where(Campaign.id != except_id)
    return session.exec(stmt).first() is not None


def _view(session: Session, c: Campaign) -> LetterView:
    recipients = session.exec(
        select(func.count()).select_from(LetterRecipient).where(LetterRecipient.campaign_id == c.id)
    ).one()
    return LetterView(
        id=c.id or 0,
        letter_number=c.letter_number,
        letter_date=c.letter_date,
        subject=c.subject,
        body=c.body,
        response_deadline=c.response_deadline,
        target_workers=c.target_workers,
        suggested_min_workers=c.suggested_min_workers,
        premium_jkk_jkm=c.premium_jkk_jkm,
        premium_jht=c.premium_jht,
        escalation_days=c.escalation_days,
        is_active=c.is_active,
        attachment_name=c.attachment_name if c.attachment else None,
        attachment_bytes=len(c.attachment or b""),
        recipients=int(recipients),
    )


def _attach(c: Campaign, attachment: tuple[str, bytes] | None) -> None:
    if attachment is not None:
        name = attachment[0].rsplit("/", 1)[-1][:200] or "surat-edaran.pdf"
        c.attachment_name = name if name.lower().endswith(".pdf") else name + ".pdf"
        c.attachment = attachment[1]


def create_letter(
    *, session: Session, actor: Actor, draft: LetterDraft, attachment: tuple[str, bytes] | None = None
) -> LetterView:
    """Record a new letter and make it the active one (earlier letters stay, readable, inactive)."""
    require_role(actor, Role.ADMIN, session=session, action="letter.create")
    draft = _check(draft, attachment)
    if _number_taken(session, draft.letter_number):
        raise ValidationError(f"Surat bernomor {draft.letter_number} sudah ada. Buka surat itu untuk mengubahnya.")
    for old in session.exec(select(Campaign).where(col(Campaign.is_active).is_(True))).all():
        old.is_active = False
        session.add(old)
    campaign = Campaign(**draft.__dict__, is_active=True)
    _attach(campaign, attachment)
    session.add(campaign)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="letter.create",
        entity="campaign",
        entity_id=campaign.id,
        number=draft.letter_number,
        attachment=campaign.attachment_name,
    )
    session.commit()
    return _view(session, campaign)


def update_letter(
    *,
    session: Session,
    actor: Actor,
    campaign_id: int,
    draft: LetterDraft,
    attachment: tuple[str, bytes] | None = None,
) -> LetterView:
    """Edit a letter. Pledges already made keep the premium they were priced at; new ones use the new rates."""
    require_role(actor, Role.ADMIN, session=session, action="letter.update")
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("Surat tidak ditemukan. Muat ulang halaman.")
    draft = _check(draft, attachment)
    if _number_taken(session, draft.letter_number, except_id=campaign_id):
        raise ValidationError(f"Nomor {draft.letter_number} sudah dipakai surat lain.")
    changed = [name for name, value in draft.__dict__.items() if getattr(campaign, name) != value]
    for name in changed:
        setattr(campaign, name, getattr(draft, name))
    if attachment is not None:
        _attach(campaign, attachment)
        changed.append("attachment")
    if changed:
        campaign.updated_at = utcnow()
        session.add(campaign)
        audit.record(
            session=session,
            actor=actor,
            action="letter.update",
            entity="campaign",
            entity_id=campaign_id,
            fields=changed,
        )
        session.commit()
    return _view(session, campaign)


def activate_letter(*, session: Session, actor: Actor, campaign_id: int) -> LetterView:
    """Make this letter the active one (one at a time)."""
    require_role(actor, Role.ADMIN, session=session, action="letter.activate")
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("Surat tidak ditemukan. Muat ulang halaman.")
    for other in session.exec(select(Campaign).where(col(Campaign.is_active).is_(True))).all():
        other.is_active = False
        session.add(other)
    campaign.is_active = True
    session.add(campaign)
    audit.record(session=session, actor=actor, action="letter.activate", entity="campaign", entity_id=campaign_id)
    session.commit()
    return _view(session, campaign)


def list_letters(*, session: Session, actor: Actor) -> list[LetterView]:
    """Every letter, the active one first, then the newest (city staff)."""
    require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="letter.list")
    rows = session.exec(
        select(Campaign).order_by(col(Campaign.is_active).desc(), col(Campaign.letter_date).desc())
    ).all()
    return [_view(session, c) for c in rows]


def active_campaign(*, session: Session) -> Campaign | None:
    """The active letter (internal helper for the campaign services; no authorisation of its own)."""
    return session.exec(
        select(Campaign).where(col(Campaign.is_active).is_(True)).order_by(col(Campaign.id).desc())
    ).first()


def letter_file(*, session: Session, actor: Actor, campaign_id: int) -> tuple[str, bytes]:
    """The attachment of a letter for city staff (name, content). The download is audited."""
    require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="letter.attachment")
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not campaign.attachment:
        raise NotFound("Surat ini tidak berlampiran.")
    audit.record(session=session, actor=actor, action="letter.attachment", entity="campaign", entity_id=campaign_id)
    session.commit()
    return campaign.attachment_name or "surat-edaran.pdf", bytes(campaign.attachment)
