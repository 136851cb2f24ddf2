"""Coverage per kelurahan (the map) and the gaps: unprotected eligible workers that no open pledge's area
reaches, what covering them would cost the city, and which companies near each gap have not answered yet.

Counting is SQL (`group_by` kelurahan). The one geometric question - is this worker inside some open pledge's
radius? - cannot be asked portably in SQL (SQLite has no trigonometry), so only the unprotected workers outside
every open pledge's kelurahan set are read, as (kelurahan, lat, lon) and nothing else, and tested with KD-trees,
one per distinct radius (exact haversine decisions as in matching). A pledge's occupation preference is not part
of its area: a worker inside the area but of another occupation is counted as reached (someone is working there).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from sqlalchemy import and_, case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from models import (
    HOLDING_STATUSES,
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
    Worker,
)
from services.insight.dashboard import active_campaign
from services.insight.headline import CITY_ROLES
from services.platform.authz import Actor, require_role
from services.platform.geo import chord_for_km, haversine_km, unit_xyz

MONTHS = 12
PROCESS_STATUSES = (AssignmentStatus.ASSIGNED, AssignmentStatus.REGISTERED)
NEAREST = 3  # companies suggested per gap
COVERAGE_COLUMNS = [
    "kelurahan_code",
    "kelurahan",
    "kecamatan",
    "workers",
    "eligible",
    "protected",
    "in_process",
    "unprotected",
    "gap",
    "share_protected",
]


@dataclass(frozen=True)
class Gaps:
    premium: int
    months: int
    workers: int  # unprotected eligible workers no open pledge reaches, city-wide
    budget: int  # Rupiah to cover them for `months` months at `premium`
    by_kelurahan: pd.DataFrame  # kelurahan_code, kelurahan, kecamatan, gap, budget (gap > 0 only)
    nearest: pd.DataFrame  # kelurahan_code, kelurahan, company, sector, distance_km, rank


def _open_pledges(session: Session, campaign_id: int) -> tuple[pd.DataFrame, set[str]]:
    """Sites and radii of the active campaign's open pledges, and the union of their kelurahan sets."""
    site_kel = Kelurahan.__table__.alias("site_kel")  # type: ignore[attr-defined]
    lat = func.coalesce(col(Company.site_lat), site_kel.c.rep_lat)
    lon = func.coalesce(col(Company.site_lon), site_kel.c.rep_lon)
    rows = session.execute(
        sa_select(col(Pledge.radius_km), lat, lon)
        .join(Company, col(Company.id) == Pledge.company_id)
        .outerjoin(site_kel, site_kel.c.code == Company.kelurahan_code)
        .where(col(Pledge.campaign_id) == campaign_id, col(Pledge.status).in_(OPEN_PLEDGE_STATUSES))
        .where(col(Pledge.radius_km).is_not(None))
    ).all()
    sites = pd.DataFrame(rows, columns=["radius_km", "lat", "lon"]).dropna()
    codes = session.exec(
        select(PledgeKelurahan.kelurahan_code)
        .join(Pledge, col(Pledge.id) == PledgeKelurahan.pledge_id)
        .where(Pledge.campaign_id == campaign_id, col(Pledge.status).in_(OPEN_PLEDGE_STATUSES))
        .distinct()
    ).all()
    return sites, set(codes)


def unreached_mask(workers: pd.DataFrame, sites: pd.DataFrame) -> np.ndarray:
    """True where a worker (lat, lon) lies outside every site's radius (pure; exact at the boundary)."""
    free = np.ones(len(workers), dtype=bool)
    if workers.empty or sites.empty:
        return free
    wlat = workers["lat"].to_numpy(np.float64)
    wlon = workers["lon"].to_numpy(np.float64)
    for radius_key, group in sites.groupby("radius_km", sort=True):
        radius = float(radius_key)  # type: ignore[arg-type]
        todo = np.flatnonzero(free)
        if not len(todo):
            break
        tree = cKDTree(unit_xyz(group["lat"].to_numpy(np.float64), group["lon"].to_numpy(np.float64)))
        # Nearest site of this radius, with a little slack; the decision itself is haversine's.
        chord, nearest = tree.query(
            unit_xyz(wlat[todo], wlon[todo]), k=1, distance_upper_bound=float(chord_for_km(radius * 1.0001 + 1e-6))
        )
        found = np.isfinite(chord)
        idx, site = todo[found], nearest[found]
        km = haversine_km(wlat[idx], wlon[idx], group["lat"].to_numpy()[site], group["lon"].to_numpy()[site])
        free[idx[km <= radius + 1e-9]] = False
    return free


