"""Coverage per kelurahan (the map) and the gap that tells the city what it needs (issue 21): every unprotected
eligible worker falls in one of three parts, per kelurahan and city-wide, each with its 12-month cost:

- (a) **within reach of open places**: inside the area of an open pledge that still has places (the most such
  workers the places can take: a maximum flow from workers, grouped by kelurahan and the pledges that reach
  them, to the pledges' free places) - matching can protect them without a new Rupiah;
- (b) **within reach, beyond the places**: inside some open pledge's area, but its places are taken - the
  company (or a neighbour) could raise its pledge;
- (c) **no pledge reaches them** - a new company or the city budget.
For (b) and (c), the companies nearest to the kelurahan that have not answered the letter are who to ask next.

Every number is as of the end of a day (today, or a quarter's last day): workers registered by then,
protected / in process from the state history (`services.insight.asof`), the pledges open then with their size
then. Counting is SQL (`group_by` kelurahan); the geometric question - is this worker inside a pledge's
radius? - cannot be asked portably in SQL (SQLite has no trigonometry), so only the unprotected eligible workers
are read, as (kelurahan, lat, lon), and tested with KD-trees (exact haversine decisions as in matching). A
pledge's occupation preference is not part of its area: a worker inside the area but of another occupation is
counted as reached (someone is working there).
"""

import datetime as dt
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import pandas as pd
from sqlalchemy import and_, case
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func

from models import (
    HOLDING_STATUSES,
    OPEN_PLEDGE_STATUSES,
    Company,
    Kecamatan,
    Kelurahan,
    LetterRecipient,
    Pledge,
    PledgeKelurahan,
    Worker,
)
from services.insight.asof import H, end_of_day, holding_on_day, in_force, pledge_periods
from services.insight.asof import by_kelurahan as held_by_kelurahan
from services.insight.catalogue import FigureDef, register
from services.insight.dashboard import active_campaign
from services.insight.gap_split import split
from services.insight.headline import CITY_ROLES
from services.platform import fmt
from services.platform.authz import Actor, require_role
from services.platform.geo import haversine_km
from services.platform.rows import plain_rows

MONTHS = 12
NEAREST = 3  # companies suggested per kelurahan
PARTS = {
    "open_places": (
        "Celah (a): terjangkau tempat kosong ikrar",
        "Pekerja rentan memenuhi syarat yang belum terlindungi dan berada di area ikrar berjalan yang masih punya "
        "tempat kosong (sebanyak tempat kosong itu dapat menampung).",
    ),
    "beyond_places": (
        "Celah (b): terjangkau ikrar, melebihi tempatnya",
        "Pekerja rentan memenuhi syarat yang belum terlindungi, berada di area ikrar berjalan, tetapi tempat "
        "ikrar itu sudah terisi.",
    ),
    "gap": (
        "Celah (c): tidak terjangkau ikrar",
        "Pekerja rentan memenuhi syarat yang belum terlindungi dan berada di luar area semua ikrar berjalan.",
    ),
}
FIGURE_KEYS = {"open_places": "gap_a_open_places", "beyond_places": "gap_b_beyond_places", "gap": "gap_c_unreached"}
for _key, (_label, _definition) in PARTS.items():
    register(FigureDef(FIGURE_KEYS[_key], _label, _definition, "pekerja", "bilangan bulat", audience=("kota",)))
    register(
        FigureDef(
            f"{FIGURE_KEYS[_key]}_cost",
            f"Biaya 12 bulan {_label[:9]}",
            f"{_label}, dikali 12 bulan, dikali iuran JKK + JKM kampanye.",
            "rupiah",
            "rupiah penuh",
            audience=("kota",),
        )
    )
COVERAGE_COLUMNS = [
    "kelurahan_code",
    "kelurahan",
    "kecamatan",
    "workers",
    "eligible",
    "protected",
    "in_process",
    "unprotected",
    *PARTS,
    "share_protected",
]


@dataclass(frozen=True)
class Gaps:
    premium: int
    months: int
    as_of: dt.date
    parts: dict[str, int]  # open_places (a), beyond_places (b), gap (c): workers city-wide
    by_kelurahan: pd.DataFrame  # kelurahan_code, kelurahan, kecamatan, a, b, c and their costs (any > 0)
    nearest: pd.DataFrame  # kelurahan_code, kelurahan, company, sector, distance_km, rank: for (b) and (c)

    @property
    def workers(self) -> int:
        """Unprotected eligible workers no open pledge reaches (c)."""
        return self.parts["gap"]

    @property
    def budget(self) -> int:
        return self.cost("gap")

    @property
    def unprotected(self) -> int:
        return sum(self.parts.values())

    def cost(self, part: str) -> int:
        return self.parts[part] * self.months * self.premium


