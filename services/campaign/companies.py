"""Company side: the letter addressed to a company, where the company stands, and its profile."""

import datetime as dt
import re
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from models import Campaign, Company, Kecamatan, Kelurahan, LetterRecipient, Pledge, PledgeStatus
from models.common import utcnow
from services.platform import audit, fmt, text
from services.platform.authz import Actor, require_company_access
from services.platform.dates import cover_end
from services.platform.errors import NotFound, ValidationError
from services.platform.geo import haversine_scalar_km

NEAR_TANGERANG_KM = 10.0  # a site may lie just outside the city (Kabupaten / Tangerang Selatan) and still qualify


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
    attachment_name: str | None
    responded_at: dt.datetime | None
    standing: str  # Indonesian label
    next_step: str
    pledges: int


def _standing(statuses: list[str]) -> tuple[str, str]:
    if not statuses:
        return "Belum menjawab", "Buat ikrar perlindungan: pilih jumlah pekerja, lama perlindungan, dan area."
    order = [
        (
            "expiring",
            "Perlindungan aktif, segera berakhir",
            "Perpanjang ikrar di menu Ikrar saya agar pekerja tetap terlindungi.",
        ),
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
    today = dt.date.today()
    statuses = []
    for status, start, months in session.exec(
        select(col(Pledge.status), col(Pledge.start_month), col(Pledge.months)).where(Pledge.company_id == company_id)
    ).all():
        end = cover_end(start, months)
        statuses.append("expiring" if status == PledgeStatus.ACTIVE and 0 <= (end - today).days <= 60 else status)
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
        attachment_name=campaign.attachment_name if campaign and campaign.attachment else None,
        responded_at=recipient.responded_at if recipient else None,
        standing=standing,
        next_step=next_step,
        pledges=len(statuses),
    )


def letter_attachment(*, session: Session, actor: Actor, company_id: int) -> tuple[str, bytes] | None:
    """The file the city attached to the letter addressed to this company (name, content), if any."""
    require_company_access(actor, company_id, session=session, action="letter.attachment")
    campaign = session.exec(
        select(Campaign)
        .join(LetterRecipient, col(LetterRecipient.campaign_id) == Campaign.id)
        .where(LetterRecipient.company_id == company_id)
        .order_by(col(Campaign.letter_date).desc())
    ).first()
    if campaign is None or not campaign.attachment:
        return None
    return campaign.attachment_name or "surat-edaran.pdf", bytes(campaign.attachment)


# ---------------------------------------------------------------------------------------------------------------
# Profile


@dataclass(frozen=True)
class CompanyProfile:
    company_id: int
    name: str
    address: str
    kelurahan_code: str | None
    kelurahan_name: str | None
    site_lat: float | None
    site_lon: float | None
    sector: str
    employees: int | None
    contact_name: str
    contact_email: str
    contact_phone: str
    show_amount: bool
    updated_at: dt.datetime | None
    site_approximate: bool = False  # the kelurahan's inside point from the recipients list, not the real site


@dataclass(frozen=True)
class ProfileUpdate:
    site_lat: float | None
    site_lon: float | None
    sector: str
    employees: int | None
    contact_name: str
    contact_email: str
    contact_phone: str
    show_amount: bool
    address: str | None = None


@dataclass(frozen=True)
class SiteCheck:
    nearest_kelurahan: str
    nearest_kecamatan: str
    distance_km: float  # to the nearest kelurahan centre

    @property
    def inside(self) -> bool:
        return self.distance_km <= 3.0


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


def check_site(*, session: Session, lat: float, lon: float) -> SiteCheck:
    """Refuse a site that is not in or near Kota Tangerang (nearest kelurahan centre within 10 km)."""
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError("Koordinat tidak valid: lintang -90..90 dan bujur -180..180, misalnya -6.18 dan 106.63.")
    rows = session.exec(
        select(Kelurahan.name, Kecamatan.name, Kelurahan.lat, Kelurahan.lon).join(
            Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code
        )
    ).all()
    if not rows:
        raise ValidationError("Data wilayah belum dimuat. Hubungi admin Disnaker.")
    best = min(rows, key=lambda r: haversine_scalar_km(lat, lon, r[2], r[3]))
    distance = haversine_scalar_km(lat, lon, best[2], best[3])
    if distance > NEAR_TANGERANG_KM:
        raise ValidationError(
            f"Lokasi ini berjarak {fmt.number(distance)} km dari Kota Tangerang. Periksa lintang/bujur "
            "(Tangerang sekitar -6,18 dan 106,63; lintang bernilai negatif) atau pilih kelurahan terdekat."
        )
    return SiteCheck(nearest_kelurahan=best[0], nearest_kecamatan=best[1], distance_km=distance)