def _gap_by_kelurahan(session: Session, campaign: Campaign) -> pd.Series:
    assert campaign.id is not None
    sites, kelurahan_set = _open_pledges(session, campaign.id)
    holding = select(Assignment.worker_id).where(col(Assignment.status).in_(HOLDING_STATUSES))
    located = and_(col(Worker.lat).is_not(None), col(Worker.lon).is_not(None))
    where = [col(Worker.covered_elsewhere).is_(False), col(Worker.id).not_in(holding)]
    if kelurahan_set:
        where.append(col(Worker.kelurahan_code).not_in(sorted(kelurahan_set)))
    # Workers without coordinates stand at their kelurahan's inside point, as in matching.
    rows = session.execute(
        sa_select(
            col(Worker.kelurahan_code),
            case((located, Worker.lat), else_=Kelurahan.rep_lat),
            case((located, Worker.lon), else_=Kelurahan.rep_lon),
        )
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .where(*where)
    ).all()
    df = pd.DataFrame(rows, columns=["kelurahan_code", "lat", "lon"])
    free = unreached_mask(df, sites)
    return df.loc[free, "kelurahan_code"].value_counts()


def coverage_by_kelurahan(*, session: Session, actor: Actor) -> pd.DataFrame:
    """Per kelurahan: registry size, eligible (not covered elsewhere), protected (card, cover running), in
    process (matched or registered), unprotected eligible, gap (unprotected that no open pledge reaches) and the
    share protected of the eligible.

    Two single-scan aggregates (workers per kelurahan; holding assignments per kelurahan and status) instead of
    one outer join of every worker to its assignment: 4x faster on SQLite at 200,000 workers."""
    require_role(actor, *CITY_ROLES, session=session, action="insight.coverage")
    eligible = func.sum(case((col(Worker.covered_elsewhere).is_(False), 1), else_=0))
    registry = dict(
        (code, (int(n), int(e)))
        for code, n, e in session.execute(
            sa_select(col(Worker.kelurahan_code), func.count(), eligible).group_by(col(Worker.kelurahan_code))
        ).all()
    )
    held: dict[tuple[str, str], int] = {}
    for code, status, n in session.execute(
        sa_select(col(Worker.kelurahan_code), col(Assignment.status), eligible)
        .join(Worker, col(Worker.id) == Assignment.worker_id)
        .where(col(Assignment.status).in_(HOLDING_STATUSES))
        .group_by(col(Worker.kelurahan_code), col(Assignment.status))
    ).all():
        held[(code, status)] = int(n)
    places = session.execute(
        sa_select(col(Kelurahan.code), col(Kelurahan.name), col(Kecamatan.name))
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .order_by(col(Kelurahan.code))
    ).all()
    df = pd.DataFrame(places, columns=["kelurahan_code", "kelurahan", "kecamatan"])
    codes = df["kelurahan_code"]
    df["workers"] = [registry.get(c, (0, 0))[0] for c in codes]
    df["eligible"] = [registry.get(c, (0, 0))[1] for c in codes]
    df["protected"] = [held.get((c, AssignmentStatus.ACTIVE), 0) for c in codes]
    df["in_process"] = [sum(held.get((c, s), 0) for s in PROCESS_STATUSES) for c in codes]
    df["unprotected"] = df["eligible"] - df["protected"] - df["in_process"]
    campaign = active_campaign(session=session)
    # Without a campaign no pledge reaches anyone: every unprotected worker is in the gap.
    unreached = df.set_index("kelurahan_code")["unprotected"]
    gap = unreached if campaign is None else _gap_by_kelurahan(session, campaign)
    df["gap"] = df["kelurahan_code"].map(gap).fillna(0).astype(int)
    df["share_protected"] = (df["protected"] / df["eligible"].where(df["eligible"] > 0)).astype(float)
    return df[COVERAGE_COLUMNS]


