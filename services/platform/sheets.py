"""Reading the spreadsheets city staff keep — .xlsx and .csv, headers in Indonesian or English — as they are.

Every import (recipients, workers, covered-elsewhere lists, BPJS results) reads its file here, so each gets the
same answers to the same mistakes: an empty file, a header without rows, a renamed binary, an old .xls, a
missing column, a Latin-1 or semicolon CSV, a file too large. Cells keep their raw Python type from the
workbook (text, number, date), because a number cell means something: Excel keeps only 15 significant digits,
so a 16-digit NIK or a 13-digit NIB stored as a number cannot be trusted and must be refused, not repaired.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from services.platform import uploads
from services.platform.errors import ValidationError

MB = 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and other Office 97 files)
IGNORED_HEADERS = {"no", "nomor", "nourut", "number", "num"}  # a leading running number is not data

Cell = str | int | float | dt.date | dt.datetime | None


@dataclass(frozen=True)
class RowError:
    """One refused value: the row as the user sees it in Excel (the header is row 1), the column as written."""

    row: int
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class Table:
    """The data rows of a file, by canonical column name; blank rows are dropped and counted."""

    headers: dict[str, str]  # canonical name -> the header as written in the file
    row_numbers: list[int]
    cells: dict[str, list[Cell]]
    blank_rows: int = 0
    ignored_headers: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.row_numbers)

    def has(self, name: str) -> bool:
        return name in self.cells

    def column_values(self, name: str) -> list[Cell]:
        """One column's raw values in row order (None when the column is absent or the cell empty)."""
        return self.cells.get(name) or [None] * len(self.row_numbers)

    def header_of(self, name: str) -> str:
        return self.headers.get(name, name)

    def rows(self) -> Iterator[tuple[int, dict[str, Cell]]]:
        names = list(self.cells)
        columns = [self.cells[n] for n in names]
        for i, number in enumerate(self.row_numbers):
            yield number, {n: col[i] for n, col in zip(names, columns, strict=True)}


def normalise_header(text: object) -> str:
    """'Tgl. Lahir ' -> 'tgllahir': case, spaces and punctuation do not matter in a header."""
    return re.sub(r"[^0-9a-z]", "", str(text or "").lower())


def _is_blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value: object) -> Cell:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return value  # type: ignore[return-value]


