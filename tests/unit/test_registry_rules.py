"""Pure rules of the registry import: field parsers, NIK cells, the bad-file corpus read and validated."""

import datetime as dt

import pytest

from services.coverage import cover_end_from, level, normalise_kpj
from services.platform import sheets
from services.platform.errors import ValidationError
from services.registry import fields, nik_cell
from services.registry.import_rows import MAX_BYTES, MAX_ROWS, WORKER_COLUMNS, WORKER_REQUIRED, check_rows
from services.registry.nik import parse
from tests.data.workers import corpus


def _check(name: str, content: bytes) -> tuple[list[dict], list[sheets.RowError], int, int, int]:
    table = sheets.read_table(
        content, name, columns=WORKER_COLUMNS, required=WORKER_REQUIRED, max_bytes=MAX_BYTES, max_rows=MAX_ROWS
    )
    rows, tally = check_rows(table, occupations={})
    return rows, tally.errors, tally.rejected, tally.duplicates, table.blank_rows


FILES = corpus.corpus()


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("empty.csv", "Berkas kosong"),
        ("header_only.xlsx", "hanya berisi judul kolom"),
        ("wrong_columns.csv", "Kolom wajib tidak ditemukan"),
        ("renamed_binary.xlsx", "bukan berkas Excel"),
        ("old_excel.xls", ".xls"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(name: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        _check(name, FILES[name])


def test_oversize_file_is_refused_before_reading() -> None:
    with pytest.raises(ValidationError, match="terlalu besar"):
        _check("besar.csv", corpus.oversize(MAX_BYTES))


def test_latin1_semicolon_csv_reads_its_names() -> None:
    rows, errors, *_ = _check("latin1_semicolon.csv", FILES["latin1_semicolon.csv"])
    assert not errors and rows[0]["name"] == "André Pétrus" and rows[1]["address"] == "Jl. Cité No. 3"


def test_formula_injection_is_refused() -> None:
    rows, errors, rejected, *_ = _check("formula_injection.csv", FILES["formula_injection.csv"])
    assert rejected == 2 and len(rows) == 1
    assert {e.column for e in errors} == {"Nama Lengkap", "Alamat"} and all("rumus" in e.reason for e in errors)


def test_nik_as_number_is_refused_with_the_text_hint() -> None:
    rows, errors, rejected, *_ = _check("nik_as_number.xlsx", FILES["nik_as_number.xlsx"])
    assert not rows and rejected == 2
    assert all("sebagai Teks" in e.reason and "15 digit" in e.reason for e in errors)


def test_impossible_nik_dates_and_serial_0000() -> None:
    _, errors, rejected, *_ = _check("d.csv", FILES["impossible_nik_dates.csv"])
    assert rejected == 3 and all("tidak valid" in e.reason for e in errors)
    _, errors, rejected, *_ = _check("s.csv", FILES["serial_0000.csv"])
    assert rejected == 1 and "0000" in errors[0].reason


def test_kelurahan_variants_accepted_ambiguous_and_unknown_refused() -> None:
    rows, errors, rejected, *_ = _check("k.csv", FILES["kelurahan_ambiguous_unknown.csv"])
    assert rejected == 3
    assert {r["kelurahan_code"] for r in rows} == {"36.71.13.1004", "36.71.09.1002"}  # Kreo, Cibodas Sari
    reasons = " | ".join(e.reason for e in errors)
    assert "Sudimara Barat" in reasons  # the nearest names as a hint, no guess
    assert "bukan Karawaci" in reasons  # the kecamatan must agree


def test_duplicates_in_file_first_counts() -> None:
    rows, errors, rejected, duplicates, _ = _check("dup.csv", FILES["duplicates_in_file.csv"])
    assert (len(rows), rejected, duplicates) == (2, 0, 2)
    assert [e.row for e in errors] == [4, 5] and all("baris 2" in e.reason for e in errors)


def test_mixed_file_blank_rows_and_every_date_format() -> None:
    rows, errors, rejected, duplicates, blank = _check("m.xlsx", FILES["mixed_good_bad.xlsx"])
    assert (len(rows), rejected, duplicates, blank) == (6, 4, 1, 1)
    good = corpus.good_rows(6, seed=7)
    assert [r["birth_date"] for r in rows] == [dt.datetime.strptime(g[4], "%d/%m/%Y").date() for g in good]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("081234567890", "081234567890"), ("+62 812-3456-7890", "081234567890"), ("6281234567890", "081234567890"),
     ("81234567890", "081234567890"), (81234567890.0, "081234567890"), ("(021) 5523 456", "0215523456"), ("", "")],
)  # fmt: skip
def test_phone_normalised(raw: object, expected: str) -> None:
    assert fields.phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "+1 202 555 0100", "08abc"])
def test_phone_refused(raw: str) -> None:
    with pytest.raises(ValidationError, match="tidak valid"):
        fields.phone(raw)


def test_desil_sex_coordinates() -> None:
    assert fields.desil("3") == 3 and fields.desil(7.0) == 7 and fields.desil("") is None
    for bad in ("0", "11", "2.5", "tinggi"):
        with pytest.raises(ValidationError):
            fields.desil(bad)
    assert fields.sex("Perempuan") == "P" and fields.sex("L") == "L" and fields.sex(None) is None
    with pytest.raises(ValidationError):
        fields.sex("X")
    assert fields.coordinates("-6,17", "106,63") == (-6.17, 106.63)
    with pytest.raises(ValidationError, match="tertukar"):
        fields.coordinates(106.63, -6.17)
    with pytest.raises(ValidationError, match="di luar"):
        fields.coordinates(-6.9, 107.6)  # Bandung


def test_nik_cell_and_consistency() -> None:
    good = corpus.nik_for(dt.date(1980, 11, 15), "P", 12)
    assert nik_cell(good) == (good, None) and nik_cell("'" + good) == (good, None)
    assert nik_cell(float(good))[0] is None and nik_cell(int(good))[0] is None
    info = parse(good)
    assert info.sex == "P" and fields.agrees_with_nik(info, birth=dt.date(1980, 11, 15), sex_value="P") is None
    assert fields.agrees_with_nik(info, birth=dt.date(1980, 11, 16), sex_value=None)[0] == "birth_date"  # type: ignore[index]
    assert fields.agrees_with_nik(info, birth=None, sex_value="L")[0] == "sex"  # type: ignore[index]
    outside = corpus.nik_for(dt.date(1990, 1, 2), "L", 5, region="320101")  # issued in Bogor: accepted
    assert nik_cell(outside)[0] == outside


def test_kpj_cover_end_and_levels() -> None:
    assert normalise_kpj("2401-000-0001") == "24010000001" and normalise_kpj(24010000001.0) == "24010000001"
    assert normalise_kpj("123") is None and normalise_kpj("2401000000A") is None
    assert cover_end_from(dt.date(2024, 12, 1), 12) == dt.date(2025, 11, 30)
    assert cover_end_from(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 28)
    end = dt.date(2025, 6, 30)
    assert [level(end, end - dt.timedelta(days=d)) for d in (90, 45, 20, 3, -1)] == [None, 60, 30, 7, 0]
