"""Matching use cases: load, solve and write in one transaction, without races.

- SQLite: a write unit begins IMMEDIATE (the write lock at its first statement); a second run (or a pledge edit)
  waits for it. The full run starts late: it reads a snapshot and solves without the lock, then takes the lock
  for the write only and checks the database's data version (raised by every commit that writes a table matching
  reads): unchanged, it writes what it solved; changed, it solves again (the last attempt holds the lock through).
- PostgreSQL: a transaction-level advisory lock serialises matching runs' writes (the full run solves before taking
  it, as on SQLite), the pledges concerned are locked
  with SELECT ... FOR UPDATE (a concurrent raise waits or is seen), and the partial unique index
  "one holding assignment per worker" is the last line of defence. A conflict is retried, then reported.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, func, insert, or_, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session, col

from models import (
    HOLDING_STATUSES,
    Assignment,
    AssignmentStatus,
    Campaign,
    Company,
    Kelurahan,
    Pledge,
    PledgeKelurahan,
    PledgeStatus,
    Role,
    Worker,
)
from models.common import utcnow
from services.matching.core import UNKNOWN_DESIL, SolveStats, solve_detailed
from services.platform import audit, fmt, history
from services.platform.authz import Actor, require_company_access, require_role
from services.platform.bulk import copy_rows
from services.platform.db import READ, UNIT_OPTION
from services.platform.errors import ConflictError, NotFound
from services.platform.geo import bounding_box, haversine_km
from services.platform.ledger import month_has_payer, paid_by_others, sync_assignments

# A 64-bit key for pg_advisory_xact_lock: every matching run in the database takes it ("PAYUNG" in ASCII).
MATCHING_LOCK_KEY = 0x504159554E47
MAX_ATTEMPTS = 3
SUGGEST_MAX_KM = 25.0  # how far the "widen your area" advice looks
_CHUNK = 5_000  # ids per IN (...) list (SQLite's parameter limit)
_HOLDING = [s.value for s in HOLDING_STATUSES]
_FIXED = [AssignmentStatus.REGISTERED.value, AssignmentStatus.ACTIVE.value]
_NOT_MATCHABLE = [PledgeStatus.CANCELLED.value, PledgeStatus.EXPIRED.value, PledgeStatus.RENEWED.value]


@dataclass(frozen=True)
class MatchResult:
    pledge_id: int
    requested: int
    assigned_now: int
    total_assigned: int
    shortfall: int
    explanation: str


@dataclass(frozen=True)
class FullMatchResult:
    pledges: int  # pledges that took part
    assigned: int  # assignment rows created by this run (new workers and moved workers)
    moved: int  # proposed workers moved to another pledge
    released: int  # proposed workers that lost their place (back in the pool)
    kept: int  # proposed workers that stayed where they were
    unmatched_pledges: int  # pledges still short of their promise after the run
    seconds: float


@dataclass(frozen=True)
class Shortfall:
    pledge_id: int
    requested: int
    assigned: int
    eligible_in_area: int  # not covered elsewhere, in the area, occupation fits (held or free)
    taken_by_other_pledges: int
    free_in_area: int  # eligible and still free
    suggested_radius_km: float | None
    suggested_kelurahan: list[str]
    message: str


# ---------------------------------------------------------------------------------------------------------------
# Formatting (Indonesian)


_TENTH = Decimal("0.1")


@functools.lru_cache(maxsize=8192)
def _km_tenths(value: Decimal) -> str:
    return fmt.decimal(value)


def _km(x: float) -> str:
    """fmt.decimal(x), cached on the tenth Babel rounds to (it rounds Decimal(str(x)) half-even): a regency
    run writes ~400,000 of these into the reasons, and Babel takes ~25 µs each."""
    if not math.isfinite(x):
        return fmt.decimal(x)
    return _km_tenths(Decimal(str(x)).quantize(_TENTH, rounding=ROUND_HALF_EVEN))


def _reason(*, desil: float | None, distance_km: float, via: str, radius_km: float | None, kel_name: str) -> str:
    d = "desil tidak diketahui (dihitung 10)" if desil is None or pd.isna(desil) else f"desil {int(desil)}"
    if via == "radius" and radius_km is not None:
        where = f"{_km(distance_km)} km dari lokasi perusahaan, di dalam radius {_km(radius_km)} km"
    elif math.isfinite(distance_km):
        where = f"tinggal di kelurahan {kel_name} yang termasuk area ikrar ({_km(distance_km)} km dari lokasi)"
    else:
        where = f"tinggal di kelurahan {kel_name} yang termasuk area ikrar"
    text_ = f"Pekerja rentan {d}, {where}. Aturan: cakupan terbanyak, lalu paling rentan, lalu terdekat."
    return text_[:300]


# ---------------------------------------------------------------------------------------------------------------
# Locking and retries


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _lock(session: Session, pledge_ids: Sequence[int]) -> None:
    """Serialise matching runs. On SQLite the first statement already took the write lock (BEGIN IMMEDIATE)."""
    if _is_postgres(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MATCHING_LOCK_KEY})
        for chunk in _chunks(sorted(pledge_ids)):
            session.execute(
                select(col(Pledge.id)).where(col(Pledge.id).in_(chunk)).order_by(col(Pledge.id)).with_for_update()
            )
    else:
        session.execute(text("SELECT 1"))


def _chunks(ids: Sequence[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


class _StaleSnapshot(Exception):
    """A commit wrote what the matching run read while it solved: its answer is thrown away and it runs again."""


def _data_version_in(session: Session) -> int:
    """The data version as this transaction sees it (services.platform.dataversion: every commit that writes a
    worker, pledge, assignment, company, payer month or allocation raises it in the same transaction)."""
    return int(session.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar() or 0)


def _with_retry(session: Session, fn: Callable[[], Any]) -> Any:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return fn()
        except (IntegrityError, OperationalError, DBAPIError, _StaleSnapshot) as exc:
            session.rollback()
            if attempt == MAX_ATTEMPTS:
                raise ConflictError(
                    "Pencocokan bertabrakan dengan perubahan lain yang berjalan bersamaan. "
                    "Tunggu sebentar lalu jalankan lagi."
                ) from exc
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------------------------
# Loading


@dataclass
class _PledgeRow:
    id: int
    company_id: int
    requested: int
    status: str
    radius_km: float | None
    occupations: list[str]
    lat: float | None
    lon: float | None
    kelurahan_codes: list[str]
    matchable: bool


def _site_columns() -> tuple[Any, Any]:
    kel = Kelurahan.__table__.alias("site_kel")  # type: ignore[attr-defined]
    lat = case((col(Company.site_lat).is_(None), kel.c.rep_lat), else_=Company.site_lat)
    lon = case((col(Company.site_lon).is_(None), kel.c.rep_lon), else_=Company.site_lon)
    return (lat, lon), kel


def _load_pledges(session: Session, *, pledge_ids: Sequence[int] | None = None) -> list[_PledgeRow]:
    (lat, lon), kel = _site_columns()
    stmt = (
        select(
            col(Pledge.id),
            col(Pledge.company_id),
            col(Pledge.workers),
            col(Pledge.status),
            col(Pledge.radius_km),
            col(Pledge.occupations),
            lat,
            lon,
            col(Campaign.is_active),
        )
        .join(Company, col(Company.id) == Pledge.company_id)
        .join(Campaign, col(Campaign.id) == Pledge.campaign_id)
        .outerjoin(kel, kel.c.code == Company.kelurahan_code)
        .order_by(col(Pledge.id))
    )
    if pledge_ids is not None:
        stmt = stmt.where(col(Pledge.id).in_(list(pledge_ids)))
    else:
        stmt = stmt.where(col(Pledge.status).not_in(_NOT_MATCHABLE), col(Campaign.is_active).is_(True))
    rows = session.execute(stmt).all()
    ids = [r[0] for r in rows]
    codes: dict[int, list[str]] = {i: [] for i in ids}
    for chunk in _chunks(ids):
        for pid, code in session.execute(
            select(col(PledgeKelurahan.pledge_id), col(PledgeKelurahan.kelurahan_code))
            .where(col(PledgeKelurahan.pledge_id).in_(chunk))
            .order_by(col(PledgeKelurahan.pledge_id), col(PledgeKelurahan.kelurahan_code))
        ).all():
            codes[pid].append(code)
    return [
        _PledgeRow(
            id=r[0],
            company_id=r[1],
            requested=r[2],
            status=r[3],
            radius_km=r[4],
            occupations=list(r[5] or []),
            lat=r[6],
            lon=r[7],
            kelurahan_codes=codes[r[0]],
            matchable=r[3] not in _NOT_MATCHABLE and bool(r[8]),
        )
        for r in rows
    ]


def _holding_counts(session: Session, statuses: Sequence[str]) -> dict[int, int]:
    rows = session.execute(
        select(col(Assignment.pledge_id), func.count())
        .where(col(Assignment.status).in_(list(statuses)))
        .group_by(col(Assignment.pledge_id))
    ).all()
    return {int(p): int(n) for p, n in rows}


def _worker_frame(session: Session, *, where: list[Any]) -> pd.DataFrame:
    """Workers not covered elsewhere (or whose other cover has ended), with effective location and their holding
    assignment (if any)."""
    covered_now = and_(
        col(Worker.covered_elsewhere).is_(True),
        or_(col(Worker.covered_until).is_(None), col(Worker.covered_until) >= dt.date.today()),
    )
    missing = or_(col(Worker.lat).is_(None), col(Worker.lon).is_(None))
    lat = case((missing, Kelurahan.rep_lat), else_=Worker.lat)
    lon = case((missing, Kelurahan.rep_lon), else_=Worker.lon)
    stmt = (
        select(
            col(Worker.id),
            lat,
            lon,
            col(Worker.desil),
            col(Worker.occupation),
            col(Worker.kelurahan_code),
            col(Assignment.id),
            col(Assignment.pledge_id),
            col(Assignment.status),
        )
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .outerjoin(Assignment, and_(col(Assignment.worker_id) == Worker.id, col(Assignment.status).in_(_HOLDING)))
        .where(~covered_now, ~paid_by_others(from_month=dt.date.today()), *where)  # type: ignore[operator]
    )
    rows = session.execute(stmt).all()
    cols = ["worker_id", "lat", "lon", "desil", "occupation", "kelurahan_code", "assignment_id", "held_by", "status"]
    df = pd.DataFrame(rows, columns=cols)
    df = df.astype({"lat": "float64", "lon": "float64", "desil": "Float64"})
    return df


def free_workers(session: Session, *, first: dt.date, last: dt.date, today: dt.date) -> pd.DataFrame:
    """Workers no pledge holds and no payer pays in any month of [first, last] (the city allocation's pool)."""
    del today  # the other-payer filter of _worker_frame already reads from this month on
    return _worker_frame(
        session,
        where=[col(Assignment.id).is_(None), ~month_has_payer(from_month=first, to_month=last)],  # type: ignore[operator]
    )


def _area_filter(*, lat: float | None, lon: float | None, radius_km: float | None, codes: Sequence[str]) -> Any:
    """A SQL prefilter that contains the area (bounding box of the radius, or the kelurahan set)."""
    parts: list[Any] = []
    if radius_km is not None and lat is not None and lon is not None:
        lo_lat, hi_lat, lo_lon, hi_lon = bounding_box(lat, lon, radius_km)
        missing = or_(col(Worker.lat).is_(None), col(Worker.lon).is_(None))
        wlat = case((missing, Kelurahan.rep_lat), else_=Worker.lat)
        wlon = case((missing, Kelurahan.rep_lon), else_=Worker.lon)
        parts.append(and_(wlat.between(lo_lat, hi_lat), wlon.between(lo_lon, hi_lon)))
    if codes:
        parts.append(col(Worker.kelurahan_code).in_(list(codes)))
    return or_(*parts) if parts else text("1 = 0")


def _in_area(
    df: pd.DataFrame,
    *,
    lat: float | None,
    lon: float | None,
    radius_km: float | None,
    codes: Sequence[str],
    occupations: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    """(eligible mask, distance km) for a frame from _worker_frame, by the matching rules."""
    if lat is not None and lon is not None:
        dist = haversine_km(df["lat"].to_numpy(np.float64), df["lon"].to_numpy(np.float64), lat, lon)
    else:
        dist = np.full(len(df), np.nan)
    inside = (dist <= radius_km + 1e-9) if radius_km is not None else np.zeros(len(df), bool)
    if codes:
        inside |= df["kelurahan_code"].isin(list(codes)).to_numpy()
    if occupations:
        inside &= df["occupation"].isin(list(occupations)).to_numpy()
    return inside, dist


# ---------------------------------------------------------------------------------------------------------------
# Queries


def count_eligible(
    *,
    session: Session,
    lat: float,
    lon: float,
    radius_km: float | None,
    kelurahan_codes: list[str],
    occupations: list[str],
) -> int:
    """Unprotected workers (no holding assignment, not covered elsewhere) eligible for such an area."""
    where = [_area_filter(lat=lat, lon=lon, radius_km=radius_km, codes=kelurahan_codes), col(Assignment.id).is_(None)]
    if occupations:
        where.append(col(Worker.occupation).in_(list(occupations)))
    df = _worker_frame(session, where=where)
    mask, _ = _in_area(df, lat=lat, lon=lon, radius_km=radius_km, codes=kelurahan_codes, occupations=occupations)
    return int(mask.sum())


def explain_shortfall(*, session: Session, pledge_id: int, actor: Actor) -> Shortfall:
    pledge = session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound("Ikrar tidak ditemukan. Muat ulang halaman lalu pilih ikrar dari daftar.")
    require_company_access(actor, pledge.company_id, session=session, action="matching.explain")
    row = _load_pledges(session, pledge_ids=[pledge_id])[0]
    return _shortfall(session, row)


def _shortfall(session: Session, row: _PledgeRow) -> Shortfall:
    where = [_area_filter(lat=row.lat, lon=row.lon, radius_km=row.radius_km, codes=row.kelurahan_codes)]
    df = _worker_frame(session, where=where)
    mask, _ = _in_area(
        df, lat=row.lat, lon=row.lon, radius_km=row.radius_km, codes=row.kelurahan_codes, occupations=row.occupations
    )
    area = df[mask]
    held = area["held_by"]
    assigned = int(
        session.execute(
            select(func.count())
            .select_from(Assignment)
            .where(col(Assignment.pledge_id) == row.id, col(Assignment.status).in_(_HOLDING))
        ).scalar_one()
    )
    taken = int((held.notna() & (held != row.id)).sum())
    free = int(held.isna().sum())
    shortfall = max(row.requested - assigned, 0)
    need = max(shortfall - free, 1)
    radius, kel_names, kel_reach = (None, [], 0) if shortfall == 0 else _suggest(session, row, need=need)
    if shortfall == 0:
        message = f"Ikrar terpenuhi: {assigned} dari {row.requested} pekerja sudah dicocokkan."
    else:
        parts = [
            f"Baru {assigned} dari {row.requested} pekerja yang dijanjikan.",
            f"Di area ini ada {len(area)} pekerja rentan yang memenuhi syarat;",
            f"{taken} sudah diambil ikrar lain yang lebih dekat atau lebih dulu.",
        ]
        if free > 0:
            parts.append(f"{free} pekerja masih bebas: jalankan pencocokan untuk menambahkannya.")
        if radius is not None or kel_names:
            widen = []
            # Each alternative says what it reaches: the radius reaches the need, the kelurahan their sum.
            if radius is not None:
                widen.append(f"perluas radius menjadi {_km(radius)} km (menjangkau {fmt.number(need)} pekerja lagi)")
            if kel_names:
                reach = f"menjangkau {fmt.number(kel_reach)} pekerja lagi"
                widen.append(f"tambahkan kelurahan {_and(kel_names)} ({reach})")
            advice = " atau ".join(widen)  # not str.capitalize(): it would lowercase the kelurahan names
            parts.append(advice[:1].upper() + advice[1:] + ".")
        elif free == 0:
            parts.append(
                f"Tidak ada pekerja bebas lain dalam {_km(SUGGEST_MAX_KM)} km; "
                "kurangi jumlah pekerja atau hubungi admin Disnaker."
            )
        message = " ".join(parts)
    return Shortfall(
        pledge_id=row.id,
        requested=row.requested,
        assigned=assigned,
        eligible_in_area=len(area),
        taken_by_other_pledges=taken,
        free_in_area=free,
        suggested_radius_km=radius,
        suggested_kelurahan=kel_names,
        message=message,
    )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " dan " + names[-1]


def _suggest(session: Session, row: _PledgeRow, *, need: int) -> tuple[float | None, list[str], int]:
    """The radius (rounded up to 0.5 km) that would reach `need` more free workers, and the fewest kelurahan (up
    to 3, the largest pools among the 8 nearest) that together reach it — or come closest; with their reach."""
    if row.lat is None or row.lon is None:
        return None, [], 0
    where: list[Any] = [
        _area_filter(lat=row.lat, lon=row.lon, radius_km=SUGGEST_MAX_KM, codes=[]),
        col(Assignment.id).is_(None),
    ]
    if row.occupations:
        where.append(col(Worker.occupation).in_(row.occupations))
    df = _worker_frame(session, where=where)
    if df.empty:
        return None, [], 0
    inside, dist = _in_area(
        df, lat=row.lat, lon=row.lon, radius_km=row.radius_km, codes=row.kelurahan_codes, occupations=row.occupations
    )
    outside = (~inside) & (dist <= SUGGEST_MAX_KM)
    d_out = np.sort(dist[outside])
    radius = None
    if len(d_out) >= need:
        radius = math.ceil(d_out[need - 1] * 2.0) / 2.0
    extra = df[outside].assign(dist=dist[outside])
    nearest = extra.groupby("kelurahan_code").agg(n=("worker_id", "size"), d=("dist", "min")).sort_values(["d"]).head(8)
    codes: list[str] = []
    reach = 0
    for code, n in nearest.sort_values(["n", "d"], ascending=[False, True])["n"].items():
        if reach >= need or len(codes) == 3:
            break
        codes.append(str(code))
        reach += int(n)
    counts = {str(k): int(v) for k, v in nearest["n"].items()}
    names: dict[str, str] = dict(
        session.execute(select(col(Kelurahan.code), col(Kelurahan.name)).where(col(Kelurahan.code).in_(codes))).all()
    )
    return radius, [f"{names.get(c, c)} ({fmt.number(counts[c])} pekerja)" for c in codes], reach


# ---------------------------------------------------------------------------------------------------------------
# Commands


def match_pledge(*, session: Session, pledge_id: int, actor: Actor) -> MatchResult:
    """Fill one submitted or raised pledge from workers still free (its area only). Nothing else moves."""
    pledge = session.get(Pledge, pledge_id)
    if pledge is None:
        raise NotFound("Ikrar tidak ditemukan. Muat ulang halaman lalu pilih ikrar dari daftar.")
    # Admin, or the company that owns the pledge (viewers may not write).
    require_company_access(actor, pledge.company_id, session=session, action="matching.pledge", write=True)
    return _with_retry(session, lambda: _match_pledge(session, pledge_id, actor))  # type: ignore[no-any-return]


def _match_pledge(session: Session, pledge_id: int, actor: Actor) -> MatchResult:
    _lock(session, [pledge_id])
    row = _load_pledges(session, pledge_ids=[pledge_id])[0]
    held = _holding_counts(session, _HOLDING).get(pledge_id, 0)
    remaining = max(row.requested - held, 0)
    new: list[dict[str, Any]] = []
    if row.matchable and remaining > 0:
        where = [
            _area_filter(lat=row.lat, lon=row.lon, radius_km=row.radius_km, codes=row.kelurahan_codes),
            col(Assignment.id).is_(None),
        ]
        if row.occupations:
            where.append(col(Worker.occupation).in_(row.occupations))
        free = _worker_frame(session, where=where)
        pledges = _pledge_frame([row], {row.id: remaining})
        result = solve_detailed(free[["worker_id", "lat", "lon", "desil", "occupation", "kelurahan_code"]], pledges)
        new = _assignment_rows(session, result, {row.id: row}, free)
        _insert(session, new)
        sync_assignments(session=session, worker_ids=[r["worker_id"] for r in new])
        _mark_matched(session, [row.id] if new else [])
    audit.record(
        session=session,
        actor=actor,
        action="matching.pledge",
        entity="pledge",
        entity_id=pledge_id,
        assigned=len(new),
        remaining_before=remaining,
    )
    session.commit()
    # The explanation reads every worker in the area (and wider radii): after the commit, in a read transaction,
    # so the write lock (SQLite) or the matching lock (PostgreSQL) is held for the match and its write only.
    session.connection(execution_options={UNIT_OPTION: READ})
    sf = _shortfall(session, row)
    session.rollback()
    if not row.matchable:
        explanation = "Ikrar ini tidak ikut pencocokan (dibatalkan, berakhir, atau kampanyenya tidak aktif)."
    else:
        explanation = sf.message
    return MatchResult(
        pledge_id=pledge_id,
        requested=row.requested,
        assigned_now=len(new),
        total_assigned=sf.assigned,
        shortfall=max(row.requested - sf.assigned, 0),
        explanation=explanation,
    )


def run_full_match(
    *,
    session: Session,
    actor: Actor,
    progress: Callable[[int, int], None] | None = None,
    processes: int = 1,
) -> FullMatchResult:
    """Match every pledge with room left; proposed ('assigned') workers may move, registered ones never.

    `processes` > 1 (the batch command) solves independent pledge groups and builds big pair sets in forked
    worker processes (same answer as one process); the portal keeps 1: it does not fork its server."""
    require_role(actor, Role.ADMIN, session=session, action="matching.full")
    tries = iter(range(1, MAX_ATTEMPTS + 1))
    return _with_retry(  # type: ignore[no-any-return]
        session,
        lambda: _run_full_match(session, actor, progress, processes=processes, optimistic=next(tries) < MAX_ATTEMPTS),
    )


def _run_full_match(
    session: Session,
    actor: Actor,
    progress: Callable[[int, int], None] | None,
    stats: SolveStats | None = None,
    processes: int = 1,
    optimistic: bool = False,
) -> FullMatchResult:
    t0 = time.perf_counter()
    late = optimistic
    seen = 0
    if late:
        # Start late: read and solve without the lock (seconds at city scale, in which every pledge of the crowd
        # would wait: SQLite's write lock, PostgreSQL's matching lock). The write below takes the lock in a
        # transaction of its own and goes ahead only if the data version is the one read first: a login, an
        # audit row or a download committed meanwhile does not touch what matching read; a pledge or an import
        # does (every such commit raises the version in its transaction, so reads at different moments of
        # PostgreSQL's READ COMMITTED are consistent when it has not moved), and then _with_retry runs the whole
        # match again, the last attempt pessimistically (the lock first), so a busy day cannot starve it.
        session.connection(execution_options={UNIT_OPTION: READ})
        seen = _data_version_in(session)
    session.execute(text("SELECT 1"))  # SQLite: BEGIN IMMEDIATE now (unless late), before anything is read
    rows = _load_pledges(session)
    if not late:
        _lock(session, [r.id for r in rows])
        rows = _load_pledges(session)  # re-read under the lock: a raise committed meanwhile is seen
    by_id = {r.id: r for r in rows}
    fixed = _holding_counts(session, _FIXED)
    room = {r.id: max(r.requested - fixed.get(r.id, 0), 0) for r in rows}
    workers = _worker_frame(session, where=[])
    # The pool: free workers and proposed assignments of pledges that take part (those may be re-optimised).
    movable = (workers["status"] == AssignmentStatus.ASSIGNED.value) & workers["held_by"].isin(list(by_id))
    pool = workers[workers["status"].isna() | movable].copy()
    pool["current_pledge_id"] = pool["held_by"].where(movable[pool.index])
    pledges = _pledge_frame(rows, room)
    t_load = time.perf_counter()
    result = solve_detailed(
        pool[["worker_id", "lat", "lon", "desil", "occupation", "kelurahan_code", "current_pledge_id"]],
        pledges,
        progress=progress,
        stats=stats,
        processes=processes,
    )
    t_solve = time.perf_counter()
    if late:
        session.rollback()  # end the read; the lock for the write only (SQLite: the next statement begins IMMEDIATE)
        _lock(session, [r.id for r in rows])
        if _data_version_in(session) != seen:
            raise _StaleSnapshot
    current = pool.loc[movable[pool.index], ["worker_id", "held_by", "assignment_id"]]
    merged = current.merge(result[["worker_id", "pledge_id"]], on="worker_id", how="left")
    stay = merged["pledge_id"] == merged["held_by"]
    moved_mask = merged["pledge_id"].notna() & ~stay
    released_mask = merged["pledge_id"].isna()
    to_release = merged.loc[~stay, "assignment_id"].astype(int).tolist()
    keep_workers = set(merged.loc[stay, "worker_id"].astype(int))
    fresh = result[~result["worker_id"].isin(keep_workers)]
    _release(session, to_release)
    new = _assignment_rows(session, fresh, by_id, pool)
    _insert(session, new)
    sync_assignments(session=session, worker_ids=[*merged.loc[~stay, "worker_id"], *(r["worker_id"] for r in new)])
    holding = _holding_counts(session, _HOLDING)
    _mark_matched(session, [pid for pid in by_id if holding.get(pid, 0) > 0])
    unmatched = sum(1 for r in rows if holding.get(r.id, 0) < r.requested)
    seconds = time.perf_counter() - t0
    audit.record(
        session=session,
        actor=actor,
        action="matching.full",
        entity="matching",
        entity_id="",
        pledges=len(rows),
        assigned=len(new),
        moved=int(moved_mask.sum()),
        released=int(released_mask.sum()),
        kept=int(stay.sum()),
        seconds=round(seconds, 2),
    )
    session.commit()
    if stats is not None:
        stats.extra.update(load_s=t_load - t0, persist_s=time.perf_counter() - t_solve)
    return FullMatchResult(
        pledges=len(rows),
        assigned=len(new),
        moved=int(moved_mask.sum()),
        released=int(released_mask.sum()),
        kept=int(stay.sum()),
        unmatched_pledges=unmatched,
        seconds=round(time.perf_counter() - t0, 3),
    )


# ---------------------------------------------------------------------------------------------------------------
# Writing


def _pledge_frame(rows: Sequence[_PledgeRow], room: dict[int, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pledge_id": [r.id for r in rows],
            "lat": [np.nan if r.lat is None else r.lat for r in rows],
            "lon": [np.nan if r.lon is None else r.lon for r in rows],
            "capacity": [room.get(r.id, 0) if r.matchable else 0 for r in rows],
            "radius_km": [np.nan if r.radius_km is None else r.radius_km for r in rows],
            "kelurahan_codes": [r.kelurahan_codes for r in rows],
            "occupations": [r.occupations for r in rows],
        }
    )


def _assignment_rows(
    session: Session, result: pd.DataFrame, pledges: dict[int, _PledgeRow], workers: pd.DataFrame
) -> list[dict[str, Any]]:
    if result.empty:
        return []
    # Column lookups once (vectorised), not per row: a regency run writes ~200,000 rows.
    info = workers.drop_duplicates("worker_id").set_index("worker_id")
    wids = result["worker_id"].to_numpy()
    desils = info["desil"].reindex(wids).tolist()
    kels = info["kelurahan_code"].reindex(wids).astype(str).tolist()
    kel_codes = sorted(set(kels))
    names: dict[str, str] = {}
    for chunk in _chunks(kel_codes):
        names.update(
            session.execute(
                select(col(Kelurahan.code), col(Kelurahan.name)).where(col(Kelurahan.code).in_(chunk))
            ).all()
        )
    now = utcnow()
    out = []
    for wid, pid, dist, via, raw, kel in zip(
        wids.tolist(),
        result["pledge_id"].tolist(),
        result["distance_km"].tolist(),
        result["via"].tolist(),
        desils,
        kels,
        strict=True,
    ):
        desil = None if raw is None or pd.isna(raw) else int(raw)
        p = pledges[int(pid)]
        out.append(
            {
                "worker_id": int(wid),
                "pledge_id": int(pid),
                "distance_km": None if dist is None or not math.isfinite(dist) else round(float(dist), 3),
                "desil_at_match": desil,
                "reason": _reason(
                    desil=desil, distance_km=float(dist), via=via, radius_km=p.radius_km, kel_name=names.get(kel, kel)
                ),
                "status": AssignmentStatus.ASSIGNED.value,
                "created_at": now,
                "updated_at": now,
            }
        )
    return out


_COPY_MIN_ROWS = 1  # PostgreSQL: COPY instead of INSERT (always, so the race tests exercise it too)
_ASSIGNMENT_COLUMNS = [
    "worker_id",
    "pledge_id",
    "distance_km",
    "desil_at_match",
    "reason",
    "status",
    "created_at",
    "updated_at",
]


def _insert(session: Session, rows: list[dict[str, Any]]) -> None:
    if _is_postgres(session) and len(rows) >= _COPY_MIN_ROWS:
        _copy_assignments(session, rows)
    else:
        for i in range(0, len(rows), _CHUNK):
            session.execute(insert(Assignment), rows[i : i + _CHUNK])
    # The new proposals open their history in the same transaction (their pledges' other rows are no-ops).
    for chunk in history.chunks(r["pledge_id"] for r in rows):
        history.sync_assignments(
            session=session,
            where=col(Assignment.pledge_id).in_(chunk) & (col(Assignment.status) == AssignmentStatus.ASSIGNED.value),
            now=rows[0]["created_at"],
        )


def _copy_assignments(session: Session, rows: list[dict[str, Any]]) -> None:
    """COPY ... FROM STDIN on the session's own connection (same transaction, same constraints)."""
    copy_rows(session, "assignment", _ASSIGNMENT_COLUMNS, rows)


def _release(session: Session, assignment_ids: Sequence[int]) -> None:
    now = utcnow()
    for chunk in _chunks(sorted(assignment_ids)):
        session.execute(
            update(Assignment)
            .where(col(Assignment.id).in_(chunk), col(Assignment.status) == AssignmentStatus.ASSIGNED.value)
            .values(status=AssignmentStatus.RELEASED.value, updated_at=now)
        )
    history.sync_assignment_ids(session=session, ids=assignment_ids, now=now)


def _mark_matched(session: Session, pledge_ids: Sequence[int]) -> None:
    now = utcnow()
    for chunk in _chunks(sorted(pledge_ids)):
        session.execute(
            update(Pledge)
            .where(col(Pledge.id).in_(chunk), col(Pledge.status) == PledgeStatus.SUBMITTED.value)
            .values(status=PledgeStatus.MATCHED.value, updated_at=now)
        )
    history.sync_pledge_ids(session=session, ids=pledge_ids, now=now)


__all__ = [
    "UNKNOWN_DESIL",
    "FullMatchResult",
    "MatchResult",
    "Shortfall",
    "count_eligible",
    "explain_shortfall",
    "match_pledge",
    "run_full_match",
]
