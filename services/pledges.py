"""A company's pledges: quote, create, follow, raise, renew, cancel; the masked list of its matched workers.

Every function checks the acting user (services.authz) and writes its audit row in the same transaction as the
change. Pure rules (price, validation, the derived 'expiring' state, reminders, timeline) are plain functions at
the top of the module and are unit-tested without a database.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from models import (
    OPEN_PLEDGE_STATUSES,
    Assignment,
    AssignmentStatus,
    Campaign,
    Company,
    Kecamatan,
    Kelurahan,
    LetterRecipient,
    Pledge,
    PledgeKelurahan,
    PledgeStatus,
    Worker,
)
from models.assignment import HOLDING_STATUSES
from models.common import utcnow
from services import audit, fmt, nik
from services.authz import Actor, require_company_access
from services.dates import add_months, cover_end, month_start
from services.errors import ConflictError, NotFound, PayungError, ValidationError

MAX_WORKERS = 10_000  # one pledge; larger commitments go through Disnaker
MAX_MONTHS = 24
MONTH_CHOICES = (1, 3, 6, 12, 24)
MAX_RADIUS_KM = 25.0
MAX_START_AHEAD_MONTHS = 12
RENEWAL_WINDOW_DAYS = 60
REMINDER_DAYS = (60, 30, 7)
EXPIRING = "expiring"  # derived, never stored

STATUS_LABELS: dict[str, str] = {
    PledgeStatus.SUBMITTED: "Terkirim",
    PledgeStatus.MATCHED: "Pekerja dicocokkan",
    PledgeStatus.REGISTERED: "Didaftarkan ke BPJS",
    PledgeStatus.ACTIVE: "Aktif",
    EXPIRING: "Segera berakhir",
    PledgeStatus.EXPIRED: "Berakhir",
    PledgeStatus.RENEWED: "Diperpanjang",
    PledgeStatus.CANCELLED: "Dibatalkan",
}
ASSIGNMENT_LABELS: dict[str, str] = {
    AssignmentStatus.ASSIGNED: "Dicocokkan",
    AssignmentStatus.REGISTERED: "Didaftarkan ke BPJS",
    AssignmentStatus.ACTIVE: "Kartu terbit (aktif)",
    EXPIRING: "Segera berakhir",
    AssignmentStatus.EXPIRED: "Berakhir",
    AssignmentStatus.RENEWED: "Diperpanjang",
    AssignmentStatus.RELEASED: "Dilepas",
}
TIMELINE = (
    PledgeStatus.SUBMITTED,
    PledgeStatus.MATCHED,
    PledgeStatus.REGISTERED,
    PledgeStatus.ACTIVE,
    EXPIRING,
)


# ---------------------------------------------------------------------------------------------------------------
# Plain data


@dataclass(frozen=True)
class PledgeDraft:
    """What the company typed in the pledge form."""

    workers: int
    months: int
    start_month: dt.date
    include_jht: bool = False
    radius_km: float | None = None
    kelurahan_codes: tuple[str, ...] = ()
    occupations: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormContext:
    company_id: int
    company_name: str
    campaign_id: int
    letter_number: str
    suggested_min_workers: int
    premium_jkk_jkm: int
    premium_jht: int
    site_lat: float | None
    site_lon: float | None
    earliest_start: dt.date
    latest_start: dt.date
    kelurahan: pd.DataFrame  # kelurahan_code, kelurahan_name, kecamatan_name, lat, lon
    occupations: list[str]


@dataclass(frozen=True)
class Quote:
    premium_per_worker_month: int
    per_month: int
    total: int
    cover_end: dt.date
    eligible_in_area: int
    notes: list[str]


@dataclass(frozen=True)
class MatchOutcome:
    requested: int
    assigned: int
    shortfall: int
    explanation: str


@dataclass(frozen=True)
class PledgeOutcome:
    pledge_id: int
    created: bool  # False: this submission had already created the pledge (double click, rerun)
    match: MatchOutcome


@dataclass(frozen=True)
class TimelineStep:
    status: str
    label: str
    state: str  # "done", "current", "todo"


@dataclass(frozen=True)
class PledgeSummary:
    pledge_id: int
    status: str  # stored status
    shown_status: str  # with the derived 'expiring'
    status_label: str
    workers: int
    months: int
    start_month: dt.date
    cover_end: dt.date
    include_jht: bool
    premium_per_worker_month: int
    per_month: int
    total: int
    radius_km: float | None
    kelurahan_codes: list[str]
    occupations: list[str]
    assigned: int  # workers holding a place in this pledge (assigned, registered, active)
    registered: int
    active: int
    renewed_from_id: int | None
    renewal_id: int | None
    days_left: int | None
    reminder_days: int | None  # 60, 30 or 7 when a reminder is due
    renewal_opens: dt.date
    can_raise: bool
    can_renew: bool
    can_cancel: bool
    created_at: dt.datetime
    timeline: list[TimelineStep] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# Pure rules


def premium_per_worker_month(*, premium_jkk_jkm: int, premium_jht: int, include_jht: bool) -> int:
    return premium_jkk_jkm + (premium_jht if include_jht else 0)


def pledge_cost(*, workers: int, months: int, premium: int) -> tuple[int, int]:
    """(per month, total) in Rupiah."""
    per_month = workers * premium
    return per_month, per_month * months


def validate_draft(draft: PledgeDraft, *, today: dt.date) -> list[str]:
    """Every problem with the typed values, in Indonesian, each saying what to do. Empty: acceptable."""
    errors: list[str] = []
    if not isinstance(draft.workers, int) or draft.workers < 1:
        errors.append("Jumlah pekerja minimal 1. Isi berapa pekerja rentan yang ingin Anda lindungi.")
    elif draft.workers > MAX_WORKERS:
        errors.append(
            f"Jumlah pekerja paling banyak {fmt.number(MAX_WORKERS)} per ikrar. "
            "Untuk komitmen lebih besar, buat beberapa ikrar atau hubungi Disnaker."
        )
    if not isinstance(draft.months, int) or not 1 <= draft.months <= MAX_MONTHS:
        errors.append(f"Lama perlindungan harus 1 sampai {MAX_MONTHS} bulan. Pilih salah satu, misalnya 12 bulan.")
    earliest = month_start(today)
    latest = add_months(today, MAX_START_AHEAD_MONTHS)
    if draft.start_month < earliest:
        errors.append("Bulan mulai sudah lewat. Pilih bulan ini atau bulan berikutnya.")
    elif draft.start_month > latest:
        errors.append("Bulan mulai paling lambat 12 bulan dari sekarang. Pilih bulan yang lebih dekat.")
    radius = draft.radius_km
    if radius is not None and radius != 0:
        if radius < 0:
            errors.append("Radius tidak boleh negatif. Isi jarak dalam km, misalnya 3.")
        elif radius > MAX_RADIUS_KM:
            errors.append(
                f"Radius paling jauh {MAX_RADIUS_KM:g} km. Perkecil radius atau pilih kelurahan satu per satu."
            )
    elif not draft.kelurahan_codes:
        errors.append("Tentukan area: isi radius di sekitar lokasi perusahaan (1–25 km) atau pilih kelurahan.")
    return errors


def derived_status(status: str, end: dt.date, today: dt.date) -> str:
    """'expiring' for an active pledge whose cover ends within 60 days (never stored)."""
    if status == PledgeStatus.ACTIVE and today <= end and (end - today).days <= RENEWAL_WINDOW_DAYS:
        return EXPIRING
    if status == PledgeStatus.ACTIVE and today > end:
        return PledgeStatus.EXPIRED  # the nightly status job has not run yet: say what is true
    return status


def reminder_level(end: dt.date, today: dt.date) -> int | None:
    """The reminder due now: 7, 30 or 60 (days before the end of cover), else None."""
    days_left = (end - today).days
    if days_left < 0:
        return None
    for level in sorted(REMINDER_DAYS):
        if days_left <= level:
            return level
    return None


def renewal_opens(end: dt.date) -> dt.date:
    return end - dt.timedelta(days=RENEWAL_WINDOW_DAYS)


def can_renew(status: str, end: dt.date, today: dt.date, already_renewed: bool) -> bool:
    if already_renewed:
        return False
    if status == PledgeStatus.EXPIRED:
        return True
    return status == PledgeStatus.ACTIVE and today >= renewal_opens(end)


def timeline(status: str, shown_status: str) -> list[TimelineStep]:
    """submitted → matched → registered → active → expiring → expired or renewed (or cancelled)."""
    final: dict[str, str] = {
        PledgeStatus.EXPIRED: "Berakhir",
        PledgeStatus.RENEWED: "Diperpanjang",
        PledgeStatus.CANCELLED: "Dibatalkan",
    }
    steps = list(TIMELINE)
    if status == PledgeStatus.CANCELLED:
        return [TimelineStep(PledgeStatus.SUBMITTED, STATUS_LABELS[PledgeStatus.SUBMITTED], "done")] + [
            TimelineStep(PledgeStatus.CANCELLED, final[PledgeStatus.CANCELLED], "current")
        ]
    if shown_status in final:
        reached = len(steps)
        last = TimelineStep(shown_status, final[shown_status], "current")
    else:
        reached = steps.index(shown_status) if shown_status in steps else 0
        last = TimelineStep("end", "Berakhir atau diperpanjang", "todo")
    out = []
    for i, step in enumerate(steps):
        if i < reached:
            state = "done"
        elif i == reached:
            state = "current"
        else:
            state = "todo"
        out.append(TimelineStep(step, STATUS_LABELS[step], state))
    return out + [last]


# ---------------------------------------------------------------------------------------------------------------
# Loading helpers (authorisation lives here)


def _load_pledge(session: Session, actor: Actor, pledge_id: int, action: str, *, write: bool = False) -> Pledge:
    pledge = session.get(Pledge, pledge_id) if isinstance(pledge_id, int) and pledge_id > 0 else None
    if pledge is None:
        raise NotFound("Ikrar tidak ditemukan. Muat ulang halaman Ikrar saya lalu pilih ikrar dari daftar.")
    require_company_access(actor, pledge.company_id, session=session, action=action, write=write)
    return pledge


def _campaign_for(session: Session, company_id: int) -> Campaign:
    row = session.exec(
        select(Campaign)
        .join(LetterRecipient, col(LetterRecipient.campaign_id) == Campaign.id)
        .where(LetterRecipient.company_id == company_id, col(Campaign.is_active).is_(True))
        .order_by(col(Campaign.letter_date).desc())
    ).first()
    if row is None:
        raise ValidationError(
            "Perusahaan Anda belum tercatat sebagai penerima surat edaran yang berlaku. Hubungi Disnaker."
        )
    return row


def _company(session: Session, company_id: int) -> Company:
    company = session.get(Company, company_id)
    if company is None:
        raise NotFound("Perusahaan tidak ditemukan. Hubungi Disnaker.")
    return company


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def occupations(*, session: Session) -> list[str]:
    return sorted(str(o) for o in session.exec(select(Worker.occupation).distinct()).all())


def _kelurahan_frame(session: Session) -> pd.DataFrame:
    rows = session.exec(
        select(  # type: ignore[call-overload]
            Kelurahan.code, Kelurahan.name, Kecamatan.name, Kelurahan.rep_lat, Kelurahan.rep_lon
        )
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .order_by(Kecamatan.name, Kelurahan.name)
    ).all()
    return pd.DataFrame(rows, columns=["kelurahan_code", "kelurahan_name", "kecamatan_name", "lat", "lon"])


def _check_draft(session: Session, company: Company, draft: PledgeDraft, today: dt.date) -> None:
    errors = validate_draft(draft, today=today)
    if draft.kelurahan_codes:
        known = set(
            session.exec(select(Kelurahan.code).where(col(Kelurahan.code).in_(list(draft.kelurahan_codes)))).all()
        )
        unknown = [c for c in draft.kelurahan_codes if c not in known]
        if unknown:
            errors.append(
                f"Kode kelurahan tidak dikenal: {', '.join(unknown)}. Pilih kelurahan dari daftar Kota Tangerang."
            )
    if draft.occupations:
        known_occ = set(occupations(session=session))
        bad = [o for o in draft.occupations if o not in known_occ]
        if bad:
            errors.append(f"Pekerjaan tidak dikenal: {', '.join(bad)}. Pilih dari daftar atau kosongkan.")
    if draft.radius_km and _site(session, company) == (None, None):
        errors.append("Lokasi perusahaan belum diisi, jadi radius belum bisa dipakai. Isi di menu Profil perusahaan.")
    if errors:
        raise ValidationError("Periksa isian berikut:\n\n" + "\n".join(f"- {e}" for e in errors))


def _site(session: Session, company: Company) -> tuple[float, float] | tuple[None, None]:
    """The company's site; without one, a point inside its kelurahan (as matching does)."""
    if company.site_lat is not None and company.site_lon is not None:
        return company.site_lat, company.site_lon
    kel = session.get(Kelurahan, company.kelurahan_code) if company.kelurahan_code else None
    return (kel.rep_lat, kel.rep_lon) if kel is not None else (None, None)


