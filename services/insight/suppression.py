"""Small-count suppression: the one rule every public surface applies to counts of workers (issue 23).

A count of 1 or 2 workers shown beside a company, a place or an occupation can single a person out ("Nelayan 1"
next to the one kecamatan a factory covers). So, on public surfaces:

1. **Primary**: a count below `THRESHOLD` (3) is shown as "< 3" (zero stays 0: nobody to single out).
2. **Secondary**: a breakdown adds up to a total that is shown elsewhere (the company's workers protected), so
   one hidden cell could be worked out by subtraction, and two hidden cells summing to 2 or 4 are both known
   (1+1, 2+2). Further cells are hidden — the smallest shown ones first, displayed "≥ 3" — until every primary
   cell could be either 1 or 2 given the total: for each, another hidden cell can absorb the difference of one
   (a primary going 1<->2, or a secondary staying >= 3).
3. When even hiding every cell leaves a primary cell determined (e.g. 1+1+1 = 3), the breakdown is withheld.

Pure functions, no database; `tests/unit/test_suppression.py` checks the rule over random data (hypothesis).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from services.platform import fmt

THRESHOLD = 3
SMALL = "< 3"
COMPLEMENT = "≥ 3"


def is_small(count: int) -> bool:
    return 0 < count < THRESHOLD


def shown(count: int) -> str:
    """One count on its own (a company's total): '< 3' or the Indonesian number."""
    return SMALL if is_small(count) else fmt.number(count)


@dataclass(frozen=True)
class Suppressed:
    labels: list[str]  # per cell, in input order: the number, "< 3" or "≥ 3"
    withheld: bool  # True: not even hiding every cell protects the small ones; show no breakdown


def _ambiguous(counts: Sequence[int], hidden: set[int]) -> bool:
    """Given the total, can every primary (small) hidden cell take its other value (1<->2)?"""
    for i in hidden:
        if not is_small(counts[i]):
            continue
        delta = 1 if counts[i] == 1 else -1  # the alternative value minus the real one
        if not any(
            (is_small(counts[j]) and is_small(counts[j] - delta))
            or (not is_small(counts[j]) and counts[j] - delta >= THRESHOLD)
            for j in hidden
            if j != i
        ):
            return False
    return True


def suppress(counts: Sequence[int]) -> Suppressed:
    """Labels for the cells of one breakdown whose sum is public."""
    counts = [int(c) for c in counts]
    hidden = {i for i, c in enumerate(counts) if is_small(c)}
    if hidden:
        visible = sorted((c, i) for i, c in enumerate(counts) if i not in hidden and c > 0)
        while not _ambiguous(counts, hidden) and visible:
            hidden.add(visible.pop(0)[1])
    withheld = bool(hidden) and not _ambiguous(counts, hidden)
    labels = [(SMALL if is_small(c) else COMPLEMENT) if i in hidden else fmt.number(c) for i, c in enumerate(counts)]
    return Suppressed(labels=labels, withheld=withheld)


def suppress_frame(df: pd.DataFrame, count: str = "pekerja") -> pd.DataFrame:
    """A breakdown (name, count) ready for a public page: the count column holds only the values shown (hidden
    cells <NA>), `tampil` the text to show. Empty when the breakdown must be withheld."""
    result = suppress(df[count].tolist())
    if result.withheld:
        return df.iloc[0:0].assign(tampil=pd.Series(dtype="object"))
    out = df.copy()
    out["tampil"] = result.labels
    out[count] = out[count].astype("Int64").mask(out["tampil"].isin([SMALL, COMPLEMENT]))
    return out
