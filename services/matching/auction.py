"""Exact optimum of a large component without a general min-cost-flow solver (docs/matching.md section 2.5).

The problem of one component is a transportation problem: every worker takes at most one pledge place or
stays uncovered; a worker at a pledge is worth w = (11 - desil) * M - metres (section 2.2), uncovered 0.

1. **Auction** (compiled with numba; Bertsekas' forward auction, epsilon-scaling, Gauss-Seidel, similar objects).
   Values are multiplied by S, a power of 8 above the number of persons, so that the last phase (eps = 1) ends
   with the exact optimum: a total slack below S is less than one metre. The places of a pledge are a min-heap of
   the bids that hold them; a person without a place bids for its best pledge at its second-best value + eps and
   evicts the lowest holder. The auction is kept *symmetric*, so every phase ends with every place taken:
   where workers outnumber places (every maximum cover fills every place), "uncovered" is an object with
   workers - places places; where places outnumber workers (every maximum cover covers every worker), filler
   persons worth 0 everywhere stand for the empty places and bid for the cheapest ones (a tournament tree of
   pledge prices). The caller says which case holds (core.py cuts a component in two when neither does).
   eps runs from M * S down by 8 to 1; between phases the assignment is kept and the persons that violate the
   finer eps are released.
2. **Certificate** (`certify`, plain numpy over all pairs, independent of the kernel): weak LP duality. Under
   the final prices, every worker's best option gives an upper bound on any assignment's value; if the
   assignment's value is less than S (scaled units, i.e. one metre) below it, no assignment is better by a
   whole metre, and values are whole metres: it is optimal (the flow LP is totally unimodular). If the check
   fails or the auction runs out of bids, the caller solves the part with OR-Tools: never less exact.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
from numba import njit

IntArray = npt.NDArray[np.int64]

_NEG = -(1 << 62)
_INF = 1 << 62
BIDS_PER_PERSON = 200  # auction budget (sweep: at most ~150 bids per person, cell 16's all-covered side)
_CHUNK = 1 << 18  # pairs per step of the numpy certificate
# The hot bid loop reads pledge and metres packed in one int32 when they fit (< 32,768 pledges in the component,
# pairs < 65.5 km): half the bytes of two streams, bidding ~25 % faster at regency.
PACK_PAIRS = True
# Where every worker is covered, values are -metres only and eps starts below the longest pair divided by this
# (sweep sides: 1.7-2.6 times fewer seconds than starting at one desil step).
WORKER_EPS_DIV = 8
# Elsewhere the auction first values a desil step at this many longest pairs instead of M (= thousands of them):
# fewer phases (sweep: 1.2-2 times fewer seconds); both levels are then certified, and M is the fallback.
DESIL_STEP = 16
# Where every worker is covered and places outnumber workers more than ROOMY times, the auction first bids on each
# worker's WORKER_NEAREST nearest pledges only, with places capped at those candidates (far fewer fillers); the
# certificate reads every pair, and all pairs are the fallback (sweep: a side of cell 19, 2.4 M pairs, 0.9 -> 0.3 s).
WORKER_NEAREST = 16
ROOMY = 2.0
NEAREST_EPS_DIV = 512
# Augmenting paths find a maximum cover within this many reads per pair, or give way to OR-Tools (sweep: 0.01-0.15 s
# where they finish, against 0.2-2 s for OR-Tools; on cell 17 they would read thousands of times the pairs).
MAX_COVER_READS = 8


def scale_for(persons: int) -> int:
    """S: the smallest power of 8 above the number of persons (values are multiplied by it)."""
    s = 8
    while s <= persons:
        s *= 8
    return s


def eps_schedule(top: int) -> IntArray:
    """epsilon from the largest power of 8 below `top` (one desil step, scaled) down to 1, dividing by 8.
    Starting at one desil step lets prices climb the desil tiers in a few large steps (sweep, docs/matching.md)."""
    out = [1]
    while out[-1] * 8 < top:
        out.append(out[-1] * 8)
    return np.array(out[::-1], np.int64)


@njit(cache=True)
def _csr_order(aw: npt.NDArray[np.int32], n_w: int) -> tuple[IntArray, IntArray, bool]:
    """Counting sort of pairs by worker (stable): (order, ptr, already sorted). Pairs already sorted by worker (a
    component renumbered by `core._by_place`) keep their order without the scatter, and `order` is then empty
    (the identity: see `_original`)."""
    ptr = np.zeros(n_w + 1, np.int64)
    ordered = True
    for k in range(len(aw)):
        ptr[aw[k] + 1] += 1
        if k and aw[k] < aw[k - 1]:
            ordered = False
    for i in range(n_w):
        ptr[i + 1] += ptr[i]
    if ordered:
        return np.empty(0, np.int64), ptr, True
    fill = ptr[:-1].copy()
    order = np.empty(len(aw), np.int64)
    for k in range(len(aw)):
        i = aw[k]
        order[fill[i]] = k
        fill[i] += 1
    return order, ptr, False


def _original(order: IntArray, ordered: bool, pos: IntArray) -> IntArray:
    """Input positions of CSR positions `pos`."""
    return pos if ordered else order[pos]


def _by_worker(values: npt.NDArray[np.int32], order: IntArray, ordered: bool) -> npt.NDArray[np.int32]:
    """Pair values in CSR order (int32), without a copy when `_csr_order` found them sorted already."""
    return np.ascontiguousarray(values, dtype=np.int32) if ordered else values[order].astype(np.int32)


@njit(cache=True)
def components(pw, pp, n_w, n_p):  # type: ignore[no-untyped-def]
    """Connected components of the bipartite pair graph (workers, then pledges as nodes n_w..): union-find with
    path halving, then labels in order of each component's smallest node (as scipy numbers them)."""
    n = n_w + n_p
    parent = np.arange(n)
    for k in range(len(pw)):
        a = pw[k]
        b = pp[k] + n_w
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a != b:
            if a < b:
                parent[b] = a
            else:
                parent[a] = b
    labels = np.empty(n, np.int32)
    root_label = np.full(n, -1, np.int64)
    count = 0
    for v in range(n):
        r = v
        while parent[r] != r:
            r = parent[r]
        if root_label[r] < 0:
            root_label[r] = count
            count += 1
        labels[v] = root_label[r]
    return count, labels