def _count_eligible(session: Session, company: Company, draft: PledgeDraft) -> int:
    from services import matching  # local: the matching package is heavy and owned separately

    lat, lon = _site(session, company)
    return int(
        matching.count_eligible(
            session=session,
            lat=lat,  # type: ignore[arg-type]  # None is fine for a kelurahan-only area
            lon=lon,  # type: ignore[arg-type]
            radius_km=draft.radius_km or None,
            kelurahan_codes=list(draft.kelurahan_codes),
            occupations=list(draft.occupations),
        )
    )


def _run_matching(session: Session, actor: Actor, pledge: Pledge) -> MatchOutcome:
    from services import matching  # local, see above

    assert pledge.id is not None
    try:
        result = matching.match_pledge(session=session, pledge_id=pledge.id, actor=actor)
    except PayungError as exc:
        session.rollback()
        held = _holding_count(session, pledge.id)
        return MatchOutcome(
            requested=pledge.workers,
            assigned=held,
            shortfall=max(pledge.workers - held, 0),
            explanation=f"Ikrar tersimpan, tetapi pencocokan belum berjalan: {exc} Disnaker akan menjalankannya.",
        )
    return MatchOutcome(
        requested=int(result.requested),
        assigned=int(result.total_assigned),
        shortfall=int(result.shortfall),
        explanation=str(result.explanation),
    )


