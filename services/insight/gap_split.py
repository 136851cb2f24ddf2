"""The gap split's geometry (pure, no database): which unprotected workers an open pledge reaches, and how many of
them the pledges' free places can take (a maximum flow), per kelurahan. Split out of `services.insight.gaps`,
which reads the data and names the parts; the rules are described there.
"""

from dataclasses import dataclass

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
    workers: pd.DataFrame, code_ids: np.ndarray, names: list[str], with_places: pd.DataFrame, areas: dict[int, set[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """(worker index, pledge index) for every worker inside the area of a pledge with free places (pure): the
    kelurahan set by code (`code_ids` index `names`), the radius by a KD-tree ball around the site and exact
    haversine. Pledge by pledge; each pledge's workers ascending."""
    who: list[np.ndarray] = []
    which: list[np.ndarray] = []
    if workers.empty or with_places.empty:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    by_id = np.argsort(code_ids, kind="stable")
    bounds = np.r_[0, np.cumsum(np.bincount(code_ids, minlength=len(names)))]
    by_code = {name: by_id[bounds[i] : bounds[i + 1]] for i, name in enumerate(names)}
    wlat, wlon = workers["lat"].to_numpy(np.float64), workers["lon"].to_numpy(np.float64)
    tree = cKDTree(unit_xyz(wlat, wlon))
    seen = np.zeros(len(workers), dtype=bool)
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
            for part in parts:
                seen[part] = True
            inside = np.flatnonzero(seen)  # the union, ascending
            seen[inside] = False
            who.append(inside)
            which.append(np.full(len(inside), k))
    if not who:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(who).astype(np.int64), np.concatenate(which).astype(np.int64)


@dataclass(frozen=True)
class Groups:
    """Workers grouped by signature (their kelurahan and the pledges with places that reach them), in the order of
    each group's first worker: group i has `count[i]` workers of kelurahan `code[i]`, reached by
    `pledges[start[i]:stop[i]]` (ascending pledge indices)."""

    code: np.ndarray
    count: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    pledges: np.ndarray


def _reach(n_workers: int, who: np.ndarray, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, pledges): worker w is reached by pledges[indptr[w]:indptr[w + 1]], ascending (pure)."""
    width = int(which.max()) + 1 if len(which) else 1
    order = np.argsort(who * width + which, kind="stable")
    indptr = np.zeros(n_workers + 1, dtype=np.int64)
    np.cumsum(np.bincount(who, minlength=n_workers), out=indptr[1:])
    return indptr, which[order]


def _groups_by_worker(code_ids: np.ndarray, indptr: np.ndarray, pledges: np.ndarray) -> Groups:
    """The simple grouping, worker by worker (the reference the hashed grouping is tested against)."""
    found: dict[tuple[int, tuple[int, ...]], list[int]] = {}
    for w in range(len(code_ids)):
        if indptr[w + 1] > indptr[w]:
            key = (int(code_ids[w]), tuple(pledges[indptr[w] : indptr[w + 1]].tolist()))
            found.setdefault(key, [w, 0])[1] += 1
    first = np.array([w for w, _ in found.values()], dtype=np.int64)
    return Groups(
        code=np.array([c for c, _ in found], dtype=np.int64),
        count=np.array([n for _, n in found.values()], dtype=np.int64),
        start=indptr[first],
        stop=indptr[first + 1],
        pledges=pledges,
    )


def _groups(code_ids: np.ndarray, indptr: np.ndarray, pledges: np.ndarray, salt: np.ndarray | None = None) -> Groups:
    """The same groups as `_groups_by_worker`, vectorised (pure): a worker's signature is proposed by two 64-bit
    sums of random numbers per pledge (a set hash), grouped by (kelurahan, number of pledges, hashes), then checked
    pledge by pledge against the group's first worker; on any mismatch (a hash collision) the simple grouping
    answers. `salt` (2 x pledges) replaces the random numbers (tests force collisions with it)."""
    lengths = np.diff(indptr)
    reached = np.flatnonzero(lengths > 0)
    if not len(reached):
        empty = np.zeros(0, dtype=np.int64)
        return Groups(empty, empty, empty, empty, pledges)
    if salt is None:
        width = int(pledges.max()) + 1
        salt = np.random.default_rng(26).integers(0, 2**64 - 1, size=(2, width), dtype=np.uint64, endpoint=True)
    hashes = []
    for row in salt:
        running = np.zeros(len(pledges) + 1, dtype=np.uint64)
        np.cumsum(row[pledges], out=running[1:])  # wraps modulo 2**64, as a hash may
        hashes.append((running[indptr[1:]] - running[indptr[:-1]])[reached])
    order = np.lexsort((hashes[1], hashes[0], lengths[reached], code_ids[reached]))  # stable: workers ascending
    keys = np.column_stack((code_ids[reached], lengths[reached], *(h.view(np.int64) for h in hashes)))[order]
    new = np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)]
    first_sorted = reached[order][new]  # each group's first worker
    rank = np.argsort(first_sorted, kind="stable")  # groups in the order of their first worker
    group_of = np.empty(len(first_sorted), dtype=np.int64)
    group_of[rank] = np.arange(len(first_sorted))
    member_group = np.empty(len(reached), dtype=np.int64)
    member_group[order] = group_of[np.cumsum(new) - 1]
    first = first_sorted[rank]
    # Check: every worker's pledges equal its group's first worker's, position by position.
    rep = np.zeros(len(code_ids), dtype=np.int64)
    rep[reached] = first[member_group]
    owner = np.repeat(np.arange(len(code_ids)), lengths)
    at_rep = indptr[rep[owner]] + np.arange(len(pledges)) - indptr[owner]
    if not np.array_equal(pledges, pledges[at_rep]) or not np.array_equal(code_ids[reached], code_ids[rep[reached]]):
        return _groups_by_worker(code_ids, indptr, pledges)
    return Groups(
        code=code_ids[first],
        count=np.bincount(member_group, minlength=len(first)).astype(np.int64),
        start=indptr[first],
        stop=indptr[first + 1],
        pledges=pledges,
    )


def _signature_groups(codes: np.ndarray, who: np.ndarray, which: np.ndarray) -> dict[tuple[str, tuple[int, ...]], int]:
    """(kelurahan, the pledges with places that reach a worker) -> workers with that signature, in the order of
    each signature's first worker (pure; `_groups` as a dict)."""
    code_ids, names = pd.factorize(pd.Series(codes), use_na_sentinel=False)
    indptr, pledges = _reach(len(codes), who, which)
    g = _groups(np.asarray(code_ids, dtype=np.int64), indptr, pledges)
    return {
        (str(names[c]), tuple(pledges[a:b].tolist())): int(n)
        for c, n, a, b in zip(g.code.tolist(), g.count.tolist(), g.start.tolist(), g.stop.tolist(), strict=True)
    }


def _taken(groups: Groups, places: np.ndarray, n_codes: int) -> np.ndarray:
    """Per kelurahan id, the workers the free places take at once: a maximum flow from source to each group (its
    count), group to each pledge that reaches it (its count), pledge to sink (its places) (pure)."""
    g, n_p = len(groups.code), len(places)
    if not g:
        return np.zeros(n_codes, dtype=np.int64)
    source, sink = 0, g + n_p + 1
    lengths = groups.stop - groups.start
    member = np.repeat(np.arange(g), lengths)
    edge_pledge = groups.pledges[
        groups.start[member] + np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    ]
    nodes = np.arange(1, g + 1)
    rows = np.concatenate([np.full(g, source), nodes[member], g + 1 + np.arange(n_p)])
    cols = np.concatenate([nodes, g + 1 + edge_pledge, np.full(n_p, sink)])
    caps = np.concatenate([groups.count, groups.count[member], places]).astype(np.int32)
    graph = csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1))
    flow = maximum_flow(graph, source, sink).flow.tocsr()
    out_of_source = flow.getrow(source).toarray().ravel()[1 : g + 1].astype(np.int64)
    taken = np.zeros(n_codes, dtype=np.int64)
    np.add.at(taken, groups.code, out_of_source)
    return taken