@njit(cache=True)
def renumbered(aw, ap, ac, new, n_w):  # type: ignore[no-untyped-def]
    """Pairs with workers renamed by `new` and sorted by new worker (stable): (aw, ap, ac, original position of
    each), by counting in two passes."""
    ptr = np.zeros(n_w + 1, np.int64)
    for k in range(len(aw)):
        ptr[new[aw[k]] + 1] += 1
    for i in range(n_w):
        ptr[i + 1] += ptr[i]
    out_w = np.empty(len(aw), np.int32)
    out_p = np.empty(len(aw), np.int32)
    out_c = np.empty(len(aw), np.int32)
    order = np.empty(len(aw), np.int64)
    for k in range(len(aw)):
        i = new[aw[k]]
        at = ptr[i]
        ptr[i] += 1
        out_w[at] = i
        out_p[at] = ap[k]
        out_c[at] = ac[k]
        order[at] = k
    return out_w, out_p, out_c, order


@njit(cache=True)
def radius_hits(starts, ends, run_pledge, worder, xyz, pxyz, chord):  # type: ignore[no-untyped-def]
    """Candidate pairs of the grid runs (core._radius_pairs): the rows worder[starts[r]:ends[r]] against pledge
    run_pledge[r], kept when their chord is at most the pledge's. Returns (row, pledge, chord) in run order: what
    the numpy expansion gives, without its temporary arrays."""
    total = 0
    for r in range(len(starts)):
        total += max(ends[r] - starts[r], 0)
    out_w = np.empty(total, np.int64)
    out_p = np.empty(total, np.int64)
    out_c = np.empty(total, np.float64)
    n = 0
    for r in range(len(starts)):
        j = run_pledge[r]
        px, py, pz = pxyz[j, 0], pxyz[j, 1], pxyz[j, 2]
        for idx in range(starts[r], ends[r]):
            wl = worder[idx]
            dx = xyz[wl, 0] - px
            dy = xyz[wl, 1] - py
            dz = xyz[wl, 2] - pz
            c = np.sqrt(dx * dx + dy * dy + dz * dz)
            if c <= chord[j]:
                out_w[n] = wl
                out_p[n] = j
                out_c[n] = c
                n += 1
    return out_w[:n], out_p[:n], out_c[:n]


