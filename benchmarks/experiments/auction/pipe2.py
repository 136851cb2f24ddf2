import sys, time, numpy as np
sys.path.insert(0, "/tmp/dev")
from comp import load
from auction2 import auction_prices
import services.matching.core as core
scale = sys.argv[1]; eps = tuple(int(x) for x in sys.argv[2].split(",")); slack = int(sys.argv[3]); per_w = int(sys.argv[4])
c = load(scale)
m = core._big_m(c)
t = time.perf_counter()
price, D = auction_prices(c, m, eps)
ta = time.perf_counter() - t
order = np.lexsort((c.ac, c.aw)); P = c.ap[order].astype(np.int64); ptr = np.searchsorted(c.aw[order], np.arange(len(c.desil) + 1))
R = int(c.ac.max()); V = (m * (10 - c.desil[c.aw[order]]) + (R - c.ac[order])).astype(np.int64)
net = V - price[P]
u = np.maximum(np.maximum.reduceat(net, ptr[:-1]), D)
gap = u[c.aw[order]] - net
sel = np.sort(order[gap <= slack])
print(f"auction {ta:.2f}s subgraph {len(sel)}", flush=True)
n_arcs = len(c.aw)
rounds = 0
while True:
    rounds += 1
    t0 = time.perf_counter()
    flow, _ = core._flow(c, sel, m)
    t1 = time.perf_counter()
    d, d_w, _, _ = core._potentials(c, sel, flow, m)
    t2 = time.perf_counter()
    rest = np.ones(n_arcs, bool); rest[sel] = False
    ri = np.flatnonzero(rest)
    rc = c.ac[ri] + d_w[c.aw[ri]] - d[c.ap[ri]]
    neg = rc < 0
    on = flow > 0
    print(f"round {rounds}: arcs {len(sel)} flow {t1-t0:.2f}s pot {t2-t1:.2f}s price {time.perf_counter()-t2:.2f}s viol {neg.sum()} obj {on.sum()} {c.desil[c.aw[sel[on]]].sum()} {c.ac[sel[on]].astype(np.int64).sum()}", flush=True)
    if not neg.any(): break
    bad, bad_rc = ri[neg], rc[neg]
    o = np.lexsort((bad_rc, c.aw[bad]))
    bw = c.aw[bad][o]
    rank = np.arange(len(o)) - np.searchsorted(bw, bw)
    sel = np.sort(np.concatenate([sel, bad[o[rank < per_w]]]))
print("total", time.perf_counter() - t)
