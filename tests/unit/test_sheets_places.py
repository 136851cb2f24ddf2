"""The shared spreadsheet reader and place-name resolver, on the files city staff really send.

Bad inputs tried: empty file, whitespace only, header only, a missing required column, a renamed binary (.xlsx
that is not a zip, a PNG named .csv), an old .xls, oversize bytes, too many rows, Latin-1 and semicolon CSV,
a leading 'No' column, blank rows, 16-digit numbers stored as number cells, dates in four spellings, misspelt
and ambiguous kelurahan, a kecamatan that disagrees."""

import datetime as dt
import io

import openpyxl
import pytest

from services.platform.errors import ValidationError
from services.platform.regions import place_key, resolve_kecamatan, resolve_kelurahan
from services.platform.sheets import (
    RowError,
    cell_text,
    errors_report_xlsx,
    is_number_cell,
    parse_date_cell,
    read_table,
)

COLUMNS = {
    "nik": ("NIK",),
    "nama": ("Nama", "Nama Lengkap", "Name"),
    "tgl": ("Tgl Lahir", "Tanggal Lahir", "Birth date"),
}
REQUIRED = {"nik", "nama"}


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _read(content: bytes, name: str = "data.csv", **kw: object) -> object:
    return read_table(content, name, columns=COLUMNS, required=REQUIRED, **kw)  # type: ignore[arg-type]


def test_xlsx_keeps_cell_types_and_excel_row_numbers() -> None:
    content = _xlsx(
        [
            ["No", "NIK", "Nama Lengkap", "Tgl. Lahir", "Catatan"],
            [1, "3671011508800001", "Budi", dt.date(1980, 8, 15), "x"],
            [None, None, None, None, None],
            [3, 3671011508800002, "Siti", "15/08/1980", ""],
        ]
    )
    table = _read(content, "daftar.xlsx")
    assert len(table) == 2 and table.blank_rows == 1  # type: ignore[arg-type, attr-defined]
    rows = list(table.rows())  # type: ignore[attr-defined]
    assert [r for r, _ in rows] == [2, 4]
    assert rows[0][1]["nik"] == "3671011508800001" and not is_number_cell(rows[0][1]["nik"])
    assert is_number_cell(rows[1][1]["nik"])  # a number cell: its 16th digit cannot be trusted
    assert parse_date_cell(rows[0][1]["tgl"]) == dt.date(1980, 8, 15)
    assert table.ignored_headers == ["Catatan"]  # type: ignore[attr-defined]  # 'No' is silently ignored
    assert table.header_of("nama") == "Nama Lengkap"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "encoding_name"),
    [
        ("NIK;Nama\n3671011508800001;Dédé\n".encode("latin-1"), "latin-1 semicolon"),
        ("\ufeffNIK,Nama\n3671011508800001,Dédé\n".encode(), "utf-8 bom comma"),
        ("NIK\tNama\n3671011508800001\tDédé\n".encode("cp1252"), "cp1252 tab"),
    ],
)
def test_csv_encodings_and_delimiters(content: bytes, encoding_name: str) -> None:
    table = _read(content)
    (_, row), *_ = list(table.rows())  # type: ignore[attr-defined]
    assert row == {"nik": "3671011508800001", "nama": "Dédé"}, encoding_name


@pytest.mark.parametrize(
    ("content", "name", "fragment"),
    [
        (b"", "a.csv", "kosong"),
        (b"  \n \n", "a.csv", "kosong"),
        (b"NIK,Nama\n", "a.csv", "hanya berisi judul"),
        (b"NIK,Alamat\n1,2\n", "a.csv", "Kolom wajib tidak ditemukan: nama"),
        (b"this is not a zip", "a.xlsx", "bukan berkas Excel"),
        (b"PK\x03\x04broken zip", "a.xlsx", "tidak dapat dibaca"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls", ".xls"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "foto.csv", "biner"),
    ],
)
def test_bad_files_get_an_indonesian_reason(content: bytes, name: str, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        _read(content, name)


def test_size_and_row_limits_refuse_before_parsing_everything() -> None:
    with pytest.raises(ValidationError, match="terlalu besar"):
        _read(b"NIK,Nama\n" + b"1,a\n" * 1000, max_bytes=100)
    with pytest.raises(ValidationError, match="batas satu impor 10 baris"):
        _read(b"NIK,Nama\n" + b"1,a\n" * 11, max_rows=10)


def test_cell_text_and_dates() -> None:
    assert cell_text(3671011508800001.0) == "3671011508800001"
    assert cell_text(None) == "" and cell_text(dt.date(2024, 11, 15)) == "15/11/2024"
    for text in ("15/11/1980", "15-11-1980", "1980-11-15", "1980-11-15 00:00:00", 29540):
        assert parse_date_cell(text) == dt.date(1980, 11, 15), text
    assert parse_date_cell("31/02/1980") is None and parse_date_cell("kemarin") is None and parse_date_cell("") is None


def test_errors_report_is_a_safe_workbook() -> None:
    content = errors_report_xlsx([RowError(3, "Nama", '=HYPERLINK("x")', "Nama berisi rumus")])
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws is not None
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert '=HYPERLINK("x")' in values and "Nama berisi rumus" in values and 3 in values  # as typed (issue 22)
    cell = next(c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s" and cell.quotePrefix  # a text cell Excel keeps inert


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Kreo", "36.71.13.1004"),
        ("KEREO", "36.71.13.1004"),
        ("Cibodasari", "36.71.09.1002"),
        ("Kel. Cibodas Sari", "36.71.09.1002"),
        ("3671011001", "36.71.01.1001"),
        ("36.71.01.1001", "36.71.01.1001"),
        ("Gaga", "36.71.13.1006"),
    ],
)
def test_kelurahan_by_code_or_spelling_variant(typed: str, expected: str) -> None:
    assert resolve_kelurahan(typed) == (expected, None)


@pytest.mark.parametrize("typed", ["Poris", "Sudimara", "Xyzzy", "", "Karang"])
def test_unknown_or_ambiguous_kelurahan_is_never_guessed(typed: str) -> None:
    code, reason = resolve_kelurahan(typed)
    assert code is None and reason and "Kelurahan" in reason


def test_kecamatan_must_agree() -> None:
    assert resolve_kelurahan("Kreo", "Larangan") == ("36.71.13.1004", None)
    code, reason = resolve_kelurahan("Kreo", "Cibodas")
    assert code is None and reason is not None and "Larangan" in reason
    assert resolve_kecamatan("Karawachi")[0] is not None and resolve_kecamatan("Atlantis")[0] is None
    assert place_key(" Kel. Cibodas-Sari ") == "cibodassari"