@njit(cache=True)
def nearest_pledge(aw, ap, ac, n_w):  # type: ignore[no-untyped-def]
    """Each worker's nearest candidate pledge (the smaller index on a tie), in one pass over the pairs."""
    best = np.full(n_w, _INF, np.int64)
    near = np.full(n_w, -1, np.int64)
    for k in range(len(aw)):
        w = aw[k]
        if ac[k] < best[w] or (ac[k] == best[w] and ap[k] < near[w]):
            best[w] = ac[k]
            near[w] = ap[k]
    return near


@njit(cache=True)
def _sift_down(hp, hw, hpos, lo, hi, pos):  # type: ignore[no-untyped-def]
    p = hp[pos]
    w = hw[pos]
    while True:
        c = lo + 2 * (pos - lo) + 1
        if c >= hi:
            break
        if c + 1 < hi and hp[c + 1] < hp[c]:
            c += 1
        if hp[c] >= p:
            break
        hp[pos] = hp[c]
        hw[pos] = hw[c]
        if hw[pos] >= 0:
            hpos[hw[pos]] = pos
        pos = c
    hp[pos] = p
    hw[pos] = w
    if w >= 0:
        hpos[w] = pos


@njit(cache=True)
def _sift_up(hp, hw, hpos, lo, pos):  # type: ignore[no-untyped-def]
    p = hp[pos]
    w = hw[pos]
    while pos > lo:
        par = lo + (pos - lo - 1) // 2
        if hp[par] <= p:
            break
        hp[pos] = hp[par]
        hw[pos] = hw[par]
        if hw[pos] >= 0:
            hpos[hw[pos]] = pos
        pos = par
    hp[pos] = p
    hw[pos] = w
    if w >= 0:
        hpos[w] = pos


@njit(cache=True)
def _greedy(ptr, cp, cap):  # type: ignore[no-untyped-def]
    load = np.zeros(len(cap), np.int64)
    covered = 0
    for i in range(len(ptr) - 1):
        for k in range(ptr[i], ptr[i + 1]):
            j = cp[k]
            if load[j] < cap[j]:
                load[j] += 1
                covered += 1
                break
    return load, covered


def greedy_cover(aw: npt.NDArray[np.int32], ap: npt.NDArray[np.int32], cap: IntArray) -> tuple[bool, bool, int]:
    """(every place filled, every worker covered, workers covered) by a greedy cover. Either of the first two
    means every maximum cover does the same (the greedy cover is then maximum); the count bounds both how many
    workers a maximum cover leaves out and how many places it leaves empty."""
    n_w, n_p = int(aw.max(initial=-1)) + 1, len(cap)
    cap_eff = np.minimum(cap, np.bincount(ap, minlength=n_p)).astype(np.int64)
    order, ptr, ordered = _csr_order(np.ascontiguousarray(aw, dtype=np.int32), n_w)
    load, covered = _greedy(ptr, _by_worker(ap, order, ordered), cap_eff)
    return bool((load == cap_eff).all()), int(covered) == n_w, int(covered)


@njit(cache=True)
def _max_cover(ptr, cp, cm, cap, budget, active):  # type: ignore[no-untyped-def]
    """A maximum cover of the `active` workers by augmenting paths: (pledge per worker or -1, pledges reachable
    from uncovered workers, finished within `budget` pair reads). Each worker first takes its nearest pledge with
    room; an uncovered worker then searches breadth-first (pledge -> its members -> their other pledges) for a
    pledge with room.
    A failed search marks what it reached for good: every pledge there is full and every member's candidates
    are there too, so no later path can pass through it; those pledges are the source side of a minimum cut."""
    n_w = len(ptr) - 1
    n_p = len(cap)
    off = np.zeros(n_p + 1, np.int64)
    for j in range(n_p):
        off[j + 1] = off[j] + cap[j]
    hold = np.empty(off[n_p], np.int64)  # members of pledge j: hold[off[j]:off[j] + load[j]]
    load = np.zeros(n_p, np.int64)
    asg = np.full(n_w, -1, np.int64)
    at = np.full(n_w, -1, np.int64)  # position of a worker in hold
    for i in range(n_w):
        if not active[i]:
            continue
        best = -1
        near = _INF
        for k in range(ptr[i], ptr[i + 1]):
            j = cp[k]
            if load[j] < cap[j] and cm[k] < near:
                near = cm[k]
                best = j
        if best >= 0:
            _join(i, best, asg, at, hold, off, load)
    dead = np.zeros(n_p, np.bool_)
    stamp = np.zeros(n_p, np.int64)
    via = np.empty(n_p, np.int64)
    prev = np.empty(n_p, np.int64)
    queue = np.empty(n_p, np.int64)
    reads = 0
    for w0 in range(n_w):
        if asg[w0] >= 0 or not active[w0]:
            continue
        if reads > budget:
            return asg, dead, False
        qt, found = _reach(w0, -1, w0 + 1, ptr, cp, load, cap, dead, stamp, via, prev, queue, 0)
        qh = 0
        while found < 0 and qh < qt:
            j = queue[qh]
            qh += 1
            for s in range(off[j], off[j] + load[j]):
                h = hold[s]
                reads += ptr[h + 1] - ptr[h]
                qt, found = _reach(h, j, w0 + 1, ptr, cp, load, cap, dead, stamp, via, prev, queue, qt)
                if found >= 0:
                    break
        if found < 0:
            for x in range(qt):
                dead[queue[x]] = True
            continue
        j = found  # via[j] moves into j from prev[j], back to w0
        while j >= 0:
            _join(via[j], j, asg, at, hold, off, load)
            j = prev[j]
    return asg, dead, True


