"""The city's budget (APBD Kota) as an allocation, filled by the same exact optimisation as the pledges.

An allocation is the year's budget for covering workers: Rupiah or workers, over whole months, with a budget line
and the Perwal that authorises it. Its rules: citywide, the lowest desil first, optional kecamatan quotas. It is
filled AFTER the companies' pledges (docs/matching.md §8): only workers with no payer in any of its months and
no pledge holding them are candidates. Each kecamatan quota is one place-holder "pledge" over that kecamatan's
kelurahan; the rest of the places is one citywide place-holder; `core.solve` then gives the lexicographic
optimum (most workers, then the smallest desil sum, then the nearest to the kecamatan office / the city centre).
Preview reads and writes nothing; commit writes the workers' months to the payer ledger in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from models import Allocation, AllocationStatus, Campaign, CoverMonth, Kecamatan, Kelurahan, PayerKind, Role, Worker
from models.common import utcnow
from services.matching.core import solve
from services.matching.service import MATCHING_LOCK_KEY, free_workers
from services.platform import audit, fmt
from services.platform.authz import Actor, require_role
from services.platform.dates import month_start
from services.platform.errors import ConflictError, NotFound, ValidationError
from services.platform.ledger import Cover, months_between, write_cover

MAX_MONTHS = 24
CITYWIDE = "citywide"
_DEFAULT_PREMIUM = 16_800


@dataclass(frozen=True)
class AllocationDraft:
    year: int
    budget_line: str
    perwal_number: str
    start_month: dt.date
    end_month: dt.date
    amount_rupiah: int | None = None  # give the Rupiah...
    workers: int | None = None  # ...or the workers
    kecamatan_quotas: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AllocationPreview:
    allocation_id: int
    places: int  # workers the budget pays for
    covered: int  # workers the fill gives cover to
    months: int
    first_month: dt.date
    last_month: dt.date
    by_kecamatan: pd.DataFrame  # kecamatan, quota, covered
    by_desil: pd.DataFrame  # desil ("?" unknown), covered
    places_left: int  # places no eligible worker could take (budget left)
    unfunded_workers: int  # workers still without any payer in these months after the fill
    unfunded_rupiah: int  # what covering them for these months would cost
    committed: bool
    worker_ids: list[int] = field(default_factory=list, repr=False)


def _premium(session: Session) -> int:
    value = session.execute(
        select(col(Campaign.premium_jkk_jkm)).where(col(Campaign.is_active).is_(True)).order_by(col(Campaign.id).desc())
    ).scalar()
    return int(value) if value is not None else _DEFAULT_PREMIUM


def validate_draft(draft: AllocationDraft, *, premium: int, kecamatan: Sequence[str]) -> tuple[int, int]:
    """(places, months) of a draft, or ValidationError with what to fix (pure: unit-tested)."""
    if not 2000 <= draft.year <= 2100:
        raise ValidationError("Tahun anggaran tidak masuk akal: isi misalnya 2025.")
    if not draft.budget_line.strip():
        raise ValidationError("Mata anggaran (kode rekening DPA) kosong: isi dari dokumen anggaran.")
    if not draft.perwal_number.strip():
        raise ValidationError("Nomor Perwal kosong: isi nomor Peraturan Wali Kota yang menjadi dasarnya.")
    start, end = month_start(draft.start_month), month_start(draft.end_month)
    if end < start:
        raise ValidationError("Bulan berakhir sebelum bulan mulai: periksa keduanya.")
    months = len(months_between(start, end))
    if months > MAX_MONTHS:
        raise ValidationError(f"Satu alokasi paling lama {MAX_MONTHS} bulan: pecah menjadi dua alokasi.")
    given = [v for v in (draft.amount_rupiah, draft.workers) if v is not None]
    if len(given) != 1:
        raise ValidationError("Isi salah satu saja: jumlah Rupiah atau jumlah pekerja.")
    if any(v < 0 for v in given):
        raise ValidationError("Jumlah tidak boleh negatif.")
    if draft.amount_rupiah is not None:
        per_worker = premium * months
        places = draft.amount_rupiah // per_worker if per_worker else 0
        if places < 1:
            raise ValidationError(
                f"Anggaran {fmt.rupiah(draft.amount_rupiah)} belum cukup untuk satu pekerja selama {months} bulan "
                f"({fmt.rupiah(per_worker)})."
            )
    else:
        places = int(draft.workers or 0)
        if places < 1:
            raise ValidationError("Jumlah pekerja minimal 1.")
    unknown = sorted(set(draft.kecamatan_quotas) - set(kecamatan))
    if unknown:
        raise ValidationError(f"Kecamatan tidak dikenal: {', '.join(unknown)}. Pilih dari daftar.")
    if any(int(q) < 0 for q in draft.kecamatan_quotas.values()):
        raise ValidationError("Kuota kecamatan tidak boleh negatif.")
    if sum(int(q) for q in draft.kecamatan_quotas.values()) > places:
        raise ValidationError(
            f"Jumlah kuota kecamatan melebihi {fmt.number(places)} pekerja yang dibiayai: kurangi kuotanya."
        )
    return places, months


def record_allocation(*, session: Session, actor: Actor, draft: AllocationDraft) -> int:
    """Save a draft allocation (nothing is filled yet). Returns its id."""
    require_role(actor, Role.ADMIN, session=session, action="allocation.create")
    codes = list(session.execute(select(col(Kecamatan.code))).scalars())
    premium = _premium(session)
    places, _ = validate_draft(draft, premium=premium, kecamatan=codes)
    row = Allocation(
        year=draft.year,
        budget_line=draft.budget_line.strip()[:160],
        perwal_number=draft.perwal_number.strip()[:80],
        amount_rupiah=draft.amount_rupiah,
        workers=places,
        start_month=month_start(draft.start_month),
        end_month=month_start(draft.end_month),
        premium_per_worker_month=premium,
        kecamatan_quotas={k: int(v) for k, v in sorted(draft.kecamatan_quotas.items()) if int(v) > 0},
        created_by=actor.username[:60],
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="allocation.create",
        entity="allocation",
        entity_id=row.id,
        year=row.year,
        workers=places,
        perwal=row.perwal_number,
    )
    session.commit()
    return int(row.id or 0)


def record_from_form(
    *,
    session: Session,
    actor: Actor,
    year: int,
    budget_line: str,
    perwal_number: str,
    start_month: dt.date,
    end_month: dt.date,
    by_rupiah: bool,
    amount_text: str,
    kecamatan_quotas: Mapping[str, int] | None = None,
) -> int:
    """The admin's form as typed: the amount as text ('1.000', 'Rp 2.016.000.000'), Rupiah or workers."""
    cleaned = amount_text.strip().lower().removeprefix("rp").strip()
    try:
        amount = fmt.parse_whole(cleaned)
    except ValueError:
        what = "Rupiah" if by_rupiah else "pekerja"
        raise ValidationError(
            f"Jumlah {what} '{amount_text}' tidak terbaca: tulis angka bulat, misalnya 1.000."
        ) from None
    quotas = {k: int(v) for k, v in (kecamatan_quotas or {}).items() if v}
    draft = AllocationDraft(
        year=year,
        budget_line=budget_line,
        perwal_number=perwal_number,
        start_month=start_month,
        end_month=end_month,
        amount_rupiah=amount if by_rupiah else None,
        workers=None if by_rupiah else amount,
        kecamatan_quotas=quotas,
    )
    return record_allocation(session=session, actor=actor, draft=draft)


