"""Exact optimum of a large component without a general min-cost-flow solver (docs/matching.md section 2.5).

The problem of one component is a transportation problem: every worker takes at most one pledge place or
stays uncovered; a worker at a pledge is worth w = (11 - desil) * M - metres (section 2.2), uncovered 0.
Three steps, each compiled with numba:

1. **Auction** (Bertsekas' forward auction with epsilon-scaling, Gauss-Seidel, similar objects): the places of a
   pledge are a min-heap of the bids that hold them; an uncovered worker bids for its best pledge at its
   second-best value + eps and evicts the lowest holder. To keep the auction *symmetric* (as many places as
   workers, so every phase ends with every place taken and no price is left too high), "uncovered" is an
   object with workers - capacity places. eps starts at M (one desil step) and is divided by 8 down to 1 m,
   so prices climb the desil tiers in a few steps. Between phases the assignment is kept; a worker that
   violates the finer eps is released and its place's price drops to its pledge's current price. The auction
   only has to give good prices: it is not trusted for optimality. It cannot finish when the optimum leaves
   workers uncovered *and* places empty: the caller cuts such components in two first (core.py).
2. **Successive shortest paths** from the auction's prices and assignment: workers not at a best option,
   and places still open at a price above the "uncovered" price, are repaired one unit at a time along
   shortest paths (Dijkstra on the pledge level, reduced costs >= 0), updating the prices. This is exact from
   any start; the auction makes it short (regency: ~800 paths).
3. **Certificate** (`certify`, plain numpy over all pairs, independent of the compiled kernels): every worker
   sits at an option of highest value under the final prices, no pledge is over capacity, a pledge with an open
   place is not dearer than "uncovered" and a pledge with workers not cheaper: LP complementary slackness, so
   the assignment is a maximum-weight one (the flow LP is totally unimodular). If the check fails, or a step
   exceeds its budget, the caller solves the component with OR-Tools instead: this path can only be faster,
   never less exact.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
from numba import njit

IntArray = npt.NDArray[np.int64]

_NEG = -(1 << 62)
_INF = 1 << 62
EPS_SCHEDULE: tuple[int, ...] | None = None  # metres; None: from M down by 8 (`eps_schedule`); tests set rough ones
BIDS_PER_WORKER = 100  # auction budget (regency: 25 bids per worker; national regions 13-27; other eps schedules 48-64)
SSP_WORK_PER_PAIR = 20  # shortest-path budget: pairs scanned, this many times the pairs + SSP_WORK_BASE
SSP_WORK_BASE = 1_000_000
_CHUNK = 1 << 18  # pairs per step of the numpy certificate
# The hot bid loop reads pledge and metres packed in one int32 when they fit (< 32,768 pledges in the component,
# pairs < 65.5 km): half the bytes of two streams, bidding ~25 % faster at regency (3.3-3.7 -> 2.4-2.8 s).
PACK_PAIRS = True


def eps_schedule(big_m: int) -> tuple[int, ...]:
    """epsilon-scaling from M (one desil step) down to 1 m, dividing by 8. Starting at M lets prices climb the
    desil tiers in a few large steps; a fixed start of 4 km (the previous schedule) made them climb in 4 km
    steps, a price war that never ended where capacity is well below the workers (sweep, docs/matching.md)."""
    out = [1]
    while out[-1] * 8 < big_m:
        out.append(out[-1] * 8)
    return tuple(reversed(out))


@njit(cache=True)
def _csr_order(aw: npt.NDArray[np.int32], n_w: int) -> tuple[IntArray, IntArray]:
    """Counting sort of pairs by worker (stable): (order, ptr). Pairs already sorted by worker (a component
    renumbered by `core._by_place`) keep their order without the scatter."""
    ptr = np.zeros(n_w + 1, np.int64)
    ordered = True
    for k in range(len(aw)):
        ptr[aw[k] + 1] += 1
        if k and aw[k] < aw[k - 1]:
            ordered = False
    for i in range(n_w):
        ptr[i + 1] += ptr[i]
    if ordered:
        return np.arange(len(aw)), ptr
    fill = ptr[:-1].copy()
    order = np.empty(len(aw), np.int64)
    for k in range(len(aw)):
        i = aw[k]
        order[fill[i]] = k
        fill[i] += 1
    return order, ptr


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
def _top2(b1, j1, b2, net, j):  # type: ignore[no-untyped-def]
    """Fold option j worth `net` into the best (b1, its option j1) and second-best (b2) values."""
    if net > b1:
        return net, j, max(b1, b2)
    return b1, j1, max(b2, net)


@njit(cache=True)
def _options(i, a, own_price, n_w, ptr, cp, cm, base, price, live, has_null):  # type: ignore[no-untyped-def]
    """Best and second-best net value of person i over its options other than its own object a (worth
    value - own_price, returned as `own`). Workers: their candidate pledges and "uncovered" (value 0).
    Fillers (i >= n_w, see _auction): every pledge place and "uncovered", all worth 0."""
    b1 = _NEG
    b2 = _NEG
    j1 = -1
    own = _NEG
    n_p = len(live)
    if i < n_w:
        for k in range(ptr[i], ptr[i + 1]):
            j = cp[k]
            if j == a:
                own = base[i] - cm[k] - own_price
                continue
            net = base[i] - cm[k] - price[j]
            b1, j1, b2 = _top2(b1, j1, b2, net, j)
    else:
        for j in range(n_p):
            if not live[j]:
                continue
            if j == a:
                own = -own_price
                continue
            net = -price[j]
            b1, j1, b2 = _top2(b1, j1, b2, net, j)
    if has_null:
        if a == n_p:
            own = -own_price
        else:
            net = -price[n_p]
            b1, j1, b2 = _top2(b1, j1, b2, net, n_p)
    return b1, j1, b2, own


@njit(cache=True)
def _auction(ptr, cp, cm, pk, base, cap, p0, eps_list, max_bids, n_null, n_fill):  # type: ignore[no-untyped-def]
    """Returns (assignment: pledge, -2 uncovered, -1 none; pledge prices; uncovered price; bids; finished).

    Symmetric: n_null places of "uncovered" (when workers outnumber places) or n_fill filler persons that
    stand for empty places (when places outnumber workers), so persons and places are equally many."""
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
    live = np.zeros(n_p, np.bool_)
    price = np.empty(n_p + 1, np.int64)
    for j in range(n_p + 1):
        price[j] = hp[off[j]] if off[j + 1] > off[j] else _INF
        if j < n_p:
            live[j] = off[j + 1] > off[j]
    hw = np.full(ns, -1, np.int64)
    hpos = np.full(n_all, -1, np.int64)
    asg = np.full(n_all, -1, np.int64)
    stack = np.empty(n_all, np.int64)
    bids = 0
    top = 0
    for i in range(n_all):
        stack[top] = n_all - 1 - i
        top += 1
    has_null = n_null > 0
    finished = True
    per_phase = np.zeros(len(eps_list), np.int64)
    for ph in range(len(eps_list)):
        eps = eps_list[ph]
        if ph > 0:  # release the persons that violate the finer eps-complementary slackness
            for i in range(n_all - 1, -1, -1):
                a = asg[i]
                if a < 0:
                    continue
                best, _j, _b2, own = _options(i, a, hp[hpos[i]], n_w, ptr, cp, cm, base, price, live, has_null)
                if own < best - eps:
                    s = hpos[i]
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
            if i < n_w:  # the hot loop, written out (a worker's candidate pledges, then "uncovered")
                b1 = _NEG
                b2 = _NEG
                j1 = -1
                bi = base[i]
                if len(pk):
                    for k in range(ptr[i], ptr[i + 1]):
                        v = pk[k]
                        j = v >> 16
                        net = bi - (v & 0xFFFF) - price[j]
                        b1, j1, b2 = _top2(b1, j1, b2, net, j)
                else:
                    for k in range(ptr[i], ptr[i + 1]):
                        j = cp[k]
                        net = bi - cm[k] - price[j]
                        b1, j1, b2 = _top2(b1, j1, b2, net, j)
                if has_null:
                    net = -price[n_p]
                    b1, j1, b2 = _top2(b1, j1, b2, net, n_p)
            else:
                b1, j1, b2, _own = _options(i, -1, 0, n_w, ptr, cp, cm, base, price, live, has_null)
            if j1 < 0 or b1 <= _NEG // 2:
                continue  # no option with a place: left to the shortest paths
            if b2 <= _NEG // 2:
                b2 = b1 - (1 << 40)  # a single option: win it outright
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
            if bids > max_bids:
                finished = False
                break
        if not finished:
            break
    out = np.empty(n_p, np.int64)
    for j in range(n_p):
        out[j] = price[j] if live[j] else 0
    res = asg[:n_w].copy()
    for i in range(n_w):
        if res[i] == n_p:
            res[i] = -2
    return res, out, (price[n_p] if has_null else _INF), per_phase, finished


@njit(cache=True)
def _heap_update(hd, hn, where, size, v, d):  # type: ignore[no-untyped-def]
    """Indexed binary min-heap over nodes: insert v or lower its key to d. Returns the new size."""
    pos = where[v]
    if pos < 0:
        pos = size
        size += 1
    while pos > 0:
        par = (pos - 1) >> 1
        if hd[par] <= d:
            break
        hd[pos] = hd[par]
        hn[pos] = hn[par]
        where[hn[pos]] = pos
        pos = par
    hd[pos] = d
    hn[pos] = v
    where[v] = pos
    return size


@njit(cache=True)
def _heap_pop(hd, hn, where, size):  # type: ignore[no-untyped-def]
    d = hd[0]
    v = hn[0]
    where[v] = -1
    size -= 1
    if size > 0:
        ld = hd[size]
        lv = hn[size]
        pos = 0
        while True:
            c = 2 * pos + 1
            if c >= size:
                break
            if c + 1 < size and hd[c + 1] < hd[c]:
                c += 1
            if hd[c] >= ld:
                break
            hd[pos] = hd[c]
            hn[pos] = hn[c]
            where[hn[pos]] = pos
            pos = c
        hd[pos] = ld
        hn[pos] = lv
        where[lv] = pos
    return d, v, size


@njit(cache=True)
def _relax(dist, pw, pf, pk, touched, n_t, hd, hn, hpos, hs, v, nd, w, frm, k):  # type: ignore[no-untyped-def]
    if nd < dist[v]:
        if dist[v] == _INF:
            touched[n_t] = v
            n_t += 1
        dist[v] = nd
        pw[v] = w
        pf[v] = frm
        pk[v] = k
        hs = _heap_update(hd, hn, hpos, hs, v, nd)
    return n_t, hs


@njit(cache=True)
def _join(mem, off, cnt, where, w, v):  # type: ignore[no-untyped-def]
    """Worker w joins node v's member segment mem[off[v] : off[v] + cnt[v]]."""
    where[w] = off[v] + cnt[v]
    mem[off[v] + cnt[v]] = w
    cnt[v] += 1