@njit(cache=True)
def _reach(w, j_from, search, ptr, cp, load, cap, dead, stamp, via, prev, queue, qt):  # type: ignore[no-untyped-def]
    """One step of a search of `_max_cover`: worker w's candidate pledges not dead and not yet seen by this search
    are queued (w would move there from j_from; -1: w is the uncovered worker). Returns (queue length, the first
    of them with room or -1)."""
    for k in range(ptr[w], ptr[w + 1]):
        j = cp[k]
        if dead[j] or stamp[j] == search:
            continue
        stamp[j] = search
        via[j] = w
        prev[j] = j_from
        queue[qt] = j
        qt += 1
        if load[j] < cap[j]:
            return qt, j
    return qt, -1


@njit(cache=True)
def _join(x, j, asg, at, hold, off, load):  # type: ignore[no-untyped-def]
    """Worker x leaves its pledge (if any: the last member takes its position) and joins pledge j."""
    a = asg[x]
    if a >= 0:
        last = off[a] + load[a] - 1
        y = hold[last]
        hold[at[x]] = y
        at[y] = at[x]
        load[a] -= 1
    hold[off[j] + load[j]] = x
    at[x] = off[j] + load[j]
    load[j] += 1
    asg[x] = j


def max_cover(
    aw: npt.NDArray[np.int32],
    ap: npt.NDArray[np.int32],
    ac: npt.NDArray[np.int32],
    cap: IntArray,
    active: npt.NDArray[np.bool_] | None = None,
) -> tuple[IntArray, npt.NDArray[np.bool_]] | None:
    """(pledge per worker or -1, source-side pledges) of a maximum cover and its minimum cut, or None when the
    augmenting paths read more than MAX_COVER_READS times the pairs (then OR-Tools' push-relabel is faster).
    `active`: only these workers take part (default all). The caller checks the cut (core.checked_cut)."""
    n_w, n_p = int(aw.max(initial=-1)) + 1, len(cap)
    cap_eff = np.minimum(cap, np.bincount(ap, minlength=n_p)).astype(np.int64)
    order, ptr, ordered = _csr_order(np.ascontiguousarray(aw, dtype=np.int32), n_w)
    asg, dead, finished = _max_cover(
        ptr,
        _by_worker(ap, order, ordered),
        _by_worker(ac, order, ordered),
        cap_eff,
        MAX_COVER_READS * len(aw),
        np.ones(n_w, np.bool_) if active is None else active,
    )
    return (asg, dead) if finished else None


@njit(cache=True)
def _k_nearest(ptr, cm, k):  # type: ignore[no-untyped-def]
    """Per worker (CSR), its k pairs with the fewest metres (the first ones on a tie): a mask over the pairs."""
    keep = np.zeros(len(cm), np.bool_)
    best = np.empty(k, np.int64)
    for i in range(len(ptr) - 1):
        a, b = ptr[i], ptr[i + 1]
        if b - a <= k:
            keep[a:b] = True
            continue
        n = 0
        for x in range(a, b):  # insertion into the k best so far
            if n < k:
                y = n
                n += 1
            elif cm[x] < cm[best[k - 1]]:
                y = k - 1
            else:
                continue
            while y > 0 and cm[x] < cm[best[y - 1]]:
                best[y] = best[y - 1]
                y -= 1
            best[y] = x
        for y in range(k):
            keep[best[y]] = True
    return keep