def kecamatan_options(*, session: Session) -> pd.DataFrame:
    """Code and name of every kecamatan (for the quota table)."""
    rows = session.execute(select(col(Kecamatan.code), col(Kecamatan.name)).order_by(col(Kecamatan.name))).all()
    return pd.DataFrame(rows, columns=["kode", "kecamatan"])


def place_holders(
    *,
    places: int,
    quotas: Mapping[str, int],
    areas: Mapping[str, tuple[float, float, list[str]]],
    centre: tuple[float, float],
) -> tuple[pd.DataFrame, dict[int, str]]:
    """The allocation as pledges for `core.solve`: one per kecamatan quota (that kecamatan's kelurahan, sited at
    its centre), one citywide for the rest (every kelurahan, sited at the city centre). Pure."""
    rows: list[dict[str, object]] = []
    names: dict[int, str] = {}
    for i, code in enumerate(sorted(k for k, q in quotas.items() if q > 0), start=1):
        lat, lon, kel = areas[code]
        rows.append(dict(pledge_id=i, lat=lat, lon=lon, capacity=int(quotas[code]), kelurahan_codes=kel))
        names[i] = code
    rest = places - sum(int(q) for q in quotas.values())
    every = sorted(k for _, _, kel in areas.values() for k in kel)
    rows.append(
        dict(pledge_id=len(rows) + 1, lat=centre[0], lon=centre[1], capacity=max(rest, 0), kelurahan_codes=every)
    )
    names[len(rows)] = CITYWIDE
    frame = pd.DataFrame(rows)
    frame["radius_km"] = np.nan
    frame["occupations"] = [[] for _ in range(len(frame))]
    return frame[["pledge_id", "lat", "lon", "capacity", "radius_km", "kelurahan_codes", "occupations"]], names