def _holding_count(session: Session, pledge_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.pledge_id == pledge_id, col(Assignment.status).in_(HOLDING_STATUSES))
        ).one()
    )


def _current_outcome(session: Session, pledge: Pledge) -> MatchOutcome:
    assert pledge.id is not None
    held = _holding_count(session, pledge.id)
    return MatchOutcome(pledge.workers, held, max(pledge.workers - held, 0), "")


# ---------------------------------------------------------------------------------------------------------------
# Queries and commands


def form_context(*, session: Session, actor: Actor, company_id: int, today: dt.date | None = None) -> FormContext:
    require_company_access(actor, company_id, session=session, action="pledge.form")
    today = _today(today)
    company = _company(session, company_id)
    campaign = _campaign_for(session, company_id)
    assert campaign.id is not None
    return FormContext(
        company_id=company_id,
        company_name=company.name,
        campaign_id=campaign.id,
        letter_number=campaign.letter_number,
        suggested_min_workers=campaign.suggested_min_workers,
        premium_jkk_jkm=campaign.premium_jkk_jkm,
        premium_jht=campaign.premium_jht,
        site_lat=_site(session, company)[0],
        site_lon=_site(session, company)[1],
        earliest_start=month_start(today),
        latest_start=add_months(today, MAX_START_AHEAD_MONTHS),
        kelurahan=_kelurahan_frame(session),
        occupations=occupations(session=session),
    )


