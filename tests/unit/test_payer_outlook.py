"""Pure parts of issue 24's remaining pieces: the forecast with and without next year's allocation, the bill per
payer of a registration file, and the payer code a BPJS result row may carry."""

import datetime as dt

import pandas as pd
import pytest

from services.coverage.regfile import RegRow, payer_totals
from services.coverage.waiting import payer_code
from services.insight.forecast import reached
from services.insight.forecast_payers import NextAllocation, with_payers

D = dt.date


def _base(values: list[float]) -> pd.DataFrame:
    ends = [D(2026, 12, 31), D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31)]
    return pd.DataFrame({"month_end": ends[: len(values)], "expected": values})


def test_other_payers_and_next_years_allocation_add_to_the_pledges_forecast() -> None:
    base = _base([10, 12, 14, 16])
    others = {D(2026, 12, 1): 5, D(2027, 1, 1): 5}  # this year's APBD ends in January
    allocation = NextAllocation(2027, 30, D(2027, 2, 1), recorded=True)
    without, with_it = with_payers(base, other_by_month=others, allocation=allocation)
    assert without["expected"].tolist() == [15, 17, 14, 16]  # the other payers' months end: they count no more
    assert with_it["expected"].tolist() == [15, 17, 44, 46]  # next year's allocation from its first month on
    assert base["expected"].tolist() == [10, 12, 14, 16]  # the pledges' own forecast is left as it was
    nothing, same = with_payers(base, other_by_month={}, allocation=None)
    assert nothing["expected"].tolist() == same["expected"].tolist() == [10, 12, 14, 16]
    target = 40
    assert reached(without, target, D(2026, 12, 15), 25).reached_on is None
    assert reached(with_it, target, D(2026, 12, 15), 25).reached_on == D(2027, 2, 28)


def _row(kind: str, payer_id: int, months: int, premium: int = 16_800) -> RegRow:
    return RegRow(
        kind, None, False, "", 1, "3671010101900001", "A", D(1990, 1, 1), "L", "", "", "", "", "", payer_id,
        D(2027, 1, 1), months, False, "PT A" if kind == "csr" else "APBD Kota Tangerang 2027", "", premium,
    )  # fmt: skip


def test_the_bill_per_payer_counts_workers_months_and_rupiah() -> None:
    rows = [_row("csr", 7, 12), _row("csr", 7, 6), _row("apbd", 3, 12), _row("apbd", 3, 12), _row("csr", 9, 1)]
    bill = payer_totals(rows).set_index("Kode Penanggung")
    assert bill.loc["IKRAR-7", ["Pekerja", "Bulan Kepesertaan", "Rupiah"]].tolist() == [2, 18, 18 * 16_800]
    assert bill.loc["APBD-3", ["Pekerja", "Bulan Kepesertaan", "Rupiah"]].tolist() == [2, 24, 24 * 16_800]
    assert bill.loc["IKRAR-9", "Rupiah"] == 16_800
    assert bill["Rupiah"].sum() == sum(r.months * r.premium for r in rows)  # nobody billed twice, nobody missed


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        (None, ""),
        ("", ""),
        ("  ", ""),
        ("apbd-3", "APBD-3"),
        (" IKRAR - 12 ", "IKRAR-12"),
        ("IKRAR-", None),
        ("PT Panarub", None),
        ("APBD 3", None),
        ("=HYPERLINK(1)", None),
        (12, None),
    ],
)
def test_payer_codes_are_read_leniently_and_anything_else_is_refused(cell: object, code: str | None) -> None:
    assert payer_code(cell) == code  # type: ignore[arg-type]