def _open_pledges(session: Session, campaign_id: int, day: dt.date) -> tuple[pd.DataFrame, dict[int, set[str]]]:
    """The campaign's pledges open at the end of `day`: pledge_id, radius_km, site lat/lon and free places then;
    and each one's kelurahan set."""
    then = pledge_periods(campaign_id, day)
    held = (
        sa_select(H.c.pledge_id, func.count().label("n"))
        .where(in_force(day), H.c.status.in_(HOLDING_STATUSES))
        .group_by(H.c.pledge_id)
        .subquery()
    )
    site_kel = Kelurahan.__table__.alias("site_kel")  # type: ignore[attr-defined]
    rows = session.execute(
        sa_select(
            then.c.pledge_id,
            col(Pledge.radius_km),
            func.coalesce(col(Company.site_lat), site_kel.c.rep_lat),
            func.coalesce(col(Company.site_lon), site_kel.c.rep_lon),
            then.c.workers - func.coalesce(held.c.n, 0),
        )
        .join(Pledge, col(Pledge.id) == then.c.pledge_id)
        .join(Company, col(Company.id) == then.c.company_id)
        .outerjoin(site_kel, site_kel.c.code == Company.kelurahan_code)
        .outerjoin(held, held.c.pledge_id == then.c.pledge_id)
        .where(then.c.status.in_(OPEN_PLEDGE_STATUSES))
        .order_by(then.c.pledge_id)
    ).all()
    pledges = pd.DataFrame(rows, columns=["pledge_id", "radius_km", "lat", "lon", "places"])
    pledges["places"] = pledges["places"].clip(lower=0).astype(int)
    areas: dict[int, set[str]] = {int(p): set() for p in pledges["pledge_id"]}
    if areas:
        for pid, code in session.execute(
            sa_select(col(PledgeKelurahan.pledge_id), col(PledgeKelurahan.kelurahan_code)).where(
                col(PledgeKelurahan.pledge_id).in_(sorted(areas))
            )
        ).all():
            areas[int(pid)].add(code)
    return pledges, areas


def _unprotected(session: Session, day: dt.date) -> pd.DataFrame:
    """Eligible workers registered by the end of `day` with neither cover nor a place in process then, in the order
    of their id (the gap split groups them in that order)."""
    # Uncorrelated: the database scans the history's covering index once and probes the result per worker.
    holding = col(Worker.id).in_(sa_select(H.c.worker_id).where(in_force(day), holding_on_day(day)))
    located = and_(col(Worker.lat).is_not(None), col(Worker.lon).is_not(None))
    # Workers without coordinates stand at their kelurahan's inside point, as in matching.
    rows = plain_rows(
        session,
        sa_select(
            col(Worker.id),
            col(Worker.kelurahan_code),
            case((located, Worker.lat), else_=Kelurahan.rep_lat),
            case((located, Worker.lon), else_=Kelurahan.rep_lon),
        )
        .join(Kelurahan, col(Kelurahan.code) == Worker.kelurahan_code)
        .where(col(Worker.covered_elsewhere).is_(False), col(Worker.created_at) <= end_of_day(day), ~holding),
    )
    # Sorted here, not by ORDER BY: PostgreSQL then scans the table instead of walking its primary key (0,07 s).
    rows.sort(key=itemgetter(0))
    return pd.DataFrame.from_records(rows, columns=["id", "kelurahan_code", "lat", "lon"]).drop(columns="id")


def coverage_by_kelurahan(*, session: Session, actor: Actor, as_of: dt.date | None = None) -> pd.DataFrame:
    """Per kelurahan at the end of `as_of` (today by default): registry size, eligible (not covered elsewhere),
    protected (card, cover running), in process, unprotected eligible (neither), split into (a) open_places,
    (b) beyond_places and (c) gap, and the share protected of the eligible.

    Single-scan aggregates: workers per kelurahan; protected / in process per kelurahan from the history's covering
    index; the unprotected eligible workers' coordinates for the split."""
    require_role(actor, *CITY_ROLES, session=session, action="insight.coverage")
    day = as_of or dt.date.today()
    cut = end_of_day(day)
    eligible = func.sum(case((col(Worker.covered_elsewhere).is_(False), 1), else_=0))
    by_code = col(Worker.kelurahan_code) + ""
    registry = {
        code: (int(n), int(e))
        for code, n, e in session.execute(
            # Grouped by an expression of the code, not the column: SQLite then scans the table once and sorts the
            # short keys (0,14 s at 200.000 workers) instead of walking the code's index with a random read per row
            # (0,31 s).
            sa_select(by_code, func.count(), eligible).where(col(Worker.created_at) <= cut).group_by(by_code)
        ).all()
    }
    held = held_by_kelurahan(session, day)
    places = session.execute(
        sa_select(col(Kelurahan.code), col(Kelurahan.name), col(Kecamatan.name))
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .order_by(col(Kelurahan.code))
    ).all()
    df = pd.DataFrame(places, columns=["kelurahan_code", "kelurahan", "kecamatan"])
    codes = df["kelurahan_code"]
    df["workers"] = [registry.get(c, (0, 0))[0] for c in codes]
    df["eligible"] = [registry.get(c, (0, 0))[1] for c in codes]
    df["protected"] = [held.get(c, (0, 0))[0] for c in codes]
    df["in_process"] = [held.get(c, (0, 0))[1] for c in codes]
    workers = _unprotected(session, day)
    df["unprotected"] = df["kelurahan_code"].map(workers["kelurahan_code"].value_counts()).fillna(0).astype(int)
    campaign = active_campaign(session=session)
    if campaign is None or campaign.id is None:  # no pledge reaches anyone
        parts = pd.DataFrame({"open_places": 0, "beyond_places": 0, "gap": workers["kelurahan_code"].value_counts()})
    else:
        pledges, areas = _open_pledges(session, campaign.id, day)
        parts = split(workers, pledges, areas)
    for part in PARTS:
        df[part] = df["kelurahan_code"].map(parts.get(part, {})).fillna(0).astype(int)
    df["share_protected"] = (df["protected"] / df["eligible"].where(df["eligible"] > 0)).astype(float)
    return df[COVERAGE_COLUMNS]