@njit(cache=True)
def _leave(mem, off, cnt, where, w, v):  # type: ignore[no-untyped-def]
    """Worker w leaves node v's segment (the segment's last member takes its slot)."""
    cnt[v] -= 1
    last = mem[off[v] + cnt[v]]
    mem[where[w]] = last
    where[last] = where[w]


@njit(cache=True)
def _shortest_paths(ptr, cp, cm, base, cap, asg0, price0, t0, max_work):  # type: ignore[no-untyped-def]
    """Exact finish and certificate. Nodes: pledges 0..n_p-1 and t = n_p ("uncovered", any number of places).

    Potentials: pledge prices P, the uncovered price T and, for a worker, its value u (stored for a worker
    not yet placed, implied by its place otherwise). Reduced costs of residual arcs are >= 0 throughout.
    Returns (pair index per worker or -2 uncovered, prices, uncovered price, shortest paths, pairs scanned,
    finished)."""
    n_w = len(ptr) - 1
    n_p = len(cap)
    t = n_p
    P = price0.copy()
    T = np.int64(t0)
    for j in range(n_p):
        if cap[j] > 0 and P[j] < T:
            T = P[j]
    off = np.zeros(n_p + 2, np.int64)  # member segments: pledges, then t (uncovered workers)
    for j in range(n_p):
        off[j + 1] = off[j] + cap[j]
    off[t + 1] = off[t] + n_w
    mem = np.empty(off[t + 1], np.int64)
    cnt = np.zeros(n_p + 1, np.int64)
    where = np.full(n_w, -1, np.int64)
    apos = np.full(n_w, -1, np.int64)
    uexc = np.zeros(n_w, np.int64)
    exc = np.empty(n_w, np.int64)
    n_exc = 0
    for i in range(n_w - 1, -1, -1):
        u = -T
        for k in range(ptr[i], ptr[i + 1]):
            v = base[i] - cm[k] - P[cp[k]]
            if v > u:
                u = v
        placed = False
        a = asg0[i]
        if a >= 0:
            for k in range(ptr[i], ptr[i + 1]):
                if cp[k] == a:
                    if base[i] - cm[k] - P[a] == u and cnt[a] < cap[a]:
                        apos[i] = k
                        _join(mem, off, cnt, where, i, a)
                        placed = True
                    break
        if not placed:
            if u == -T:
                apos[i] = -2
                _join(mem, off, cnt, where, i, t)
            else:
                uexc[i] = u
                exc[n_exc] = i
                n_exc += 1
    m = 0
    for q in range(n_exc):  # a worker off its best option takes a best option with room, if any
        i = exc[q]
        u = uexc[i]
        done = False
        for k in range(ptr[i], ptr[i + 1]):
            a = cp[k]
            if base[i] - cm[k] - P[a] == u and cnt[a] < cap[a]:
                apos[i] = k
                _join(mem, off, cnt, where, i, a)
                done = True
                break
        if not done:
            exc[m] = i
            m += 1
    n_exc = m
    f = np.empty(n_p, np.int64)  # flow pledge -> t: all places when dearer than t, else its workers
    sum_f = 0
    for j in range(n_p):
        f[j] = cap[j] if P[j] > T else cnt[j]
        sum_f += f[j]
    t_def = n_w - cnt[t] - sum_f  # > 0: t still lacks that many units; < 0: t has that many too many

    dist = np.full(n_p + 1, _INF, np.int64)
    done_ = np.zeros(n_p + 1, np.bool_)
    pw = np.full(n_p + 1, -1, np.int64)
    pf = np.full(n_p + 1, -1, np.int64)
    pk = np.full(n_p + 1, -1, np.int64)
    touched = np.empty(n_p + 1, np.int64)
    hd = np.empty(n_p + 1, np.int64)
    hn = np.empty(n_p + 1, np.int64)
    hpos = np.full(n_p + 1, -1, np.int64)
    paths = 0
    work = 0  # pairs scanned: the budget bounds the time whatever the start
    while n_exc > 0 or t_def < 0:
        paths += 1
        if work >= max_work:
            return apos, P, T, paths, work, False
        n_t = 0
        hs = 0
        if n_exc > 0:
            src = exc[n_exc - 1]
            us = uexc[src]
            for k in range(ptr[src], ptr[src + 1]):
                j = cp[k]
                n_t, hs = _relax(
                    dist, pw, pf, pk, touched, n_t, hd, hn, hpos, hs, j, us + P[j] - base[src] + cm[k], src, -1, k
                )
            n_t, hs = _relax(dist, pw, pf, pk, touched, n_t, hd, hn, hpos, hs, t, us + T, src, -1, -1)
        else:
            src = -1
            n_t, hs = _relax(dist, pw, pf, pk, touched, n_t, hd, hn, hpos, hs, t, 0, -1, -1, -1)
        term = -1
        D = 0
        while hs > 0:
            d, v, hs = _heap_pop(hd, hn, hpos, hs)
            done_[v] = True
            if v < n_p:
                if cnt[v] < f[v]:
                    term = v
                    D = d
                    break
            elif t_def > 0 and src >= 0:
                term = v
                D = d
                break
            if v < n_p:
                for q in range(off[v], off[v] + cnt[v]):
                    w = mem[q]
                    ka = apos[w]
                    u = base[w] - cm[ka] - P[v]
                    work += ptr[w + 1] - ptr[w]
                    for k in range(ptr[w], ptr[w + 1]):
                        j = cp[k]
                        if k != ka and not done_[j]:
                            nd = d + u + P[j] - base[w] + cm[k]
                            if nd < dist[j]:
                                n_t, hs = _relax(dist, pw, pf, pk, touched, n_t, hd, hn, hpos, hs, j, nd, w, v, k)
                    if not done_[t]:
                        n_t, hs = _relax(dist, pw, pf, pk, touched, n_t, hd, hn, hpos, hs, t, d + u + T, w, v, -1)
                if f[v] < cap[v] and not done_[t]:
                    n_t, hs = _relax(dist, pw, pf, pk, touched, n_t, hd, hn, hpos, hs, t, d + T - P[v], -1, v, -1)
            else:
                for q in range(off[t], off[t] + cnt[t]):
                    w = mem[q]
                    work += ptr[w + 1] - ptr[w]
                    for k in range(ptr[w], ptr[w + 1]):
                        j = cp[k]
                        if not done_[j]:
                            nd = d - T + P[j] - base[w] + cm[k]
                            if nd < dist[j]:
                                n_t, hs = _relax(dist, pw, pf, pk, touched, n_t, hd, hn, hpos, hs, j, nd, w, t, k)
                for j in range(n_p):
                    if f[j] > 0 and not done_[j]:
                        n_t, hs = _relax(dist, pw, pf, pk, touched, n_t, hd, hn, hpos, hs, j, d + P[j] - T, -1, t, -1)
        if term < 0:
            return apos, P, T, paths, work, False
        for q in range(n_t):  # new potentials: reduced costs stay >= 0, the path's become 0
            v = touched[q]
            if done_[v] and dist[v] < D:
                if v < n_p:
                    P[v] += D - dist[v]
                else:
                    T += D - dist[v]
        cur = term
        if cur == t:
            t_def -= 1
        while True:  # augment one unit along the path, from its end back to the source
            w = pw[cur]
            frm = pf[cur]
            if w >= 0:
                if frm == -1:
                    n_exc -= 1  # the source is the top of the stack
                else:
                    _leave(mem, off, cnt, where, w, frm)
                apos[w] = -2 if cur == t else pk[cur]
                _join(mem, off, cnt, where, w, cur)
            elif cur == t:
                f[frm] += 1
            else:
                f[cur] -= 1
            if frm == -1:
                break
            cur = frm
            if cur == t and src < 0:
                t_def += 1
                break
        for q in range(n_t):
            v = touched[q]
            dist[v] = _INF
            done_[v] = False
            hpos[v] = -1
    for i in range(n_w):
        if apos[i] == -1:  # cannot happen once no excess is left; the certificate (certify) is checked apart
            return apos, P, T, paths, work, False
    return apos, P, T, paths, work, True


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


