"""Pledge commands: create, raise, renew, cancel, and the audited download of its worker list.

Each checks the acting user and writes its audit row in the same transaction as the change.
"""

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import (
    OPEN_PLEDGE_STATUSES,
    Assignment,
    AssignmentStatus,
    Campaign,
    LetterRecipient,
    Pledge,
    PledgeKelurahan,
    PledgeStatus,
)
from models.assignment import HOLDING_STATUSES
from models.common import utcnow
from services.platform import audit, fmt, history
from services.platform.authz import Actor, require_company_access
from services.platform.dates import add_months, cover_end, month_start
from services.platform.errors import ConflictError, ValidationError
from services.platform.ledger import busy_workers, end_assignments_from, sync_assignments
from services.pledges.queries import (
    _campaign_for,
    _check_draft,
    _company,
    _current_outcome,
    _load_pledge,
    _run_matching,
    _today,
)
from services.pledges.rules import (
    MAX_MONTHS,
    MAX_WORKERS,
    RENEWAL_WINDOW_DAYS,
    STATUS_LABELS,
    MatchOutcome,
    PledgeDraft,
    PledgeOutcome,
    can_renew,
    premium_per_worker_month,
    renewal_opens,
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
        history.sync_pledge_ids(session=session, ids=[pledge.id or 0], now=pledge.created_at)
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
    history.sync_pledge_ids(session=session, ids=[pledge.id or 0], now=pledge.updated_at)
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
    now = utcnow()
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
        created_at=now,
        updated_at=now,
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
    # The renewal takes over from its start; a worker another payer covers in the renewal's months stays with
    # that payer (one payer per month).
    end_assignments_from(session=session, assignment_ids=[int(a.id or 0) for a in carried], from_month=start)
    busy = busy_workers(session=session, worker_ids=[a.worker_id for a in carried], first=start, last=new_end)
    carried = [a for a in carried if a.worker_id not in busy][:new_workers]
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
                created_at=now,
                updated_at=now,
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
    session.flush()
    sync_assignments(session=session, worker_ids=[a.worker_id for a in carried], today=today)
    history.sync_pledge_ids(session=session, ids=[old.id or 0, renewal.id], now=now)
    history.sync_assignments(session=session, where=col(Assignment.pledge_id).in_([old.id or 0, renewal.id]), now=now)
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
    session.flush()
    sync_assignments(session=session, worker_ids=[a.worker_id for a in held])
    pledge.status = PledgeStatus.CANCELLED
    pledge.cancelled_at = now
    pledge.updated_at = now
    session.add(pledge)
    history.sync_pledge_ids(session=session, ids=[pledge.id or 0], now=now)
    history.sync_assignments(session=session, where=col(Assignment.pledge_id) == pledge.id, now=now)
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
