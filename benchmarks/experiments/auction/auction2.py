import time, os
import numpy as np
import services.matching.core as core

def auction_prices(c, big_m, eps_list=(512, 64, 8, 1), verbose=True, max_rounds=20000, stall_max=int(os.environ.get("STALL", "15"))):
    n_w, n_p = len(c.desil), len(c.cap)
    R = int(c.ac.max(initial=0))
    order = np.lexsort((c.ac, c.aw))
    P = c.ap[order].astype(np.int64)
    V = (big_m * (10 - c.desil[c.aw[order]]) + (R - c.ac[order])).astype(np.int64)
    ptr = np.searchsorted(c.aw[order], np.arange(n_w + 1))
    cap = c.cap.astype(np.int64)
    off = np.concatenate([[0], np.cumsum(cap)])
    n_slots = int(off[-1])
    price = np.zeros(n_p, np.int64)
    NEG = np.iinfo(np.int64).min // 4
    D = -(big_m - R)
    SH = np.int64(1) << 40
    for eps in eps_list:
        slot_w = np.full(n_slots, -1, np.int64)
        slot_b = np.full(n_slots, -1, np.int64)  # empty slot: lowest (bids are >= 0? no) -> use mask
        asg = np.full(n_w, -1, np.int64)
        U = np.arange(n_w)
        n_asg = 0
        best_n, stall, rounds = -1, 0, 0
        t0 = time.perf_counter()
        while len(U) and rounds < max_rounds and n_asg < n_slots:
            if n_asg > best_n:
                best_n, stall = n_asg, 0
            else:
                stall += 1
                if stall > stall_max:
                    break
            rounds += 1
            lo, hi = ptr[U], ptr[U + 1]
            idx, owner = core._expand_ranges(lo, hi)
            pp = P[idx]
            net = V[idx] - price[pp]
            starts = np.concatenate([[0], np.cumsum(hi - lo)[:-1]])
            b1 = np.maximum.reduceat(net, starts)
            pos = np.flatnonzero(net == b1[owner])
            first = pos[np.concatenate([[True], owner[pos[1:]] != owner[pos[:-1]]])]
            net[first] = NEG
            b2 = np.maximum(np.maximum.reduceat(net, starts), D)
            ok = b1 >= D
            wn = U[ok]
            pj = pp[first][ok]
            bn = price[pj] + (b1[ok] - b2[ok]) + eps
            up = np.unique(pj)
            sidx, _ = core._expand_ranges(off[up], off[up + 1])
            hw, hb = slot_w[sidx], slot_b[sidx]
            hp = np.repeat(up, cap[up])
            hb = np.where(hw >= 0, hb, -(SH // 4))  # empty slots rank last
            pl = np.concatenate([hp, pj])
            bb = np.concatenate([hb, bn])
            ww = np.concatenate([hw, wn])
            key = pl * SH + (SH // 2 - bb)
            o = np.argsort(key, kind="stable")
            pl, bb, ww = pl[o], bb[o], ww[o]
            segstart = np.searchsorted(pl, pl)
            rank = np.arange(len(pl)) - segstart
            keep = rank < cap[pl]
            lose = ww[~keep & (ww >= 0)]
            asg[lose] = -1
            kw = ww[keep]
            kp = pl[keep]
            kb = bb[keep]
            slot_w[off[kp] + rank[keep]] = kw
            slot_b[off[kp] + rank[keep]] = kb
            real = kw >= 0
            asg[kw[real]] = kp[real]
            n_asg = int((slot_w >= 0).sum()) if False else n_asg + int(real.sum()) - int((hw >= 0).sum())
            full = keep & (rank == cap[pl] - 1) & (ww >= 0)
            price[pl[full]] = bb[full]
            placed = np.zeros(n_w, bool) if False else None
            U = np.unique(np.concatenate([lose, wn[asg[wn] < 0]]))
        if verbose:
            print(f"eps {eps}: rounds {rounds} {time.perf_counter()-t0:.2f}s assigned {n_asg}", flush=True)
    return price, D
