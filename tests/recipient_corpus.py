"""The corpus of recipient files (good and bad), built deterministically.

`python -m tests.recipient_corpus` writes the small ones to tests/data/recipients/ (committed, to try the page and
the CLI by hand); tests build them in memory, the 10,000-row file included.
"""

import csv
import io
import sys
from pathlib import Path

from openpyxl import Workbook

HEADERS_ID = [
    "Nama Perusahaan",
    "NIB",
    "NPP",
    "Alamat",
    "Kelurahan",
    "Kecamatan",
    "Lintang",
    "Bujur",
    "Sektor",
    "Jumlah Karyawan",
    "Nama Kontak",
    "Email",
    "Telepon",
]
HEADERS_EN = [
    "Company name",
    "NIB",
    "NPP",
    "Address",
    "Village",
    "District",
    "Latitude",
    "Longitude",
    "Sector",
    "Employees",
    "Contact person",
    "E-mail",
    "Phone",
]
# (kelurahan, kecamatan) pairs of Kota Tangerang, written as an office would.
PLACES = [
    ("Kreo", "Larangan"),
    ("Cibodas Sari", "Cibodas"),
    ("36.71.02.1001", ""),
    ("Sukasari", "Tangerang"),
    ("Karawaci", "Karawaci"),
    ("Jatiuwung", "Cibodas"),
]


def nib(i: int) -> str:
    return f"91200{i:08d}"


def row(i: int, *, with_site: bool = True) -> list[object]:
    kel, kec = PLACES[i % len(PLACES)]
    return [
        f"PT Uji Penerima {i:05d}",
        nib(i),
        f"{10_000_000 + i}",
        f"Jl. Industri No. {i % 200 + 1}",
        kel,
        kec,
        "-6,2" if with_site and i % 2 == 0 else None,
        "106,57" if with_site and i % 2 == 0 else None,
        "Logistik",
        100 + i % 900,
        f"Ibu Kontak {i}",
        f"csr{i}@uji.co.id",
        f"0812{i:07d}",
    ]


def xlsx(rows: list[list[object]], headers: list[str] = HEADERS_ID, *, text_nib: bool = True) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(headers)
    for r in rows:
        ws.append(r)
    if text_nib:
        for cell in ws["B"][1:]:
            cell.number_format = "@"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: list[list[object]], headers: list[str] = HEADERS_ID, *, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([["" if v is None else v for v in r] for r in rows])
    return out.getvalue().encode(encoding)


def five_with_one_bad() -> bytes:
    """The e2e file: four good rows and one with a NIB of 12 digits."""
    rows = [row(i) for i in range(1, 6)]
    rows[2][1] = "912000000003"[:12]
    return xlsx(rows)


def corpus() -> dict[str, bytes]:
    """Every small file of the corpus by name (what each tries is in its name)."""
    latin = [row(1), row(2)]
    latin[0][0] = "PT Kopi Ñusantara Café"
    latin[1][3] = "Jl. Raya Serpong Km 7, Blok Ç"
    formula = [row(1), row(2), row(3)]
    formula[1][0] = '=HYPERLINK("http://jahat.example","klik")'
    formula[2][0] = "@SUM(A1:A9)"
    number_nib = [row(1), row(2)]
    number_nib[1][1] = int(nib(2))
    unknown = [row(1), row(2)]
    unknown[1][4] = "Kelurahan Antah Berantah"
    dupes = [row(1), row(2), row(1), row(3)]
    return {
        "empty.csv": b"",
        "header_only.xlsx": xlsx([]),
        "header_only.csv": csv_bytes([]),
        "wrong_columns.csv": csv_bytes([["a", "b", "c"]], headers=["Nama Pekerja", "NIK", "Tanggal Lahir"]),
        "renamed_binary.xlsx": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        "latin1.csv": csv_bytes(latin, encoding="latin-1", delimiter=","),
        "semicolon.csv": csv_bytes([row(1), row(2), row(3)], delimiter=";"),
        "english_headers.xlsx": xlsx([row(1), row(2)], headers=HEADERS_EN),
        "formula_injection.csv": csv_bytes(formula),
        "nib_as_number.xlsx": xlsx(number_nib, text_nib=False),
        "unknown_kelurahan.csv": csv_bytes(unknown),
        "duplicates.xlsx": xlsx(dupes),
        "five_one_bad.xlsx": five_with_one_bad(),
    }


def ten_thousand() -> bytes:
    """10,000 valid rows (every other one without a site: the kelurahan's inside point is used)."""
    return xlsx([row(i) for i in range(1, 10_001)])


def latin1_is_latin1() -> bool:  # guard: the Latin-1 file must not be valid UTF-8
    try:
        corpus()["latin1.csv"].decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


if __name__ == "__main__":
    target = Path(__file__).resolve().parent / "data" / "recipients"
    target.mkdir(parents=True, exist_ok=True)
    for name, content in corpus().items():
        (target / name).write_bytes(content)
    print(f"{len(corpus())} files in {target}", file=sys.stderr)