@njit(cache=True)
def _pair_of(ptr, cp, asg):  # type: ignore[no-untyped-def]
    """Position (in the CSR order) of each worker's pair at its pledge, -1 when it has none (uncovered)."""
    out = np.full(len(ptr) - 1, -1, np.int64)
    for i in range(len(ptr) - 1):
        for k in range(ptr[i], ptr[i + 1]):
            if cp[k] == asg[i]:
                out[i] = k
                break
    return out


@njit(cache=True)
def _tree_set(tv, ti, leaves, j, v):  # type: ignore[no-untyped-def]
    """Tournament tree of object prices (minimum and its object per node): object j now costs v."""
    k = leaves + j
    tv[k] = v
    k >>= 1
    while k >= 1:
        a = 2 * k
        if tv[a + 1] < tv[a]:
            tv[k] = tv[a + 1]
            ti[k] = ti[a + 1]
        else:
            tv[k] = tv[a]
            ti[k] = ti[a]
        k >>= 1


@njit(cache=True)
def _tree_min_except(tv, ti, leaves, a):  # type: ignore[no-untyped-def]
    """(price, object) of the cheapest object other than a (the smaller index on a tie)."""
    res = _INF
    idx = -1
    k = leaves + a
    while k > 1:
        s = k ^ 1
        if tv[s] < res or (tv[s] == res and ti[s] < idx):
            res = tv[s]
            idx = ti[s]
        k >>= 1
    return res, idx


@njit(cache=True)
def _worker_best(i, a, ptr, pk, cp, cm, bi, scale, price, has_null, n_p):  # type: ignore[no-untyped-def]
    """Worker i's best (value b1 at object j1) and second-best value b2 over its options other than object a,
    net of prices, and its value at a before the place price (base - S * metres, or 0 for "uncovered")."""
    b1 = _NEG
    b2 = _NEG
    j1 = -1
    val_a = _NEG
    packed = len(pk) > 0
    for k in range(ptr[i], ptr[i + 1]):
        if packed:
            v = pk[k]
            j = v >> 16
            val = bi - scale * (v & 0xFFFF)
        else:
            j = cp[k]
            val = bi - scale * cm[k]
        if j == a:
            val_a = val
            continue
        net = val - price[j]
        if net > b2:
            if net > b1:
                b2 = b1
                b1 = net
                j1 = j
            else:
                b2 = net
    if has_null:
        if a == n_p:
            val_a = 0
        else:
            net = -price[n_p]
            if net > b2:
                if net > b1:
                    b2 = b1
                    b1 = net
                    j1 = n_p
                else:
                    b2 = net
    return b1, j1, b2, val_a


