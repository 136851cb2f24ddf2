import time, numpy as np
from benchmarks.synthetic import make
from benchmarks.matching import SCALES
import services.matching.core as core
import sys
scale = sys.argv[1]
workers, pledges = make(**SCALES[scale])
w, p = core._normalise(workers, pledges)
cand = core.candidate_pairs(w, p)
desil = core.effective_desil(w["desil"])
cap = p["capacity"].to_numpy(np.int64)
np.savez(f"/tmp/dev/{scale}.npz", aw=cand.w, ap=cand.p, ac=cand.cost_m, desil=desil, cap=cap)
print(len(cand.w))