def _profile(session: Session, company: Company) -> CompanyProfile:
    kel = session.get(Kelurahan, company.kelurahan_code) if company.kelurahan_code else None
    return CompanyProfile(
        company_id=company.id or 0,
        name=company.name,
        address=company.address,
        kelurahan_code=company.kelurahan_code,
        kelurahan_name=kel.name if kel else None,
        site_lat=company.site_lat,
        site_lon=company.site_lon,
        sector=company.sector,
        employees=company.employees,
        contact_name=company.contact_name,
        contact_email=company.contact_email,
        contact_phone=company.contact_phone,
        show_amount=company.show_amount,
        updated_at=company.profile_updated_at,
        site_approximate=company.site_approximate,
    )


def company_profile(*, session: Session, actor: Actor, company_id: int) -> CompanyProfile:
    require_company_access(actor, company_id, session=session, action="company.profile.view")
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("Perusahaan tidak ditemukan. Hubungi Disnaker.")
    return _profile(session, company)


def validate_profile(update: ProfileUpdate) -> list[str]:
    """Problems with typed profile values (pure), in Indonesian."""
    errors: list[str] = []
    if (update.site_lat is None) != (update.site_lon is None):
        errors.append("Isi lintang dan bujur lokasi sekaligus, atau kosongkan keduanya.")
    if not update.sector.strip():
        errors.append("Sektor usaha wajib diisi, misalnya 'Alas kaki' atau 'Logistik'.")
    elif len(update.sector) > 80:
        errors.append("Sektor usaha paling panjang 80 karakter.")
    if update.employees is not None and not 0 <= update.employees <= 1_000_000:
        errors.append("Jumlah karyawan harus 0 sampai 1.000.000.")
    if not update.contact_name.strip():
        errors.append("Nama kontak wajib diisi agar Disnaker dapat menghubungi Anda.")
    if update.contact_email and not _EMAIL.match(update.contact_email.strip()):
        errors.append("Alamat email kontak tidak valid, contoh: csr@perusahaan.co.id.")
    if update.contact_phone and not _PHONE.match(update.contact_phone.strip()):
        errors.append("Nomor telepon kontak hanya berisi angka (boleh diawali +), 6–20 digit, contoh: 021-5551234.")
    for label, value in (
        ("Sektor usaha", update.sector),
        ("Nama kontak", update.contact_name),
        ("Email kontak", update.contact_email),
        ("Telepon kontak", update.contact_phone),
        ("Alamat", update.address),
    ):
        problem = text.control_character_problem(value, label=label)
        if problem:
            errors.append(problem)
    return errors


def update_profile(*, session: Session, actor: Actor, company_id: int, update: ProfileUpdate) -> CompanyProfile:
    """Save the profile (site checked to lie in or near Tangerang). The changed fields are audited."""
    require_company_access(actor, company_id, session=session, action="company.profile.update", write=True)
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("Perusahaan tidak ditemukan. Hubungi Disnaker.")
    update = replace(
        update,
        sector=update.sector.strip(),
        contact_name=update.contact_name.strip(),
        contact_email=update.contact_email.strip(),
        contact_phone=update.contact_phone.strip(),
    )
    errors = validate_profile(update)
    if not errors and update.site_lat is not None and update.site_lon is not None:
        try:
            check_site(session=session, lat=update.site_lat, lon=update.site_lon)
        except ValidationError as exc:
            errors.append(str(exc))
    if errors:
        raise ValidationError("Periksa isian berikut:\n\n" + "\n".join(f"- {e}" for e in errors))
    changed = []
    for name in (
        "site_lat",
        "site_lon",
        "sector",
        "employees",
        "contact_name",
        "contact_email",
        "contact_phone",
        "show_amount",
        "address",
    ):
        value = getattr(update, name)
        if name == "address" and value is None:
            continue
        if getattr(company, name) != value:
            setattr(company, name, value)
            changed.append(name)
    if changed:
        if {"site_lat", "site_lon"} & set(changed):
            company.site_approximate = False  # the company set its real site
        company.profile_updated_at = utcnow()
        session.add(company)
        audit.record(
            session=session,
            actor=actor,
            action="company.profile.update",
            entity="company",
            entity_id=company_id,
            fields=changed,
        )
        session.commit()
    return _profile(session, company)
