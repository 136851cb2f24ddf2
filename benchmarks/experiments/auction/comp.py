import numpy as np
import services.matching.core as core
def load(scale):
    z = np.load(f"/tmp/dev/{scale}.npz")
    aw, ap, ac, desil, cap = z["aw"], z["ap"], z["ac"], z["desil"], z["cap"]
    uw, aw2 = np.unique(aw, return_inverse=True)
    up, ap2 = np.unique(ap, return_inverse=True)
    return core._Component(aw2.astype(np.int32), ap2.astype(np.int32), ac.astype(np.int32), desil[uw], cap[up], uw)
