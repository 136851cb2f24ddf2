"""Masked worker list files: formula-injection-safe cells, NIK kept as text, readable by Excel and pandas."""

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from services.platform import exports


@pytest.mark.parametrize("text", ["=1+1", "+62812", "-5", "@SUM(A1)", "\uff1d1+1", "  =1+1"])
def test_formula_prefixes_get_a_quote(text: str) -> None:
    assert exports.safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("\r=1+1", "' =1+1"),
        ("\n=1+1", "' =1+1"),
        ("\t=cmd", "' =cmd"),
        ("Siti\r\n=1+1", "Siti  =1+1"),
        ("a\x00b", "a b"),
        ("\u2028@x", "' @x"),
    ],
)
def test_control_characters_become_spaces_before_the_formula_check(text: str, safe: str) -> None:
    assert exports.safe_cell(text) == safe


def test_csv_injection_through_a_carriage_return_cannot_start_a_row() -> None:
    """The finding: a name "\\r=1+1" was written unquoted; readers split the row and the next began with =1+1."""
    df = pd.DataFrame({"NIK": ["3671********0001"], "Nama": ["\r=1+1"], "Alamat": ["Jl. A\n-2+3"], "Usia": [30]})
    raw = exports.to_csv(df).decode("utf-8-sig")
    lines = raw.split("\r\n")
    assert lines[0] == '"NIK";"Nama";"Alamat";"Usia"'
    assert lines[1] == '"3671********0001";"\' =1+1";"Jl. A -2+3";"30"'  # every field quoted
    assert lines[2] == "" and len(lines) == 3
    for line in raw.splitlines():  # whatever a reader takes as a line break, no line starts a formula
        assert not line.lstrip('"').startswith(("=", "+", "-", "@"))
    back = pd.read_csv(io.StringIO(raw), sep=";", dtype=str)
    assert back.shape == (1, 4) and back["Nama"][0] == "' =1+1"


@pytest.mark.parametrize("value", ["Siti Aminah", "3671********0001", 12, 1.5, None, ""])
def test_ordinary_values_pass_unchanged(value: object) -> None:
    assert exports.safe_cell(value) == value


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "NIK": ["3671********0001", "3603********1234"],
            "Nama": ['=HYPERLINK("http://x","klik")', "Budi Santoso"],
            "Kelurahan": ["Jatake", "@Keroncong"],
            "Jarak (km)": [1.25, 2.5],
        }
    )


def test_csv_is_safe_and_keeps_masked_nik() -> None:
    raw = exports.to_csv(_frame())
    assert raw.startswith("\ufeff".encode())
    back = pd.read_csv(io.BytesIO(raw), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(back["NIK"]) == ["3671********0001", "3603********1234"]
    assert back["Nama"][0].startswith("'=") and back["Kelurahan"][1] == "'@Keroncong"


def test_xlsx_is_safe_with_nik_as_text() -> None:
    raw = exports.to_xlsx(_frame(), title="Ikrar #1")
    ws = load_workbook(io.BytesIO(raw)).active
    assert ws is not None
    assert ws["A1"].value == "Ikrar #1"
    assert [c.value for c in ws[3]] == ["NIK", "Nama", "Kelurahan", "Jarak (km)"]
    assert ws["A4"].value == "3671********0001" and ws["A4"].data_type == "s" and ws["A4"].number_format == "@"
    # Excel: the text as typed (no visible apostrophe), a text cell with Excel's own quote prefix (issue 22).
    assert ws["B4"].value == '=HYPERLINK("http://x","klik")' and ws["B4"].data_type == "s" and ws["B4"].quotePrefix
    assert ws["C5"].value == "@Keroncong" and ws["C5"].quotePrefix and not ws["C4"].quotePrefix
    assert ws["D4"].value == 1.25
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            assert cell.data_type != "f"  # never a formula


def test_csv_uses_one_locale_decimal_comma_with_semicolons() -> None:
    text = exports.to_csv(_frame()).decode("utf-8-sig")
    assert "1,25" in text and "2,5" in text and "1.25" not in text
    back = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert list(back["Jarak (km)"]) == [1.25, 2.5]