def quote(
    *, session: Session, actor: Actor, company_id: int, draft: PledgeDraft, today: dt.date | None = None
) -> Quote:
    """Validate a draft and price it; count the unprotected eligible workers in its area (nothing is saved)."""
    require_company_access(actor, company_id, session=session, action="pledge.quote")
    today = _today(today)
    company = _company(session, company_id)
    campaign = _campaign_for(session, company_id)
    _check_draft(session, company, draft, today)
    premium = premium_per_worker_month(
        premium_jkk_jkm=campaign.premium_jkk_jkm, premium_jht=campaign.premium_jht, include_jht=draft.include_jht
    )
    per_month, total = pledge_cost(workers=draft.workers, months=draft.months, premium=premium)
    eligible = _count_eligible(session, company, draft)
    notes: list[str] = []
    if draft.workers < campaign.suggested_min_workers:
        notes.append(
            f"Surat edaran mengimbau minimal {campaign.suggested_min_workers} pekerja. Jumlah yang lebih kecil "
            "tetap diterima dan sangat berarti."
        )
    if eligible < draft.workers:
        notes.append(
            f"Di area ini baru ada {eligible} pekerja rentan yang belum terlindungi, kurang dari {draft.workers}. "
            "Perbesar radius atau tambah kelurahan agar semua kuota terisi."
        )
    return Quote(
        premium_per_worker_month=premium,
        per_month=per_month,
        total=total,
        cover_end=cover_end(draft.start_month, draft.months),
        eligible_in_area=eligible,
        notes=notes,
    )


def _existing_submission(session: Session, actor: Actor, key: str) -> Pledge | None:
    pledge = session.exec(select(Pledge).where(Pledge.submission_key == key)).first()
    if pledge is not None:
        require_company_access(actor, pledge.company_id, session=session, action="pledge.create", write=True)
    return pledge