def greedy_cover(aw: npt.NDArray[np.int32], ap: npt.NDArray[np.int32], cap: IntArray) -> tuple[bool, bool]:
    """(every place filled, every worker covered) by a greedy cover. Either means no maximum cover leaves both
    workers uncovered and places empty (the greedy cover is then maximum), so the component needs no cut."""
    n_w, n_p = int(aw.max(initial=-1)) + 1, len(cap)
    cap_eff = np.minimum(cap, np.bincount(ap, minlength=n_p)).astype(np.int64)
    order, ptr = _csr_order(np.ascontiguousarray(aw, dtype=np.int32), n_w)
    load, covered = _greedy(ptr, ap[order].astype(np.int32), cap_eff)
    return bool((load == cap_eff).all()), int(covered) == n_w


def certify(
    aw: npt.NDArray[np.int32],
    ap: npt.NDArray[np.int32],
    ac: npt.NDArray[np.int32],
    base: IntArray,
    cap: IntArray,
    chosen: IntArray,
    price: IntArray,
    t_price: int,
) -> bool:
    """LP complementary slackness of a chosen pair set under pledge prices and an "uncovered" price, in plain
    numpy over all pairs (independent of the compiled kernels). With u = the value of a worker's place
    (base - metres - price of its pledge, or -t_price when uncovered): every worker at most once, no pledge
    over capacity, no pair worth more than its worker's u, u >= -t_price, a pledge with room not dearer than
    t_price, a pledge with workers not cheaper. Then no other assignment is worth more (LP duality; the
    transportation polytope is integral). `cap` may be capped at each pledge's number of pairs: that leaves
    the polytope unchanged (x <= 1 per pair already bounds a pledge by its pairs)."""
    n_w, n_p = len(base), len(cap)
    cw, cpl = aw[chosen].astype(np.int64), ap[chosen].astype(np.int64)
    if (np.bincount(cw, minlength=n_w) > 1).any():
        return False
    load = np.bincount(cpl, minlength=n_p)
    if (load > cap).any():
        return False
    u = np.full(n_w, -t_price, np.int64)
    u[cw] = base[cw] - ac[chosen].astype(np.int64) - price[cpl]
    if (u < -t_price).any():
        return False
    for a in range(0, len(aw), _CHUNK):  # u - (base - metres - price) >= 0 for every pair, in cache-sized chunks
        w_, p_ = aw[a : a + _CHUNK], ap[a : a + _CHUNK]
        slack = u[w_]
        slack -= base[w_]
        slack += ac[a : a + _CHUNK]
        slack += price[p_]
        if (slack < 0).any():
            return False
    return not (((load < cap) & (price > t_price)) | ((load > 0) & (price < t_price))).any()