def by_kecamatan(coverage: pd.DataFrame) -> pd.DataFrame:
    """The kelurahan table summed per kecamatan (pure)."""
    counts = ["workers", "eligible", "protected", "in_process", "unprotected", *PARTS]
    out = coverage.groupby("kecamatan", sort=True)[counts].sum().reset_index()
    out["share_protected"] = (out["protected"] / out["eligible"].where(out["eligible"] > 0)).astype(float)
    return out


def nearest_non_responders(
    session: Session, campaign_id: int, kelurahan_codes: list[str], *, k: int = NEAREST, day: dt.date | None = None
) -> pd.DataFrame:
    """The k recipients that had not answered by the end of `day` (today by default), nearest to each kelurahan's
    inside point (site to point)."""
    cut = end_of_day(day or dt.date.today())
    silent = col(LetterRecipient.responded_at).is_(None) | (col(LetterRecipient.responded_at) > cut)
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
            .where(col(LetterRecipient.campaign_id) == campaign_id, silent)
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


def gap_table(coverage: pd.DataFrame, premium: int) -> pd.DataFrame:
    """Kelurahan with any unprotected eligible worker: the three parts and their 12-month costs, the largest need
    beyond open places ((b) + (c)) first (pure)."""
    keep = ["kelurahan_code", "kelurahan", "kecamatan", *PARTS]
    table = coverage.loc[coverage[list(PARTS)].sum(axis=1) > 0, keep].copy()
    for part in PARTS:
        table[f"{part}_cost"] = table[part] * MONTHS * premium
    table["need"] = table["beyond_places"] + table["gap"]
    table = table.sort_values(["need", "gap", "kelurahan_code"], ascending=[False, False, True])
    return table.drop(columns=["need"]).reset_index(drop=True)


def gaps(
    *,
    session: Session,
    actor: Actor,
    coverage: pd.DataFrame | None = None,
    top: int = 15,
    as_of: dt.date | None = None,
) -> Gaps | None:
    """The gap split (a)/(b)/(c), city-wide and per kelurahan, with its 12-month costs at the campaign's JKK + JKM
    premium, and who to ask next for the `top` kelurahan with the largest (b) + (c). Pass `coverage` (from
    coverage_by_kelurahan for the same day) to avoid computing it twice."""
    require_role(actor, *CITY_ROLES, session=session, action="insight.gaps")
    campaign = active_campaign(session=session)
    if campaign is None:
        return None
    assert campaign.id is not None
    day = as_of or dt.date.today()
    if coverage is None:
        coverage = coverage_by_kelurahan(session=session, actor=actor, as_of=day)
    premium = campaign.premium_jkk_jkm
    table = gap_table(coverage, premium)
    asked = table.loc[(table["beyond_places"] + table["gap"]) > 0, "kelurahan_code"].head(top).tolist()
    return Gaps(
        premium=premium,
        months=MONTHS,
        as_of=day,
        parts={part: int(coverage[part].sum()) for part in PARTS},
        by_kelurahan=table,
        nearest=nearest_non_responders(session, campaign.id, asked, day=day),
    )


def gap_sentence(the_gaps: Gaps) -> str:
    """The gap split in one Indonesian sentence (the PDF and the dashboard say the same)."""
    a, b, c = (the_gaps.parts[p] for p in ("open_places", "beyond_places", "gap"))
    return (
        f"{fmt.number(the_gaps.unprotected)} pekerja memenuhi syarat belum terlindungi: (a) {fmt.number(a)} "
        f"terjangkau tempat kosong ikrar berjalan ({fmt.rupiah(the_gaps.cost('open_places'))} per "
        f"{the_gaps.months} bulan, sudah didanai ikrar); (b) {fmt.number(b)} terjangkau ikrar tetapi melebihi "
        f"tempatnya ({fmt.rupiah(the_gaps.cost('beyond_places'))}); (c) {fmt.number(c)} tidak terjangkau ikrar "
        f"mana pun ({fmt.rupiah(the_gaps.cost('gap'))})."
    )