def create_pledge(
    *,
    session: Session,
    actor: Actor,
    company_id: int,
    draft: PledgeDraft,
    submission_key: str | None = None,
    today: dt.date | None = None,
) -> PledgeOutcome:
    """Save the pledge, record the company's response to the letter, then run matching for its area.

    The same `submission_key` twice (double click, two reruns) returns the pledge the first call created.
    """
    require_company_access(actor, company_id, session=session, action="pledge.create", write=True)
    today = _today(today)
    if submission_key:
        existing = _existing_submission(session, actor, submission_key)
        if existing is not None:
            return PledgeOutcome(int(existing.id or 0), False, _current_outcome(session, existing))
    company = _company(session, company_id)
    campaign = _campaign_for(session, company_id)
    _check_draft(session, company, draft, today)
    pledge = Pledge(
        company_id=company_id,
        campaign_id=campaign.id or 0,
        workers=draft.workers,
        months=draft.months,
        start_month=month_start(draft.start_month),
        include_jht=draft.include_jht,
        premium_per_worker_month=premium_per_worker_month(
            premium_jkk_jkm=campaign.premium_jkk_jkm, premium_jht=campaign.premium_jht, include_jht=draft.include_jht
        ),
        radius_km=draft.radius_km or None,
        occupations=list(draft.occupations),
        submission_key=submission_key,
    )
    try:
        session.add(pledge)
        session.flush()
        session.add_all(
            PledgeKelurahan(pledge_id=pledge.id or 0, kelurahan_code=k) for k in dict.fromkeys(draft.kelurahan_codes)
        )
        recipient = session.exec(
            select(LetterRecipient).where(
                LetterRecipient.company_id == company_id, LetterRecipient.campaign_id == campaign.id
            )
        ).first()
        first_response = recipient is not None and recipient.responded_at is None
        if recipient is not None and first_response:
            recipient.responded_at = utcnow()
            session.add(recipient)
        audit.record(
            session=session,
            actor=actor,
            action="pledge.create",
            entity="pledge",
            entity_id=pledge.id,
            workers=draft.workers,
            months=draft.months,
            start_month=draft.start_month.isoformat(),
            include_jht=draft.include_jht,
            radius_km=draft.radius_km,
            kelurahan=list(draft.kelurahan_codes) or None,
            occupations=list(draft.occupations) or None,
            first_response=first_response,
        )
        session.commit()
    except IntegrityError:
        # A concurrent submit with the same key won the race: hand back its pledge.
        session.rollback()
        existing = _existing_submission(session, actor, submission_key) if submission_key else None
        if existing is None:
            raise ConflictError(
                "Ikrar tidak tersimpan karena data berubah bersamaan. Coba kirim sekali lagi."
            ) from None
        return PledgeOutcome(int(existing.id or 0), False, _current_outcome(session, existing))
    return PledgeOutcome(int(pledge.id or 0), True, _run_matching(session, actor, pledge))


def _summaries(session: Session, pledges: list[Pledge], today: dt.date) -> list[PledgeSummary]:
    ids = [p.id for p in pledges]
    counts: dict[tuple[int, str], int] = {}
    for pid, status, n in session.exec(
        select(Assignment.pledge_id, Assignment.status, func.count())
        .where(col(Assignment.pledge_id).in_(ids))
        .group_by(col(Assignment.pledge_id), col(Assignment.status))
    ).all():
        counts[(pid, status)] = int(n)
    kel: dict[int, list[str]] = {}
    for pid, code in session.exec(
        select(PledgeKelurahan.pledge_id, PledgeKelurahan.kelurahan_code).where(col(PledgeKelurahan.pledge_id).in_(ids))
    ).all():
        kel.setdefault(pid, []).append(code)
    renewals = dict(
        session.exec(
            select(Pledge.renewed_from_id, Pledge.id).where(
                col(Pledge.renewed_from_id).in_(ids), Pledge.status != PledgeStatus.CANCELLED
            )
        ).all()
    )
    out = []
    for p in pledges:
        assert p.id is not None
        end = cover_end(p.start_month, p.months)
        shown = derived_status(p.status, end, today)
        per_month, total = pledge_cost(workers=p.workers, months=p.months, premium=p.premium_per_worker_month)
        registered = counts.get((p.id, AssignmentStatus.REGISTERED), 0)
        active = counts.get((p.id, AssignmentStatus.ACTIVE), 0)
        assigned = counts.get((p.id, AssignmentStatus.ASSIGNED), 0) + registered + active
        live = p.status in (PledgeStatus.ACTIVE, PledgeStatus.REGISTERED) and today <= end
        out.append(
            PledgeSummary(
                pledge_id=p.id,
                status=p.status,
                shown_status=shown,
                status_label=STATUS_LABELS.get(shown, shown),
                workers=p.workers,
                months=p.months,
                start_month=p.start_month,
                cover_end=end,
                include_jht=p.include_jht,
                premium_per_worker_month=p.premium_per_worker_month,
                per_month=per_month,
                total=total,
                radius_km=p.radius_km,
                kelurahan_codes=sorted(kel.get(p.id, [])),
                occupations=list(p.occupations or []),
                assigned=assigned,
                registered=registered,
                active=active,
                renewed_from_id=p.renewed_from_id,
                renewal_id=renewals.get(p.id),
                days_left=(end - today).days if live else None,
                reminder_days=reminder_level(end, today) if p.status == PledgeStatus.ACTIVE else None,
                renewal_opens=renewal_opens(end),
                can_raise=p.status in OPEN_PLEDGE_STATUSES and today <= end,
                can_renew=can_renew(p.status, end, today, p.id in renewals),
                can_cancel=p.status in (PledgeStatus.SUBMITTED, PledgeStatus.MATCHED) and registered + active == 0,
                created_at=p.created_at,
                timeline=timeline(p.status, shown),
            )
        )
    return out