def _load(session: Session, allocation_id: int) -> Allocation:
    row = session.get(Allocation, allocation_id)
    if row is None:
        raise NotFound("Alokasi tidak ditemukan: muat ulang halaman lalu pilih dari daftar.")
    return row


def _fill(session: Session, row: Allocation, today: dt.date) -> AllocationPreview:
    first = max(row.start_month, month_start(today))
    last = row.end_month
    months = len(months_between(first, last))
    kec = session.execute(select(col(Kecamatan.code), col(Kecamatan.lat), col(Kecamatan.lon))).all()
    kel = session.execute(select(col(Kelurahan.code), col(Kelurahan.kecamatan_code))).all()
    areas = {code: (float(lat), float(lon), sorted(k for k, kc in kel if kc == code)) for code, lat, lon in kec}
    centre = (float(np.mean([a[0] for a in areas.values()])), float(np.mean([a[1] for a in areas.values()])))
    pledges, _ = place_holders(places=row.workers, quotas=row.kecamatan_quotas, areas=areas, centre=centre)
    workers = free_workers(session, first=first, last=last, today=today)
    if row.status == AllocationStatus.COMMITTED.value:  # what it did: its workers, from the ledger
        mine = select(col(CoverMonth.worker_id)).where(col(CoverMonth.allocation_id) == row.id).distinct()
        result = pd.DataFrame(
            session.execute(
                select(col(Worker.id), col(Worker.desil), col(Worker.kelurahan_code)).where(col(Worker.id).in_(mine))
            ).all(),
            columns=["worker_id", "desil", "kelurahan_code"],
        )
    elif workers.empty or not months:
        result = pd.DataFrame(columns=["worker_id", "desil", "kelurahan_code"])
    else:
        result = solve(workers[["worker_id", "lat", "lon", "desil", "occupation", "kelurahan_code"]], pledges)
        result = result.merge(workers[["worker_id", "kelurahan_code"]], on="worker_id")
    free = len(workers) if months else 0
    kec_of = dict(kel)
    covered_kec = pd.Series([kec_of[k] for k in result["kelurahan_code"]], dtype=object).value_counts()
    kec_names = dict(session.execute(select(col(Kecamatan.code), col(Kecamatan.name))).all())
    by_kec = pd.DataFrame(
        {
            "kecamatan": [kec_names[c] for c in sorted(kec_names)],
            "kuota": [int(row.kecamatan_quotas.get(c, 0)) for c in sorted(kec_names)],
            "pekerja": [int(covered_kec.get(c, 0)) for c in sorted(kec_names)],
        }
    )
    desil = result["desil"] if len(result) else pd.Series(dtype="Float64")
    labels = ["?" if pd.isna(d) else str(int(d)) for d in desil]
    by_desil = pd.Series(labels, dtype=object).value_counts().rename_axis("desil").reset_index(name="pekerja")
    by_desil = by_desil.sort_values("desil", key=lambda s: s.map(lambda v: 99 if v == "?" else int(v)))
    covered = len(result)
    unfunded = free - (0 if row.status == AllocationStatus.COMMITTED.value else covered)
    return AllocationPreview(
        allocation_id=int(row.id or 0),
        places=row.workers,
        covered=covered,
        months=months,
        first_month=first,
        last_month=last,
        by_kecamatan=by_kec,
        by_desil=by_desil.reset_index(drop=True),
        places_left=row.workers - covered,
        unfunded_workers=unfunded,
        unfunded_rupiah=unfunded * months * row.premium_per_worker_month,
        committed=row.status == AllocationStatus.COMMITTED.value,
        worker_ids=sorted(int(w) for w in result["worker_id"]),
    )