@njit(cache=True)
def _auction(ptr, pk, cp, cm, base, scale, cap, p0, eps_list, max_bids, n_null, n_fill):  # type: ignore[no-untyped-def]
    """Returns (object per worker: pledge, n_p = "uncovered", -1 none; prices of the pledges and of "uncovered";
    bids per phase; finished). Persons: workers 0..n_w-1, then n_fill fillers."""
    n_w = len(ptr) - 1
    n_p = len(cap)
    n_all = n_w + n_fill
    off = np.zeros(n_p + 2, np.int64)
    for j in range(n_p):
        off[j + 1] = off[j] + cap[j]
    off[n_p + 1] = off[n_p] + n_null
    ns = off[n_p + 1]
    hp = np.full(ns, p0, np.int64)
    for s in range(off[n_p], ns):
        hp[s] = 0
    price = np.empty(n_p + 1, np.int64)
    for j in range(n_p + 1):
        price[j] = hp[off[j]] if off[j + 1] > off[j] else _INF
    leaves = 1
    while leaves < n_p + 1:
        leaves *= 2
    use_tree = n_fill > 0  # fillers bid for the cheapest pledge: a tournament tree of pledge prices
    tv = np.full(2 * leaves, _INF, np.int64)
    ti = np.full(2 * leaves, -1, np.int64)
    if use_tree:
        for j in range(leaves):
            ti[leaves + j] = j
        for j in range(n_p + 1):
            _tree_set(tv, ti, leaves, j, price[j])
    hw = np.full(ns, -1, np.int64)
    hpos = np.full(n_all, -1, np.int64)
    asg = np.full(n_all, -1, np.int64)
    stack = np.empty(n_all, np.int64)
    top = 0
    for i in range(n_all):
        stack[top] = n_all - 1 - i
        top += 1
    has_null = n_null > 0
    finished = True
    per_phase = np.zeros(len(eps_list), np.int64)
    bids = 0
    for ph in range(len(eps_list)):
        eps = eps_list[ph]
        if ph > 0:  # release the persons that violate the finer eps
            for i in range(n_all - 1, -1, -1):
                a = asg[i]
                if a < 0:
                    continue
                s = hpos[i]
                if i < n_w:
                    best, _j, _b2, val_a = _worker_best(i, a, ptr, pk, cp, cm, base[i], scale, price, has_null, n_p)
                    bad = val_a - hp[s] < best - eps
                else:
                    other, _o = _tree_min_except(tv, ti, leaves, a)
                    bad = hp[s] > other + eps
                if bad:
                    hw[s] = -1
                    hp[s] = price[a]
                    _sift_up(hp, hw, hpos, off[a], s)
                    asg[i] = -1
                    hpos[i] = -1
                    stack[top] = i
                    top += 1
        while top > 0:
            top -= 1
            i = stack[top]
            if i < n_w:
                b1, j1, b2, _v = _worker_best(i, -1, ptr, pk, cp, cm, base[i], scale, price, has_null, n_p)
            else:
                j1 = ti[1]
                b1 = -tv[1]
                p2, _o = _tree_min_except(tv, ti, leaves, j1)
                b2 = -p2 if p2 < _INF else _NEG
            if j1 < 0 or b1 <= _NEG // 2:
                continue  # no option with a place: the certificate will fail
            if b2 <= _NEG // 2:
                b2 = b1  # a single option: raise its price by eps only (a leap would leave the other prices behind)
            bids += 1
            per_phase[ph] += 1
            root = off[j1]
            old = hw[root]
            if old >= 0:
                asg[old] = -1
                hpos[old] = -1
                stack[top] = old
                top += 1
            hp[root] = price[j1] + b1 - b2 + eps
            hw[root] = i
            asg[i] = j1
            hpos[i] = root
            _sift_down(hp, hw, hpos, root, off[j1 + 1], root)
            price[j1] = hp[root]
            if use_tree:
                _tree_set(tv, ti, leaves, j1, price[j1])
            if bids > max_bids:
                finished = False
                break
        if not finished:
            break
    return asg[:n_w].copy(), price, per_phase, finished


def certify(
    aw: npt.NDArray[np.int32],
    ap: npt.NDArray[np.int32],
    ac: npt.NDArray[np.int32],
    base: IntArray,
    scale: int,
    cap: IntArray,
    chosen: IntArray,
    price: IntArray,
    t_price: int,
    may_uncover: bool = True,
) -> bool:
    """Weak LP duality, in plain numpy over all pairs (independent of the kernel). Values: a worker at a pledge
    is worth base - scale * metres (scaled), uncovered 0. For any prices q >= 0 (here the pledge prices above
    `t_price`, the price of "uncovered"), any assignment is worth at most D = sum over workers of their best
    value net of q (or 0 when `may_uncover`) + sum over pledges of cap * q. The chosen pairs are feasible and
    D - their value is a sum of non-negative terms; if it is below `scale`, no assignment is better by one
    unscaled unit, and unscaled values are integers: the chosen pairs are optimal. Without `may_uncover` the
    bound holds for assignments that cover every worker, so the chosen pairs must cover every worker (then they
    are optimal among full covers, which are the maximum covers). `cap` may be capped at each pledge's number
    of pairs: that leaves the feasible set unchanged."""
    n_w, n_p = len(base), len(cap)
    cw, cpl = aw[chosen].astype(np.int64), ap[chosen].astype(np.int64)
    if (np.bincount(cw, minlength=n_w) > 1).any():
        return False
    load = np.bincount(cpl, minlength=n_p)
    if (load > cap).any() or (not may_uncover and len(chosen) != n_w):
        return False
    q = np.maximum(price[:n_p] - t_price, 0)
    best = np.full(n_w, 0 if may_uncover else _NEG, np.int64)
    for a in range(0, len(aw), _CHUNK):  # best value net of q per worker, in cache-sized chunks
        w_ = aw[a : a + _CHUNK]
        np.maximum.at(best, w_, base[w_] - scale * ac[a : a + _CHUNK].astype(np.int64) - q[ap[a : a + _CHUNK]])
    own = np.zeros(n_w, np.int64)
    own[cw] = base[cw] - scale * ac[chosen].astype(np.int64) - q[cpl]
    slack_w = best - own
    slack_p = (cap - load) * q
    if (slack_w < 0).any() or (slack_w >= scale).any() or (slack_p >= scale).any():
        return False
    return int(slack_w.sum()) + int(slack_p.sum()) < scale