def _read_xlsx(content: bytes) -> list[list[Cell]]:
    from python_calamine import CalamineWorkbook  # local: only imports that read a workbook need it

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        return [[_clean(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
    except Exception as exc:  # calamine raises its own types for every kind of broken zip/xml
        raise ValidationError(
            "Berkas Excel ini tidak dapat dibaca (rusak atau bukan .xlsx). Buka di Excel, simpan ulang sebagai "
            "'Excel Workbook (.xlsx)', lalu unggah lagi."
        ) from exc


def _decode(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise ValidationError(
            "Berkas ini bukan CSV atau Excel (isinya biner). Simpan dari Excel sebagai .xlsx atau CSV, "
            "lalu unggah lagi."
        )
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        "Huruf dalam berkas CSV tidak dapat dibaca. Simpan ulang sebagai 'CSV UTF-8'."
    )  # pragma: no cover


def _read_csv(content: bytes) -> list[list[Cell]]:
    text = _decode(content)
    sample = text[:20_000]
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    # The header line decides: the delimiter that splits it into the most fields (Indonesian Excel writes ';').
    delimiter = max([",", ";", "\t", "|"], key=lambda d: first_line.count(d))
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [[_clean(v) for v in row] for row in reader]


def read_table(
    content: bytes,
    filename: str,
    *,
    columns: dict[str, tuple[str, ...]],
    required: set[str],
    max_bytes: int = 30 * MB,
    max_rows: int = 250_000,
) -> Table:
    """Read the first sheet of an .xlsx or a .csv into a `Table`, or raise ValidationError saying what to do.

    `columns` maps each canonical name to the header spellings accepted for it (compared case- and
    punctuation-blind); headers not in it are ignored and listed; a required column that is missing is refused.
    """
    size_mb = len(content) / MB
    if len(content) > max_bytes:
        raise ValidationError(
            f"Berkas terlalu besar ({size_mb:.1f} MB; batas {max_bytes / MB:.0f} MB). Bagi menjadi beberapa berkas "
            "atau jalankan impor dari baris perintah."
        )
    if not content.strip():
        raise ValidationError("Berkas kosong. Pilih berkas yang berisi judul kolom dan data.")
    name = filename.lower()
    if content.startswith(OLE_MAGIC):
        raise ValidationError("Format Excel lama (.xls) tidak didukung. Buka di Excel dan simpan sebagai .xlsx.")
    # Rows (and an XLSX's unpacked size) counted on the raw bytes before anything is parsed.
    uploads.check_upload(content, filename=filename, limit=uploads.UploadLimit("berkas ini", max_bytes, max_rows))
    if content.startswith(XLSX_MAGIC):
        grid = _read_xlsx(content)
    elif name.endswith((".xlsx", ".xlsm")):
        raise ValidationError(
            "Berkas bernama .xlsx tetapi isinya bukan berkas Excel. Simpan ulang dari Excel sebagai .xlsx."
        )
    else:
        grid = _read_csv(content)

    header_index = next((i for i, row in enumerate(grid) if any(not _is_blank(v) for v in row)), None)
    if header_index is None:
        raise ValidationError("Berkas kosong. Pilih berkas yang berisi judul kolom dan data.")
    raw_headers = grid[header_index]
    lookup = {
        normalise_header(s): canonical for canonical, spellings in columns.items() for s in (canonical, *spellings)
    }
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for j, header in enumerate(raw_headers):
        if _is_blank(header):
            continue
        key = normalise_header(header)
        canonical = lookup.get(key)
        if canonical is None or canonical in positions:
            if key not in IGNORED_HEADERS:
                ignored.append(str(header))
            continue
        positions[canonical] = j
        headers[canonical] = str(header)
    missing = [c for c in columns if c in required and c not in positions]
    if missing:
        wanted = "; ".join(f"{c} (atau {', '.join(columns[c][:3])})" if columns[c] else c for c in missing)
        found = ", ".join(str(h) for h in raw_headers if not _is_blank(h)) or "(tidak ada)"
        raise ValidationError(
            f"Kolom wajib tidak ditemukan: {wanted}. Judul kolom di berkas: {found}. "
            "Pastikan baris pertama berisi judul kolom."
        )

    data = grid[header_index + 1 :]
    if len(data) > max_rows:
        raise ValidationError(
            f"Berkas berisi {len(data):,} baris; batas satu impor {max_rows:,} baris. Bagi menjadi beberapa berkas."
        )
    cells: dict[str, list[Cell]] = {c: [] for c in positions}
    row_numbers: list[int] = []
    blank = 0
    for offset, row in enumerate(data):
        values = {c: (row[j] if j < len(row) else None) for c, j in positions.items()}
        if all(_is_blank(v) for v in values.values()):
            blank += 1
            continue
        row_numbers.append(header_index + 2 + offset)  # Excel's row number: 1-based, the header row included
        for c, v in values.items():
            cells[c].append(v)
    if not row_numbers:
        raise ValidationError("Berkas hanya berisi judul kolom, tanpa baris data. Isi datanya lalu unggah lagi.")
    return Table(headers=headers, row_numbers=row_numbers, cells=cells, blank_rows=blank, ignored_headers=ignored)


def is_number_cell(value: Cell) -> bool:
    """True for a cell the workbook stored as a number (not for digits typed as text)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def cell_text(value: Cell) -> str:
    """A cell as the user would read it: integers without '.0', dates as 15/11/1980, empty as ''."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour or value.minute) else value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date_cell(value: Cell) -> dt.date | None:
    """A date from an Excel date cell, an Excel serial number, or text as 15/11/1980, 15-11-1980, 1980-11-15.

    Returns None when the value is not a date (the caller names the column and what to write)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if is_number_cell(value):
        serial = float(value)  # type: ignore[arg-type]
        if serial.is_integer() and 1 <= serial <= 80_000:
            return EXCEL_EPOCH + dt.timedelta(days=int(serial))
        return None
    text = str(value or "").strip()
    if not text:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", text) else text
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def errors_report_xlsx(errors: list[RowError], *, title: str = "Baris yang ditolak") -> bytes:
    """The refused rows as an Excel report (row, column, value, reason), safe against formula injection."""
    import pandas as pd

    from services.platform.exports import to_xlsx

    frame = pd.DataFrame(
        [(e.row, e.column, e.value, e.reason) for e in errors], columns=["Baris", "Kolom", "Nilai", "Alasan"]
    )
    return to_xlsx(frame, sheet_title="Ditolak", title=title)