def list_pledges(
    *, session: Session, actor: Actor, company_id: int, today: dt.date | None = None
) -> list[PledgeSummary]:
    """The company's pledges, newest first, with counts, cost, derived status and what may be done now."""
    require_company_access(actor, company_id, session=session, action="pledge.list")
    pledges = list(
        session.exec(
            select(Pledge)
            .where(Pledge.company_id == company_id)
            .order_by(col(Pledge.start_month).desc(), col(Pledge.id).desc())
        ).all()
    )
    return _summaries(session, pledges, _today(today))


def get_pledge(*, session: Session, actor: Actor, pledge_id: int, today: dt.date | None = None) -> PledgeSummary:
    pledge = _load_pledge(session, actor, pledge_id, "pledge.view")
    return _summaries(session, [pledge], _today(today))[0]


WORKER_COLUMNS = ["NIK", "Nama", "Kelurahan", "Kecamatan", "Pekerjaan", "Jarak (km)", "Status"]


def pledge_workers(*, session: Session, actor: Actor, pledge_id: int, today: dt.date | None = None) -> pd.DataFrame:
    """The workers matched to a pledge, for the card hand-over: masked NIK, no birth date, no phone.

    Released assignments (history of a cancelled or re-optimised pledge) are left out. Viewing is audited.
    """
    pledge = _load_pledge(session, actor, pledge_id, "pledge.workers.view")
    today = _today(today)
    rows = session.exec(
        select(  # type: ignore[call-overload]
            Worker.nik,
            Worker.name,
            Kelurahan.name,
            Kecamatan.name,
            Worker.occupation,
            Assignment.distance_km,
            Assignment.status,
            Assignment.coverage_end,
        )
        .join(Worker, col(Worker.id) == Assignment.worker_id)
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .where(Assignment.pledge_id == pledge.id, Assignment.status != AssignmentStatus.RELEASED)
        .order_by(Kecamatan.name, Kelurahan.name, Worker.name)
    ).all()
    audit.record(
        session=session,
        actor=actor,
        action="pledge.workers.view",
        entity="pledge",
        entity_id=pledge.id,
        rows=len(rows),
    )
    session.commit()
    data: list[list[Any]] = []
    for nik_value, name, kel, kec, occ, dist, status, end in rows:
        shown = status
        if status == AssignmentStatus.ACTIVE and end is not None:
            shown = derived_status(PledgeStatus.ACTIVE, end, today)
        data.append(
            [
                nik.mask(nik_value),
                name,
                kel,
                kec,
                occ,
                None if dist is None else round(float(dist), 2),
                ASSIGNMENT_LABELS.get(shown, shown),
            ]
        )
    return pd.DataFrame(data, columns=WORKER_COLUMNS)


def record_download(*, session: Session, actor: Actor, pledge_id: int, kind: str, rows: int) -> None:
    """Audit a download of the masked worker list (CSV or Excel)."""
    pledge = _load_pledge(session, actor, pledge_id, "pledge.workers.export")
    audit.record(
        session=session,
        actor=actor,
        action="pledge.workers.export",
        entity="pledge",
        entity_id=pledge.id,
        format=kind,
        rows=rows,
    )
    session.commit()