def solve_component(
    aw: npt.NDArray[np.int32],
    ap: npt.NDArray[np.int32],
    ac: npt.NDArray[np.int32],
    desil: IntArray,
    cap: IntArray,
    big_m: int,
    cover_profit: int,
    every: str,
    stats: dict[str, float] | None = None,
    greedy: int | None = None,
) -> IntArray | None:
    """Chosen pair indices of the exact optimum of one component, or None (not certified: fall back).

    `every`: "place" when every maximum cover fills every place (workers compete: "uncovered" places), "worker"
    when every maximum cover covers every worker (filler persons for the empty places), "both" otherwise (a
    greedy cover's size bounds both kinds of slack; a filler may then take an "uncovered" place). `greedy`: that
    size when the caller has it already (`greedy_cover`, same pairs)."""
    n_w, n_p = len(desil), len(cap)
    cap_eff = np.minimum(cap, np.bincount(ap, minlength=n_p)).astype(np.int64)  # never more than candidates
    keep = cap_eff[ap] > 0
    if not keep.all():  # pairs of pledges without a place take no part
        kept = np.flatnonzero(keep)
        sub = solve_component(aw[kept], ap[kept], ac[kept], desil, cap_eff, big_m, cover_profit, every, stats, greedy)
        return None if sub is None else kept[sub]
    t0 = time.perf_counter()
    order, ptr, ordered = _csr_order(np.ascontiguousarray(aw, dtype=np.int32), n_w)
    cp = _by_worker(ap, order, ordered)
    cm = _by_worker(ac, order, ordered)
    places = int(cap_eff.sum())
    cover = {"place": places, "worker": n_w}.get(every)
    if cover is None:  # "both": a greedy cover's size bounds how many stay uncovered and how many places empty
        cover = int(_greedy(ptr, cp, cap_eff)[1]) if greedy is None else greedy
    n_null, n_fill = n_w - cover, places - cover
    if n_null < 0 or n_fill < 0:
        return None  # the caller's claim cannot hold
    scale = scale_for(n_w + n_null + n_fill)
    longest = int(ac.max(initial=0))
    packed = PACK_PAIRS and n_p < (1 << 15) and longest < (1 << 16)
    pk = (cp << 16) | cm if packed else np.empty(0, np.int32)  # pledge and metres in one 4-byte stream
    value = (cover_profit - desil).astype(np.int64)  # cover and desil, in desil steps (section 2.2)
    runs: list[tuple[int, IntArray | None]]  # (value of a desil step in metres, CSR positions bid on or all)
    if every == "worker":  # every worker is covered: cover and desil sum are fixed, metres alone decide
        roomy = places > ROOMY * n_w and len(cm) > WORKER_NEAREST * n_w
        nearest = np.flatnonzero(_k_nearest(ptr, cm, WORKER_NEAREST)) if roomy else None
        runs = [(0, nearest), (0, None)] if nearest is not None else [(0, None)]
    else:  # a desil step worth DESIL_STEP longest pairs first, certified on both levels; M if that fails
        small = min(big_m, DESIL_STEP * max(longest, 1))
        runs = [(small, None)] if small == big_m else [(small, None), (big_m, None)]
    prepare = time.perf_counter() - t0
    for attempt, (m, nearby) in enumerate(runs):
        t1 = time.perf_counter()
        if m:
            base, p0, top = value * (m * scale), (m - longest) * scale, m * scale
        else:
            div = WORKER_EPS_DIV if nearby is None else NEAREST_EPS_DIV
            base, p0, top = np.zeros(n_w, np.int64), -longest * scale, longest * scale // div
        b_ptr, b_pk, b_cp, b_cm, b_cap, b_fill = ptr, pk, cp, cm, cap_eff, n_fill
        if nearby is not None:  # each worker's nearest pledges only; the certificate below still reads every pair
            b_ptr = np.concatenate([[0], np.cumsum(np.minimum(np.diff(ptr), WORKER_NEAREST))])
            b_pk, b_cp, b_cm = (pk[nearby] if packed else pk), cp[nearby], cm[nearby]
            b_cap = np.minimum(cap_eff, np.bincount(b_cp, minlength=n_p))  # fewer empty places: fewer fillers
            b_fill = int(b_cap.sum()) - n_w
            if b_fill < 0:
                continue
        asg, price, per_phase, finished = _auction(
            b_ptr,
            b_pk,
            b_cp,
            b_cm,
            base,
            scale,
            b_cap,
            np.int64(p0),
            eps_schedule(top),
            BIDS_PER_PERSON * (n_w + b_fill) + 100_000,
            n_null,
            b_fill,
        )
        t2 = time.perf_counter()
        pos = _pair_of(b_ptr, b_cp, asg)
        pos = pos[pos >= 0]
        chosen = np.sort(_original(order, ordered, pos if nearby is None else nearby[pos]))
        # Any price of "uncovered" gives a valid bound; the natural ones: the "uncovered" object's, and the
        # cheapest object's (fillers keep the empty places at the bottom).
        cheapest = int(min(price[:n_p][cap_eff > 0].min(initial=_INF), price[n_p]))
        levels = dict.fromkeys([int(price[n_p]) if n_null else cheapest, cheapest])
        ok = finished and any(
            certify(aw, ap, ac, base, scale, cap_eff, chosen, price, t, may_uncover=n_null > 0) for t in levels
        )
        if ok and 0 < m < big_m:
            # Optimal for a desil step of m metres; optimal for cover and desil sum too (the prices in desil steps,
            # rounded, are an exact dual there) makes it the lexicographic optimum: a better cover or desil sum
            # would contradict the second, equal ones with fewer metres the first.
            no_metres = np.zeros(len(ac), np.int32)
            ok = any(
                certify(aw, ap, no_metres, value, 1, cap_eff, chosen, _in_steps(price, t, m * scale), 0, n_null > 0)
                for t in levels
            )
        if stats is not None:
            for key, val in {
                "auction_bids": per_phase.sum(),
                **{f"bids_phase_{ph}": n for ph, n in enumerate(per_phase.tolist())},
                "auction_unfinished": not finished,
                "auction_retries": attempt > 0,
                "fillers": n_fill if attempt == 0 else 0,
                "prepare_s": prepare if attempt == 0 else 0.0,
                "bidding_s": t2 - t1,
                "certificate_s": time.perf_counter() - t2,
            }.items():
                stats[key] = stats.get(key, 0.0) + float(val)
        if ok:
            return chosen
    return None


