"""Pledge queries: the form's context, a quote, a company's pledges and their masked workers.

Loading helpers here check the acting user (authorisation lives in services); queries never commit,
except the audit row of a personal-data view.
"""

import datetime as dt
from typing import Any

import pandas as pd
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
from services.platform import audit
from services.platform.authz import Actor, require_company_access
from services.platform.dates import add_months, cover_end, month_start
from services.platform.errors import NotFound, PayungError, ValidationError
from services.pledges.renewals import cards_waiting_on_renewals
from services.pledges.rules import (
    ASSIGNMENT_LABELS,
    MAX_START_AHEAD_MONTHS,
    STATUS_LABELS,
    WAITING,
    DraftError,
    FormContext,
    MatchOutcome,
    PledgeDraft,
    PledgeSummary,
    Quote,
    can_renew,
    derived_status,
    draft_problems,
    pledge_cost,
    premium_per_worker_month,
    reminder_level,
    renewal_opens,
    timeline,
)
from services.registry import nik

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
    errors = draft_problems(draft, today=today)
    if draft.kelurahan_codes:
        known = set(
            session.exec(select(Kelurahan.code).where(col(Kelurahan.code).in_(list(draft.kelurahan_codes)))).all()
        )
        unknown = [c for c in draft.kelurahan_codes if c not in known]
        if unknown:
            errors["kelurahan_codes"] = (
                f"Kode kelurahan tidak dikenal: {', '.join(unknown)}. Pilih kelurahan dari daftar Kota Tangerang."
            )
    if draft.occupations:
        known_occ = set(occupations(session=session))
        bad = [o for o in draft.occupations if o not in known_occ]
        if bad:
            errors["occupations"] = f"Pekerjaan tidak dikenal: {', '.join(bad)}. Pilih dari daftar atau kosongkan."
    if draft.radius_km and _site(session, company) == (None, None):
        errors["radius_km"] = (
            "Lokasi perusahaan belum diisi, jadi radius belum bisa dipakai. Isi di menu Profil perusahaan."
        )
    if errors:
        raise DraftError(errors)


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
    waiting_cards = cards_waiting_on_renewals(session, renewals, today)
    out = []
    for p in pledges:
        assert p.id is not None
        end = cover_end(p.start_month, p.months)
        shown = derived_status(p.status, end, today, start=p.start_month)
        per_month, total = pledge_cost(workers=p.workers, months=p.months, premium=p.premium_per_worker_month)
        registered = counts.get((p.id, AssignmentStatus.REGISTERED), 0)
        active = counts.get((p.id, AssignmentStatus.ACTIVE), 0)
        if shown == WAITING:  # a renewal's cards are its own from its first month: until then they are registered
            registered, active = registered + active, 0
        elif p.id in waiting_cards:  # ... and until then they run on the renewed pledge: protected now, here
            active += waiting_cards[p.id]
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
            shown = derived_status(PledgeStatus.ACTIVE, end, today, start=pledge.start_month)
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
