"""Company side: the letter addressed to a company and where the company stands."""

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, col, select

from models import Campaign, Company, LetterRecipient, Pledge, PledgeStatus
from services.authz import Actor, require_company_access
from services.errors import NotFound


@dataclass(frozen=True)
class CompanyHome:
    company_id: int
    company_name: str
    letter_number: str | None
    letter_date: dt.date | None
    subject: str
    body: str
    response_deadline: dt.date | None
    suggested_min_workers: int
    premium_jkk_jkm: int
    has_attachment: bool
    responded_at: dt.datetime | None
    standing: str  # Indonesian label
    next_step: str
    pledges: int


def _standing(statuses: list[str]) -> tuple[str, str]:
    if not statuses:
        return "Belum menjawab", "Buat ikrar perlindungan: pilih jumlah pekerja, lama perlindungan, dan area."
    order = [
        (PledgeStatus.ACTIVE, "Perlindungan aktif", "Pantau pekerja Anda dan perpanjang sebelum masa berlaku habis."),
        (
            PledgeStatus.REGISTERED,
            "Didaftarkan ke BPJS",
            "Tunggu kartu peserta terbit; Disnaker akan memperbarui status.",
        ),
        (PledgeStatus.MATCHED, "Pekerja sudah dicocokkan", "Periksa daftar pekerja di Ikrar saya."),
        (PledgeStatus.SUBMITTED, "Ikrar terkirim", "Tunggu hasil pencocokan pekerja di area Anda."),
        (PledgeStatus.EXPIRED, "Perlindungan berakhir", "Perpanjang ikrar agar pekerja tetap terlindungi."),
        (PledgeStatus.RENEWED, "Diperpanjang", "Pantau ikrar perpanjangan Anda."),
    ]
    for status, label, step in order:
        if status in statuses:
            return label, step
    return "Ikrar dibatalkan", "Buat ikrar baru bila perusahaan siap."


def company_home(*, session: Session, actor: Actor, company_id: int) -> CompanyHome:
    require_company_access(actor, company_id, session=session, action="company.home")
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("Perusahaan tidak ditemukan.")
    row = session.exec(
        select(LetterRecipient, Campaign)
        .join(Campaign, col(Campaign.id) == LetterRecipient.campaign_id)
        .where(LetterRecipient.company_id == company_id)
        .order_by(col(Campaign.letter_date).desc())
    ).first()
    recipient, campaign = row if row else (None, None)
    statuses = list(session.exec(select(Pledge.status).where(Pledge.company_id == company_id)).all())
    standing, next_step = _standing(statuses)
    return CompanyHome(
        company_id=company_id,
        company_name=company.name,
        letter_number=campaign.letter_number if campaign else None,
        letter_date=campaign.letter_date if campaign else None,
        subject=campaign.subject if campaign else "",
        body=campaign.body if campaign else "",
        response_deadline=campaign.response_deadline if campaign else None,
        suggested_min_workers=campaign.suggested_min_workers if campaign else 100,
        premium_jkk_jkm=campaign.premium_jkk_jkm if campaign else 0,
        has_attachment=bool(campaign and campaign.attachment),
        responded_at=recipient.responded_at if recipient else None,
        standing=standing,
        next_step=next_step,
        pledges=len(statuses),
    )