def raise_pledge(
    *,
    session: Session,
    actor: Actor,
    pledge_id: int,
    workers: int,
    expected_workers: int | None = None,
    today: dt.date | None = None,
) -> PledgeOutcome:
    """Raise the number of workers; matching fills the extra places. Lowering is refused (cancel instead)."""
    pledge = _load_pledge(session, actor, pledge_id, "pledge.raise", write=True)
    today = _today(today)
    if pledge.status not in OPEN_PLEDGE_STATUSES or today > cover_end(pledge.start_month, pledge.months):
        raise ValidationError(
            f"Ikrar berstatus '{STATUS_LABELS.get(pledge.status, pledge.status)}' tidak dapat ditambah. "
            "Buat ikrar baru atau perpanjang ikrar."
        )
    if expected_workers is not None and expected_workers != pledge.workers:
        raise ConflictError(
            f"Ikrar ini baru saja diubah (sekarang {pledge.workers} pekerja). Muat ulang halaman lalu coba lagi."
        )
    if not isinstance(workers, int) or workers <= pledge.workers:
        raise ValidationError(
            f"Jumlah baru harus lebih besar dari {pledge.workers} pekerja. Ikrar tidak dapat dikurangi; "
            "bila perlu, batalkan sebelum didaftarkan ke BPJS lalu buat ikrar baru."
        )
    if workers > MAX_WORKERS:
        raise ValidationError(f"Jumlah pekerja paling banyak {fmt.number(MAX_WORKERS)} per ikrar. Hubungi Disnaker.")
    old = pledge.workers
    pledge.workers = workers
    pledge.updated_at = utcnow()
    session.add(pledge)
    audit.record(
        session=session,
        actor=actor,
        action="pledge.raise",
        entity="pledge",
        entity_id=pledge.id,
        workers_before=old,
        workers_after=workers,
    )
    session.commit()
    return PledgeOutcome(int(pledge.id or 0), False, _run_matching(session, actor, pledge))


def renew_pledge(
    *,
    session: Session,
    actor: Actor,
    pledge_id: int,
    months: int,
    workers: int | None = None,
    submission_key: str | None = None,
    today: dt.date | None = None,
) -> PledgeOutcome:
    """Extend the same workers' cover with a new pledge that starts the month after the old cover ends.

    Offered from 60 days before the end (and after the end, for an expired pledge). Active workers keep their
    card (status 'active', same KPJ); workers of an expired pledge are re-proposed ('assigned') for
    registration again. A higher number of workers is filled by matching.
    """
    old = _load_pledge(session, actor, pledge_id, "pledge.renew", write=True)
    today = _today(today)
    if submission_key:
        existing = _existing_submission(session, actor, submission_key)
        if existing is not None:
            return PledgeOutcome(int(existing.id or 0), False, _current_outcome(session, existing))
    end = cover_end(old.start_month, old.months)
    already = (
        session.exec(
            select(Pledge.id).where(Pledge.renewed_from_id == old.id, Pledge.status != PledgeStatus.CANCELLED)
        ).first()
        is not None
    )
    if already or old.status == PledgeStatus.RENEWED:
        raise ValidationError("Ikrar ini sudah diperpanjang. Lihat ikrar perpanjangannya di daftar Ikrar saya.")
    if old.status not in (PledgeStatus.ACTIVE, PledgeStatus.EXPIRED):
        raise ValidationError(
            "Hanya ikrar yang aktif atau sudah berakhir yang dapat diperpanjang. Tunggu kartu peserta terbit."
        )
    if not can_renew(old.status, end, today, already):
        raise ValidationError(
            f"Perpanjangan baru dibuka {RENEWAL_WINDOW_DAYS} hari sebelum masa perlindungan berakhir, yaitu mulai "
            f"{fmt.date(renewal_opens(end))}. Kembali lagi pada tanggal itu."
        )
    new_workers = old.workers if workers is None else workers
    if not isinstance(new_workers, int) or new_workers < old.workers:
        raise ValidationError(
            f"Perpanjangan minimal {old.workers} pekerja (jumlah ikrar sebelumnya). Jumlahnya boleh ditambah."
        )
    if new_workers > MAX_WORKERS:
        raise ValidationError(f"Jumlah pekerja paling banyak {fmt.number(MAX_WORKERS)} per ikrar. Hubungi Disnaker.")
    if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise ValidationError(f"Lama perlindungan harus 1 sampai {MAX_MONTHS} bulan. Pilih misalnya 12 bulan.")
    campaign = session.get(Campaign, old.campaign_id)
    assert campaign is not None
    start = max(add_months(old.start_month, old.months), month_start(today))
    new_end = cover_end(start, months)
    renewal = Pledge(
        company_id=old.company_id,
        campaign_id=old.campaign_id,
        workers=new_workers,
        months=months,
        start_month=start,
        include_jht=old.include_jht,
        premium_per_worker_month=premium_per_worker_month(
            premium_jkk_jkm=campaign.premium_jkk_jkm, premium_jht=campaign.premium_jht, include_jht=old.include_jht
        ),
        radius_km=old.radius_km,
        occupations=list(old.occupations or []),
        renewed_from_id=old.id,
        submission_key=submission_key,
    )
    session.add(renewal)
    session.flush()
    assert renewal.id is not None
    kel_codes = session.exec(select(PledgeKelurahan.kelurahan_code).where(PledgeKelurahan.pledge_id == old.id)).all()
    session.add_all(PledgeKelurahan(pledge_id=renewal.id, kelurahan_code=k) for k in kel_codes)
    carry_status = AssignmentStatus.ACTIVE if old.status == PledgeStatus.ACTIVE else AssignmentStatus.EXPIRED
    carried = list(
        session.exec(
            select(Assignment)
            .where(Assignment.pledge_id == old.id, Assignment.status == carry_status)
            .order_by(col(Assignment.worker_id))
            .with_for_update()
        ).all()
    )
    if carry_status == AssignmentStatus.EXPIRED and carried:
        # Workers of an expired pledge may have been taken by another pledge since: skip those.
        taken = set(
            session.exec(
                select(Assignment.worker_id).where(
                    col(Assignment.worker_id).in_([a.worker_id for a in carried]),
                    col(Assignment.status).in_(HOLDING_STATUSES),
                )
            ).all()
        )
        carried = [a for a in carried if a.worker_id not in taken]
    carried = carried[:new_workers]
    now = utcnow()
    # Flip the old holders first: the partial unique index allows one holding assignment per worker.
    for a in carried:
        a.status = AssignmentStatus.RENEWED
        a.updated_at = now
        session.add(a)
    session.flush()
    new_status = AssignmentStatus.ACTIVE if carry_status == AssignmentStatus.ACTIVE else AssignmentStatus.ASSIGNED
    for a in carried:
        session.add(
            Assignment(
                worker_id=a.worker_id,
                pledge_id=renewal.id,
                distance_km=a.distance_km,
                desil_at_match=a.desil_at_match,
                reason="Perpanjangan ikrar sebelumnya",
                status=new_status,
                kpj_number=a.kpj_number,
                coverage_start=start if new_status == AssignmentStatus.ACTIVE else None,
                coverage_end=new_end if new_status == AssignmentStatus.ACTIVE else None,
            )
        )
    if not carried:
        renewal.status = PledgeStatus.SUBMITTED
    elif new_status == AssignmentStatus.ACTIVE:
        renewal.status = PledgeStatus.ACTIVE
    else:
        renewal.status = PledgeStatus.MATCHED
    old.status = PledgeStatus.RENEWED
    old.updated_at = now
    session.add_all([old, renewal])
    audit.record(
        session=session,
        actor=actor,
        action="pledge.renew",
        entity="pledge",
        entity_id=renewal.id,
        renewed_from=old.id,
        workers=new_workers,
        months=months,
        start_month=start.isoformat(),
        carried_workers=len(carried),
    )
    session.commit()
    if len(carried) < new_workers:
        return PledgeOutcome(renewal.id, True, _run_matching(session, actor, renewal))
    return PledgeOutcome(
        renewal.id,
        True,
        MatchOutcome(new_workers, len(carried), 0, "Semua pekerja ikrar sebelumnya tetap terlindungi."),
    )


