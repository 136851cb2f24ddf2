"""The gap split's geometry (pure, no database): which unprotected workers an open pledge reaches, and how many of
them the pledges' free places can take (a maximum flow), per kelurahan. Split out of `services.insight.gaps`,
which reads the data and names the parts; the rules are described there.
"""

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow
from scipy.spatial import cKDTree

from services.platform.geo import chord_for_km, haversine_km, unit_xyz


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


def _members(
    workers: pd.DataFrame, with_places: pd.DataFrame, areas: dict[int, set[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """(worker index, pledge index) for every worker inside the area of a pledge with free places (pure): the
    kelurahan set by code, the radius by a KD-tree ball around the site and exact haversine."""
    who: list[np.ndarray] = []
    which: list[np.ndarray] = []
    if workers.empty or with_places.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes = workers["kelurahan_code"].to_numpy()
    by_code = pd.Series(np.arange(len(codes))).groupby(codes).apply(lambda s: s.to_numpy()).to_dict()
    wlat, wlon = workers["lat"].to_numpy(np.float64), workers["lon"].to_numpy(np.float64)
    tree = cKDTree(unit_xyz(wlat, wlon))
    for k, (pid, radius, lat, lon) in enumerate(
        zip(
            with_places["pledge_id"].tolist(),
            with_places["radius_km"].tolist(),
            with_places["lat"].tolist(),
            with_places["lon"].tolist(),
            strict=True,
        )
    ):
        parts = [by_code[c] for c in areas.get(int(pid), ()) if c in by_code]
        if pd.notna(radius) and pd.notna(lat) and pd.notna(lon):
            centre = unit_xyz(np.array([float(lat)]), np.array([float(lon)]))[0]
            near = np.asarray(tree.query_ball_point(centre, float(chord_for_km(float(radius) * 1.0001 + 1e-6))), int)
            km = haversine_km(wlat[near], wlon[near], float(lat), float(lon))
            parts.append(near[km <= float(radius) + 1e-9])
        if parts:
            inside = np.unique(np.concatenate(parts))
            who.append(inside)
            which.append(np.full(len(inside), k))
    if not who:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(who).astype(np.int64), np.concatenate(which).astype(np.int64)


def _signature_groups(codes: np.ndarray, who: np.ndarray, which: np.ndarray) -> dict[tuple[str, tuple[int, ...]], int]:
    """(kelurahan, the pledges with places that reach a worker) -> workers with that signature, in the order of
    each signature's first worker (pure). Vectorised per signature length: np.unique over rows of
    (kelurahan, pledge indices), so the work is per group, not per worker."""
    if not len(who):
        return {}
    order = np.lexsort((which, who))
    who, which = who[order], which[order]
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
    lengths = np.diff(np.r_[starts, len(who)])
    first_worker = who[starts]
    names, code_ids = np.unique(codes.astype(str), return_inverse=True)
    found: list[tuple[int, str, tuple[int, ...], int]] = []
    for length in np.unique(lengths).tolist():
        sel = lengths == length
        rows = np.column_stack([code_ids[first_worker[sel]], which[starts[sel][:, None] + np.arange(length)]]).astype(
            np.int64
        )
        unique_rows, first, counts = np.unique(rows, axis=0, return_index=True, return_counts=True)
        firsts = first_worker[sel][first]
        for w, row, n in zip(firsts.tolist(), unique_rows.tolist(), counts.tolist(), strict=True):
            found.append((w, str(names[row[0]]), tuple(row[1:]), n))
    found.sort(key=lambda item: item[0])
    return {(code, sig): n for _, code, sig, n in found}


def split(workers: pd.DataFrame, pledges: pd.DataFrame, areas: dict[int, set[str]]) -> pd.DataFrame:
    """Unprotected eligible workers (kelurahan_code, lat, lon) split per kelurahan into open_places (a),
    beyond_places (b) and gap (c) against the open pledges (pledge_id, radius_km, lat, lon, places) and their
    kelurahan sets (pure).

    (a) is the most workers the free places can take at once - a maximum flow from the groups of workers that the
    same pledges reach (per kelurahan) to those pledges' places - so a pledge with 10 places among 1.000 reachable
    workers counts 10, and two pledges reaching the same workers are not counted twice."""
    codes = workers["kelurahan_code"].to_numpy()
    union = set().union(*areas.values()) if areas else set()
    in_sets = np.isin(codes, sorted(union)) if union else np.zeros(len(workers), dtype=bool)
    sites = pledges.loc[pledges["radius_km"].notna(), ["radius_km", "lat", "lon"]].dropna()
    reached = in_sets | ~unreached_mask(workers, sites)
    with_places = pledges.loc[pledges["places"] > 0].reset_index(drop=True)
    who, which = _members(workers, with_places, areas)
    groups = _signature_groups(codes, who, which)
    taken: dict[str, int] = {}
    if groups:
        keys = list(groups)
        g, n_p = len(keys), len(with_places)
        source, sink = 0, g + n_p + 1
        edges: list[tuple[int, int, int]] = []
        for gi, key in enumerate(keys, start=1):
            edges.append((source, gi, groups[key]))
            edges.extend((gi, g + 1 + k, groups[key]) for k in key[1])
        edges.extend((g + 1 + k, sink, int(n)) for k, n in enumerate(with_places["places"].tolist()))
        rows, cols, caps = (list(x) for x in zip(*edges, strict=True))
        graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
        flow = maximum_flow(graph, source, sink).flow.tocsr()
        out_of_source = flow.getrow(source).toarray().ravel()
        for gi, (code, _) in enumerate(keys, start=1):
            taken[code] = taken.get(code, 0) + int(out_of_source[gi])
    frame = pd.DataFrame({"kelurahan_code": codes, "reached": reached})
    counts = frame.groupby("kelurahan_code")["reached"].agg(["sum", "count"])
    out = pd.DataFrame(index=counts.index)
    out["open_places"] = [taken.get(c, 0) for c in counts.index]
    out["beyond_places"] = counts["sum"].astype(int) - out["open_places"]
    out["gap"] = (counts["count"] - counts["sum"]).astype(int)
    return out