def preview_allocation(
    *, session: Session, actor: Actor, allocation_id: int, today: dt.date | None = None
) -> AllocationPreview:
    """What committing would do now: how many workers, where, which desil, what stays unfunded. Writes nothing."""
    require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="allocation.preview")
    row = _load(session, allocation_id)
    try:
        return _fill(session, row, today or dt.date.today())
    finally:
        session.rollback()


def commit_allocation(
    *, session: Session, actor: Actor, allocation_id: int, today: dt.date | None = None
) -> AllocationPreview:
    """Fill the allocation and write its workers' months to the payer ledger, in one transaction."""
    require_role(actor, Role.ADMIN, session=session, action="allocation.commit")
    today = today or dt.date.today()
    try:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MATCHING_LOCK_KEY})
        else:
            session.execute(text("SELECT 1"))  # SQLite: BEGIN IMMEDIATE before anything is read
        row = _load(session, allocation_id)
        if row.status == AllocationStatus.COMMITTED.value:
            raise ValidationError("Alokasi ini sudah dijalankan. Lihat hasilnya di daftar alokasi.")
        out = _fill(session, row, today)
        months = months_between(out.first_month, out.last_month)
        write_cover(
            session=session,
            covers=[Cover(w, PayerKind.CITY_BUDGET.value, months, allocation_id=allocation_id) for w in out.worker_ids],
        )
        row.status, row.filled, row.committed_at = AllocationStatus.COMMITTED.value, out.covered, utcnow()
        session.add(row)
        audit.record(
            session=session,
            actor=actor,
            action="allocation.commit",
            entity="allocation",
            entity_id=allocation_id,
            workers=out.covered,
            places_left=out.places_left,
            first_month=out.first_month.isoformat(),
            last_month=out.last_month.isoformat(),
        )
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(
            "Sebagian pekerja baru saja mendapat penanggung lain saat alokasi diisi. Tidak ada yang tersimpan: "
            "lihat pratinjau lagi lalu jalankan ulang."
        ) from exc
    except Exception:
        session.rollback()
        raise
    return AllocationPreview(**{**out.__dict__, "committed": True})


def list_allocations(*, session: Session, actor: Actor) -> pd.DataFrame:
    """Every allocation, newest first, with its state (for the admin's page)."""
    require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="allocation.list")
    rows = session.execute(
        select(
            col(Allocation.id),
            col(Allocation.year),
            col(Allocation.perwal_number),
            col(Allocation.budget_line),
            col(Allocation.workers),
            col(Allocation.start_month),
            col(Allocation.end_month),
            col(Allocation.status),
            col(Allocation.filled),
        ).order_by(col(Allocation.id).desc())
    ).all()
    return pd.DataFrame(
        rows,
        columns=["id", "tahun", "perwal", "mata_anggaran", "pekerja", "mulai", "sampai", "status", "terisi"],
    )


def allocated_workers(*, session: Session, year: int) -> int:
    """Workers the committed allocations of a year cover."""
    value = session.execute(
        select(func.coalesce(func.sum(col(Allocation.filled)), 0)).where(
            col(Allocation.year) == year, col(Allocation.status) == AllocationStatus.COMMITTED.value
        )
    ).scalar()
    return int(value or 0)