def cancel_pledge(*, session: Session, actor: Actor, pledge_id: int) -> int:
    """Cancel before registration; the proposed workers go back to the pool. Returns how many were released."""
    pledge = _load_pledge(session, actor, pledge_id, "pledge.cancel", write=True)
    if pledge.status == PledgeStatus.CANCELLED:
        raise ValidationError("Ikrar ini sudah dibatalkan sebelumnya. Tidak ada yang perlu dilakukan.")
    held = session.exec(select(Assignment).where(Assignment.pledge_id == pledge.id).with_for_update()).all()
    if pledge.status not in (PledgeStatus.SUBMITTED, PledgeStatus.MATCHED) or any(
        a.status in (AssignmentStatus.REGISTERED, AssignmentStatus.ACTIVE) for a in held
    ):
        raise ValidationError(
            "Ikrar yang pekerjanya sudah didaftarkan ke BPJS tidak dapat dibatalkan. Hubungi Disnaker bila ada kendala."
        )
    now = utcnow()
    released = 0
    for a in held:
        if a.status == AssignmentStatus.ASSIGNED:
            a.status = AssignmentStatus.RELEASED
            a.updated_at = now
            session.add(a)
            released += 1
    pledge.status = PledgeStatus.CANCELLED
    pledge.cancelled_at = now
    pledge.updated_at = now
    session.add(pledge)
    audit.record(
        session=session,
        actor=actor,
        action="pledge.cancel",
        entity="pledge",
        entity_id=pledge.id,
        released_workers=released,
    )
    session.commit()
    return released
