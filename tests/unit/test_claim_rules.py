"""The pure rules of one claim row and the benefit sentences: every bad value gets its Indonesian reason."""

import datetime as dt

import pytest

from services.coverage.claim_rules import check_row, parse_amount, parse_kind
from services.insight.benefits import Benefits, rupiah_short

TODAY = dt.date(2025, 6, 30)
GOOD = {"kpj": "12345678901", "programme": "JKM", "event": "03/02/2025", "paid": "2025-02-17", "amount": "42.000.000"}


def test_a_good_row() -> None:
    claim, problems = check_row(GOOD, today=TODAY)
    assert problems == [] and claim is not None
    assert (claim.kpj, claim.programme, claim.kind, claim.amount) == ("12345678901", "JKM", "", 42_000_000)
    assert (claim.event_date, claim.paid_date) == (dt.date(2025, 2, 3), dt.date(2025, 2, 17))
    by_nik, _ = check_row({**GOOD, "kpj": None, "nik": "3671014502800012"}, today=TODAY)
    assert by_nik is not None and by_nik.nik == "3671014502800012" and by_nik.kpj is None
    number_kpj, _ = check_row({**GOOD, "kpj": 12345678901.0}, today=TODAY)  # a KPJ Excel stored as a number
    assert number_kpj is not None and number_kpj.kpj == "12345678901"


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"kpj": "1234"}, "kpj", "11 digit"),
        ({"kpj": None}, "kpj", "KPJ (11 digit) atau NIK"),
        ({"kpj": None, "nik": 3671014502800012.0}, "nik", "angka di Excel"),
        ({"programme": "JHT"}, "programme", "JKK (kecelakaan kerja) atau JKM"),
        ({"programme": "JKK"}, "kind", "Jenis manfaat JKK wajib"),
        ({"kind": "perawatan"}, "kind", "hanya untuk JKK"),
        ({"event": "31/02/2025"}, "event", "tidak terbaca"),
        ({"event": "01/07/2025", "paid": "02/07/2025"}, "event", "masa depan"),
        ({"paid": "01/02/2025"}, "paid", "lebih awal dari tanggal kejadian"),
        ({"paid": "01/08/2025"}, "paid", "masa depan"),
        ({"amount": "-500.000"}, "amount", "lebih dari nol"),
        ({"amount": 0}, "amount", "lebih dari nol"),
        ({"amount": "empat puluh juta"}, "amount", "tidak terbaca"),
        ({"amount": "12,5"}, "amount", "tidak terbaca"),
    ],
)
def test_each_bad_value_is_refused_with_its_reason(change: dict, column: str, words: str) -> None:
    claim, problems = check_row({**GOOD, **change}, today=TODAY)
    assert claim is None
    assert any(c == column and words in why for c, why in problems), problems


def test_amounts_and_kinds_as_people_write_them() -> None:
    assert parse_amount("Rp42.000.000") == parse_amount("42000000") == parse_amount(42_000_000.0) == 42_000_000
    assert parse_amount("Rp 1.500.000,00") == 1_500_000 and parse_amount("-Rp500.000") == -500_000
    assert parse_kind("STMB") == "stmb" and parse_kind("Santunan cacat") == "cacat" and parse_kind("lainnya") is None
    assert parse_kind("Perawatan & pengobatan") == "perawatan" and parse_kind("Meninggal dunia") == "meninggal"


def test_benefit_sentences_never_name_anyone() -> None:
    b = Benefits({"JKM": (2, 2, 84_000_000), "JKK": (5, 7, 31_500_000)}, families=6, amount=115_500_000)
    assert b.sentences() == [
        "2 keluarga menerima santunan JKM, Rp84 juta",
        "5 keluarga menerima manfaat JKK, Rp31,5 juta",
    ]
    assert Benefits({"JKM": (0, 0, 0), "JKK": (0, 0, 0)}, 0, 0).sentences() == []
    assert rupiah_short(1_300_000_000) == "Rp1,3 miliar" and rupiah_short(750_000) == "Rp750.000"