def _in_steps(price: IntArray, t_price: int, step: int) -> IntArray:
    """Pledge prices above `t_price` in whole desil steps (rounded, at least 0)."""
    return np.maximum(np.rint((price[:-1] - t_price) / step), 0).astype(np.int64)


def warm_up() -> float:
    """Load (or, on a fresh install, compile) the kernels on tiny components. Returns the seconds it took."""
    t0 = time.perf_counter()
    tiny = np.array([0, 1, 1], np.int32)
    one = np.array([0, 0, 1], np.int32)
    for every in ("place", "worker"):
        solve_component(tiny, one, np.array([5, 7, 9], np.int32), np.array([3, 10]), np.array([1, 1]), 100, 11, every)
    greedy_cover(tiny, one, np.array([1, 1]))
    max_cover(tiny, one, np.array([5, 7, 9], np.int32), np.array([1, 1]))
    _k_nearest(np.array([0, 3]), np.array([5, 7, 9], np.int32), 2)
    nearest_pledge(tiny, one, np.array([5, 7, 9], np.int32), 2)
    renumbered(tiny, one, np.array([5, 7, 9], np.int32), np.array([1, 0]), 2)
    radius_hits(np.array([0]), np.array([2]), np.array([0]), np.arange(2), np.eye(3)[:2], np.eye(3)[:1], np.ones(1))
    components(tiny, one, 2, 2)
    return time.perf_counter() - t0
