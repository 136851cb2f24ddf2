"""Issue 23, item 7: the small-count rule (services/insight/suppression.py), over random breakdowns.

For any breakdown, no label reads 1 or 2, and — unless the breakdown is withheld — an attacker who knows the
total and every label still cannot tell, for any hidden small cell, whether it is 1 or 2: both values occur
among the assignments consistent with what is shown (checked by brute force)."""

import itertools

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from services.insight import suppression
from ui.leaderboard import counts_html

counts_lists = st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=6)


def _consistent(labels: list[str], total: int) -> list[tuple[int, ...]]:
    """Every assignment of values to the cells that matches the labels and the total."""
    ranges = []
    for label in labels:
        if label == suppression.SMALL:
            ranges.append(range(1, 3))
        elif label == suppression.COMPLEMENT:
            ranges.append(range(3, total + 1))
        else:
            ranges.append(range(int(label), int(label) + 1))
    return [a for a in itertools.product(*ranges) if sum(a) == total]


@settings(max_examples=300, deadline=None)
@given(counts_lists)
def test_no_small_cell_is_shown_or_recoverable(counts: list[int]) -> None:
    result = suppression.suppress(counts)
    assert not any(label in {"1", "2"} for label in result.labels)
    if result.withheld:
        return
    solutions = _consistent(result.labels, sum(counts))
    assert tuple(counts) in solutions  # the labels tell the truth
    for i, c in enumerate(counts):
        if suppression.is_small(c):
            assert {s[i] for s in solutions} == {1, 2}, (counts, result.labels)


def test_the_probes_case_and_plain_cases() -> None:
    # "Nelayan 1" beside the company's other occupation: both hidden, total still true
    assert suppression.suppress([59, 1]).labels == ["≥ 3", "< 3"]
    assert suppression.suppress([60]).labels == ["60"]
    assert suppression.suppress([1, 1, 1]).withheld
    assert suppression.shown(2) == "< 3" and suppression.shown(0) == "0" and suppression.shown(1234) == "1.234"


def test_a_suppressed_frame_keeps_no_small_number_and_renders_none() -> None:
    df = pd.DataFrame({"pekerjaan": ["Pengemudi ojek", "Nelayan", "Juru parkir"], "pekerja": [40, 2, 1]})
    out = suppression.suppress_frame(df)
    assert out["tampil"].tolist() == ["40", "< 3", "< 3"]  # 2+1: either could be the 2
    assert out["pekerja"].isna().tolist() == [False, True, True]  # hidden values are not in the frame at all
    html = counts_html(out, "pekerjaan", "Pekerjaan")
    assert ">1<" not in html and ">2<" not in html and "&lt; 3" in html
