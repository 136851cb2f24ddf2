"""Upload limits on the raw bytes, before parsing. Bad inputs tried: an empty file, a file 1 byte over the
limit, 200,001 data rows as CSV and as XLSX (declared size and, without it, counted row tags), a zip bomb, a
renamed non-zip .xlsx, a fake PDF. The config's upload limit equals the module's."""

import io
import tomllib
import zipfile

import pandas as pd
import pytest

from services.platform import uploads
from services.platform.errors import ValidationError
from services.platform.settings import PROJECT_ROOT

SMALL = uploads.UploadLimit("data uji", 1000, 3)


def _xlsx(rows: int, *, dimension: bool = True) -> bytes:
    cells = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, rows + 2))
    dim = f'<dimension ref="A1:A{rows + 1}"/>' if dimension else ""
    sheet = f'<?xml version="1.0"?><worksheet xmlns="x">{dim}<sheetData>{cells}</sheetData></worksheet>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def test_empty_and_too_large_files_are_refused_with_the_limit_named() -> None:
    with pytest.raises(ValidationError, match="kosong"):
        uploads.check_upload(b"", filename="a.csv", limit=SMALL)
    with pytest.raises(ValidationError, match="terlalu besar.*data uji"):
        uploads.check_upload(b"x" * 1001, filename="a.csv", limit=SMALL)
    uploads.check_upload(b"h\n1\n2\n3\n", filename="a.csv", limit=SMALL)  # exactly the limit passes


def test_too_many_csv_rows_are_refused_before_parsing() -> None:
    with pytest.raises(ValidationError, match="4 baris data; batas satu impor 3 baris"):
        uploads.check_upload(b"h\n1\n2\n3\n4", filename="a.CSV", limit=SMALL)
    assert uploads.count_csv_rows(b"nik;nama\r\n1;a\r\n2;b\r\n") == 2
    assert uploads.count_csv_rows(b"nik;nama\n1;a\n\n\n2;b\n\n") == 2  # blank lines are not rows


def test_200001_worker_rows_are_refused_and_200000_pass() -> None:
    header = b"nik;nama;kelurahan\n"
    row = b"3671010101900001;Siti Aminah;Jatake\n"
    with pytest.raises(ValidationError, match="200.001 baris"):
        uploads.check_upload(header + row * 200_001, filename="pekerja.csv", limit=uploads.WORKERS)
    uploads.check_upload(header + row * 200_000, filename="pekerja.csv", limit=uploads.WORKERS)


@pytest.mark.parametrize("dimension", [True, False])
def test_xlsx_rows_are_counted_from_the_sheet_xml(dimension: bool) -> None:
    assert uploads.count_xlsx_rows(_xlsx(5, dimension=dimension), filename="a.xlsx", max_unpacked=10**9) == 5
    limit = uploads.UploadLimit("data uji", 10**6, 4)
    with pytest.raises(ValidationError, match="5 baris"):
        uploads.check_upload(_xlsx(5, dimension=dimension), filename="a.xlsx", limit=limit)


def test_a_real_excel_file_is_counted() -> None:
    buffer = io.BytesIO()
    pd.DataFrame({"NIK": ["1"] * 7, "Nama": ["a"] * 7}).to_excel(buffer, index=False)
    assert uploads.count_xlsx_rows(buffer.getvalue(), filename="a.xlsx", max_unpacked=10**9) == 7


def test_zip_bombs_and_fake_files_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (5 * uploads.MB))  # compresses to a few KB
    bomb = buffer.getvalue()
    limit = uploads.UploadLimit("data uji", 100_000, 10)
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError, match="setelah dibuka"):
        uploads.check_upload(bomb, filename="bom.xlsx", limit=limit)
    with pytest.raises(ValidationError, match="bukan berkas Excel"):
        uploads.check_upload(b"nik;nama\n1;a\n", filename="ganti-nama.xlsx", limit=limit)
    with pytest.raises(ValidationError, match="tidak dapat dibaca"):
        uploads.check_upload(b"PK\x03\x04terpotong", filename="rusak.xlsx", limit=limit)
    with pytest.raises(ValidationError, match="bukan PDF"):
        uploads.check_upload(b"<html>", filename="surat.pdf", limit=uploads.LETTER_PDF)
    uploads.check_upload(b"%PDF-1.7\n...", filename="surat.pdf", limit=uploads.LETTER_PDF)


def test_streamlit_upload_limit_matches_the_imports() -> None:
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == uploads.MAX_UPLOAD_MB
    biggest = max(uploads.RECIPIENTS.max_bytes, uploads.WORKERS.max_bytes, uploads.LETTER_PDF.max_bytes)
    assert biggest <= uploads.MAX_UPLOAD_MB * uploads.MB
    assert config["client"]["showErrorDetails"] == "none"


# Every way a row or cell tag can be written that the quick paths must not under-count: a namespace prefix, a tab
# or line break after the name, the reference not first, no reference, a self-closing tag, a lowercase or
# absolute reference. Whatever path a chunk takes, the extent is the exact tag-by-tag scan's.
SPELLINGS = [
    '<row r="{r}"><c r="{c}{r}"><v>1</v></c></row>',
    '<x:row r="{r}"><x:c r="{c}{r}"><x:v>1</x:v></x:c></x:row>',
    '<row\tr="{r}"><c\nr="{c}{r}"><v>1</v></c></row>',
    '<row spans="1:2" r="{r}"><c s="1" r="{c}{r}"><v>1</v></c></row>',
    "<row><c><v>1</v></c><c/></row>",
    '<row r="{r}"/>',
    '<row r="{r}"><c r="{lower}{r}"><v>1</v></c></row>',
    '<row r="{r}"><c r="${c}${r}"><v>1</v></c></row>',
]


@pytest.mark.parametrize("far", ["row", "column"])
@pytest.mark.parametrize("spelling", range(len(SPELLINGS)))
def test_every_tag_spelling_is_sized_as_the_exact_scan_sizes_it(spelling: int, far: str) -> None:
    limit = uploads.UploadLimit("data uji", 10**9, 50)
    body = ['<row r="1"><c r="A1"><v>1</v></c></row>']
    for r in range(2, 40):
        column = "BM" if far == "column" and r == 39 else "C"
        template = SPELLINGS[spelling] if r == 39 else SPELLINGS[0]
        body.append(template.format(r=r if far == "column" else 60, c=column, lower=column.lower()))
    sheet = ('<worksheet xmlns:x="y"><sheetData>' + "".join(body) + "</sheetData></worksheet>").encode()
    exact = uploads._Scan("a.xlsx", limit)
    try:
        exact.exact(sheet)
        expected: str | None = None
    except ValidationError as refused:
        expected = str(refused)
    try:
        uploads.sheet_extent(io.BytesIO(sheet), filename="a.xlsx", limit=limit)
        got: str | None = None
    except ValidationError as refused:
        got = str(refused)
    assert got == expected
