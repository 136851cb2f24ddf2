"""Pure helpers: Indonesian formatting, NIK checks and masking, month arithmetic."""

import datetime as dt

import pytest

from services.platform import fmt
from services.platform.dates import add_months, cover_end, month_start
from services.platform.errors import ValidationError
from services.registry import nik


def test_rupiah_uses_indonesian_grouping_without_decimals() -> None:
    assert fmt.rupiah(16_800) == "Rp16.800"
    assert fmt.rupiah(148 * 12 * 16_800) == "Rp29.836.800"
    assert fmt.rupiah(None) == "–"


def test_dates_and_numbers_are_indonesian() -> None:
    assert fmt.date(dt.date(2024, 11, 15)) == "15 Nov 2024"
    assert fmt.long_date(dt.date(2024, 8, 17)) == "17 Agustus 2024"
    assert fmt.month(dt.date(2024, 12, 1)) == "Desember 2024"
    assert fmt.number(20_000) == "20.000"
    assert fmt.percent(0.1234) == "12,3%"


@pytest.mark.parametrize(
    ("raw", "birth", "sex"),
    [
        ("3671011501900001", dt.date(1990, 1, 15), "L"),
        ("3671015501900002", dt.date(1990, 1, 15), "P"),  # women: day + 40
        ("3603012902000003", dt.date(2000, 2, 29), "L"),  # leap day, issued outside the city
    ],
)
def test_nik_decodes_birth_date_and_sex(raw: str, birth: dt.date, sex: str) -> None:
    info = nik.parse(raw, century_pivot=26)
    assert (info.birth_date, info.sex) == (birth, sex)
    assert info.region_code == raw[:6]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("367101150190001", "16 digit"),  # 15 digits
        ("36710115019000012", "16 digit"),  # 17 digits
        ("3671O11501900001", "16 digit"),  # letter O instead of zero
        ("3671013202900001", "Tanggal lahir"),  # 32 Feb
        ("3671011513900001", "Tanggal lahir"),  # month 13
        ("9971011501900001", "provinsi"),
        ("3671011501900000", "0000"),
        ("3.67101150190000E+15", "notasi ilmiah"),  # what Excel shows for a NIK stored as a number
        (3.671011501900001e15, "dirusak Excel"),  # a float read from a spreadsheet cell
        (None, "kosong"),
    ],
)
def test_nik_rejects_wrong_values_with_indonesian_reason(raw: object, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        nik.parse(raw)


def test_mask_shows_first_and_last_four_only() -> None:
    assert nik.mask("3671011501900001") == "3671********0001"
    assert nik.mask("") == ""
    assert "0115019" not in nik.mask("3671011501900001")


def test_month_arithmetic() -> None:
    assert month_start(dt.date(2026, 11, 22)) == dt.date(2026, 11, 1)
    assert add_months(dt.date(2024, 12, 1), 1) == dt.date(2025, 1, 1)
    assert add_months(dt.date(2025, 1, 1), -13) == dt.date(2023, 12, 1)
    assert cover_end(dt.date(2024, 12, 1), 12) == dt.date(2025, 11, 30)
    assert cover_end(dt.date(2024, 2, 1), 1) == dt.date(2024, 2, 29)


def test_decimal_uses_a_comma_and_drops_trailing_zeros() -> None:
    assert fmt.decimal(4.83, 2) == "4,83"
    assert fmt.decimal(3.0) == "3"
    assert fmt.decimal(2.5) == "2,5"
    assert fmt.decimal(None) == "–"


def test_cached_km_in_matching_reasons_equals_fmt_decimal() -> None:
    # The matching reasons format ~400,000 distances per regency run through a cache keyed on Babel's rounding.
    import numpy as np

    from services.matching.service import _km

    rng = np.random.default_rng(3)
    values = [0.0, 0.05, 0.15, 0.25, 0.35, 1.25, 2.45, 2.55, 9.95, 999.95, 1234.56, 0.049999, 3.0]
    values += list(rng.random(5000) * 30) + list(np.round(rng.random(2000) * 30, 2))
    for v in values:
        assert _km(float(v)) == fmt.decimal(float(v)), v
    assert _km(float("nan")) == fmt.decimal(float("nan"))