def solve_component(
    aw: npt.NDArray[np.int32],
    ap: npt.NDArray[np.int32],
    ac: npt.NDArray[np.int32],
    desil: IntArray,
    cap: IntArray,
    big_m: int,
    cover_profit: int,
    stats: dict[str, float] | None = None,
) -> IntArray | None:
    """Chosen pair indices of the exact optimum of one component, or None when not certified (fall back)."""
    n_w, n_p = len(desil), len(cap)
    cap_eff = np.minimum(cap, np.bincount(ap, minlength=n_p)).astype(np.int64)  # never more than candidates
    keep = cap_eff[ap] > 0
    if not keep.all():  # pairs of pledges without a place take no part
        kept = np.flatnonzero(keep)
        sub = solve_component(aw[kept], ap[kept], ac[kept], desil, cap_eff, big_m, cover_profit, stats)
        return None if sub is None else kept[sub]
    t0 = time.perf_counter()
    order, ptr = _csr_order(np.ascontiguousarray(aw, dtype=np.int32), n_w)
    cp = ap[order].astype(np.int32)
    cm = ac[order].astype(np.int32)
    base = ((cover_profit - desil) * big_m).astype(np.int64)
    longest = int(ac.max(initial=0))
    n_null = max(0, n_w - int(cap_eff.sum()))
    n_fill = max(0, int(cap_eff.sum()) - n_w)
    eps = np.array(EPS_SCHEDULE or eps_schedule(big_m), np.int64)
    packed = PACK_PAIRS and n_p < (1 << 15) and longest < (1 << 16)
    pk = (cp << 16) | cm if packed else np.empty(0, np.int32)  # pledge and metres in one 4-byte stream
    t1 = time.perf_counter()
    asg, price, t_price, per_phase, finished = _auction(
        ptr, cp, cm, pk, base, cap_eff, np.int64(big_m - longest), eps, BIDS_PER_WORKER * n_w + 100_000, n_null, n_fill
    )
    t2 = time.perf_counter()
    apos, final_price, final_t, paths, work, ok = _shortest_paths(
        ptr, cp, cm, base, cap_eff, asg, price, t_price, SSP_WORK_PER_PAIR * len(aw) + SSP_WORK_BASE
    )
    t3 = time.perf_counter()
    chosen = np.sort(order[apos[apos >= 0]])
    ok = ok and certify(aw, ap, ac, base, cap_eff, chosen, final_price, int(final_t))
    if stats is not None:
        for key, value in {
            "auction_bids": per_phase.sum(),
            **{f"bids_phase_{ph}": n for ph, n in enumerate(per_phase.tolist())},
            "auction_unfinished": not finished,
            "shortest_paths": paths,
            "path_pairs_scanned": work,
            "prepare_s": t1 - t0,
            "bidding_s": t2 - t1,
            "paths_s": t3 - t2,
            "certificate_s": time.perf_counter() - t3,
        }.items():
            stats[key] = stats.get(key, 0.0) + float(value)
    return chosen if ok else None


def warm_up() -> float:
    """Load (or, on a fresh install, compile) the kernels on a tiny component. Returns the seconds it took."""
    t0 = time.perf_counter()
    tiny = np.array([0, 1, 1], np.int32)
    solve_component(
        tiny, np.array([0, 0, 1], np.int32), np.array([5, 7, 9], np.int32), np.array([3, 10]), np.array([1, 1]), 100, 11
    )
    greedy_cover(tiny, np.array([0, 0, 1], np.int32), np.array([1, 1]))
    return time.perf_counter() - t0
