import sys, time, numpy as np
sys.path.insert(0, "/tmp/dev")
from comp import load
import services.matching.core as core
c = load(sys.argv[1])
m = core._big_m(c)
t = time.perf_counter()
flow, _ = core._flow(c, np.arange(len(c.aw)), m)
on = flow > 0
print("flow s", time.perf_counter() - t, "M", m, "obj", on.sum(), c.desil[c.aw[on]].sum(), c.ac[on].astype(np.int64).sum())
np.save(f"/tmp/dev/{sys.argv[1]}_opt.npy", np.flatnonzero(on))