def by_kecamatan(coverage: pd.DataFrame) -> pd.DataFrame:
    """The kelurahan table summed per kecamatan (pure)."""
    counts = ["workers", "eligible", "protected", "in_process", "unprotected", "gap"]
    out = coverage.groupby("kecamatan", sort=True)[counts].sum().reset_index()
    out["share_protected"] = (out["protected"] / out["eligible"].where(out["eligible"] > 0)).astype(float)
    return out


def nearest_non_responders(
    session: Session, campaign_id: int, kelurahan_codes: list[str], *, k: int = NEAREST
) -> pd.DataFrame:
    """The k recipients that have not answered, nearest to each kelurahan's inside point (site to point)."""
    columns = ["kelurahan_code", "kelurahan", "company", "sector", "distance_km", "rank"]
    site_kel = Kelurahan.__table__.alias("site_kel")  # type: ignore[attr-defined]
    companies = pd.DataFrame(
        session.execute(
            sa_select(
                col(Company.name),
                col(Company.sector),
                func.coalesce(col(Company.site_lat), site_kel.c.rep_lat),
                func.coalesce(col(Company.site_lon), site_kel.c.rep_lon),
            )
            .join(LetterRecipient, col(LetterRecipient.company_id) == Company.id)
            .outerjoin(site_kel, site_kel.c.code == Company.kelurahan_code)
            .where(col(LetterRecipient.campaign_id) == campaign_id, col(LetterRecipient.responded_at).is_(None))
            .order_by(col(Company.id))
        ).all(),
        columns=["company", "sector", "lat", "lon"],
    ).dropna(subset=["lat", "lon"])
    if companies.empty or not kelurahan_codes:
        return pd.DataFrame(columns=columns)
    places = pd.DataFrame(
        session.execute(
            sa_select(col(Kelurahan.code), col(Kelurahan.name), col(Kelurahan.rep_lat), col(Kelurahan.rep_lon)).where(
                col(Kelurahan.code).in_(kelurahan_codes)
            )
        ).all(),
        columns=["kelurahan_code", "kelurahan", "lat", "lon"],
    )
    out = []
    clat, clon = companies["lat"].to_numpy(np.float64), companies["lon"].to_numpy(np.float64)
    for code, name, lat, lon in places.itertuples(index=False, name=None):
        km = haversine_km(clat, clon, float(lat), float(lon))
        order = np.argsort(km, kind="stable")[:k]
        for rank, i in enumerate(order, start=1):
            row = companies.iloc[int(i)]
            out.append((code, name, row["company"], row["sector"], float(km[i]), rank))
    return pd.DataFrame(out, columns=columns)


def gaps(*, session: Session, actor: Actor, coverage: pd.DataFrame | None = None, top: int = 15) -> Gaps | None:
    """The gaps and their 12-month budget at the campaign's JKK + JKM premium; who to ask next for the `top`
    largest. Pass `coverage` (from coverage_by_kelurahan) to avoid computing it twice."""
    require_role(actor, *CITY_ROLES, session=session, action="insight.gaps")
    campaign = active_campaign(session=session)
    if campaign is None:
        return None
    assert campaign.id is not None
    if coverage is None:
        coverage = coverage_by_kelurahan(session=session, actor=actor)
    premium = campaign.premium_jkk_jkm
    table = coverage.loc[coverage["gap"] > 0, ["kelurahan_code", "kelurahan", "kecamatan", "gap"]].copy()
    table["budget"] = table["gap"] * MONTHS * premium
    table = table.sort_values(["gap", "kelurahan_code"], ascending=[False, True]).reset_index(drop=True)
    total = int(table["gap"].sum())
    nearest = nearest_non_responders(session, campaign.id, table["kelurahan_code"].head(top).tolist())
    return Gaps(
        premium=premium,
        months=MONTHS,
        workers=total,
        budget=total * MONTHS * premium,
        by_kelurahan=table,
        nearest=nearest,
    )