def split(workers: pd.DataFrame, pledges: pd.DataFrame, areas: dict[int, set[str]]) -> pd.DataFrame:
    """Unprotected eligible workers (kelurahan_code, lat, lon) split per kelurahan into open_places (a),
    beyond_places (b) and gap (c) against the open pledges (pledge_id, radius_km, lat, lon, places) and their
    kelurahan sets (pure).

    (a) is the most workers the free places can take at once - a maximum flow from the groups of workers that the
    same pledges reach (per kelurahan) to those pledges' places - so a pledge with 10 places among 1.000 reachable
    workers counts 10, and two pledges reaching the same workers are not counted twice."""
    codes = workers["kelurahan_code"]
    factors, uniques = pd.factorize(codes, use_na_sentinel=False)
    code_ids, names = np.asarray(factors, dtype=np.int64), [str(c) for c in uniques]
    union = set().union(*areas.values()) if areas else set()
    in_sets = np.array([c in union for c in names] + [False], dtype=bool)[code_ids]
    sites = pledges.loc[pledges["radius_km"].notna(), ["radius_km", "lat", "lon"]].dropna()
    reached = in_sets | ~unreached_mask(workers, sites)
    with_places = pledges.loc[pledges["places"] > 0].reset_index(drop=True)
    who, which = _members(workers, code_ids, names, with_places, areas)
    indptr, reach = _reach(len(workers), who, which)
    taken = _taken(_groups(code_ids, indptr, reach), with_places["places"].to_numpy(np.int64), len(names))
    taken_by_code = {names[i]: int(n) for i, n in enumerate(taken.tolist())}
    frame = pd.DataFrame({"kelurahan_code": codes.to_numpy(), "reached": reached})
    counts = frame.groupby("kelurahan_code")["reached"].agg(["sum", "count"])
    out = pd.DataFrame(index=counts.index)
    out["open_places"] = [taken_by_code.get(c, 0) for c in counts.index]
    out["beyond_places"] = counts["sum"].astype(int) - out["open_places"]
    out["gap"] = (counts["count"] - counts["sum"]).astype(int)
    return out
