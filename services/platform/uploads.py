"""Upload limits, checked on the raw bytes before any parser sees them (pages and CLI imports alike).

Streamlit refuses anything over `server.maxUploadSize` (.streamlit/config.toml, MAX_UPLOAD_MB) before the page
runs; this module applies each import's own, smaller limits with a clear Indonesian message: bytes, then rows
(counted cheaply: non-blank lines of a CSV, the row tags of an XLSX sheet, streamed), and for XLSX the
unpacked size too (a 1 MB zip can unpack to gigabytes). A file that passes is then parsed by the reader.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from services.platform import fmt
from services.platform.errors import ValidationError

MB = 1024 * 1024
MAX_UPLOAD_MB = 30  # keep equal to server.maxUploadSize in .streamlit/config.toml (check-config compares them)
ZIP_MAGIC = b"PK\x03\x04"
XLSX_MAX_UNPACKED_FACTOR = 20  # XLSX sheets compress ~5-10x; more is a zip bomb
XLSX_MAX_RATIO = 200  # one member unpacking to more than 200x its packed size is a bomb (real sheets: 5-30x)
# The reader (calamine) allocates a dense grid from A1 to the last cell, whatever lies between: the sheet's extent
# is checked before it runs. Our widest import has 15 columns; 4 million cells is a 200,000-row file 20 columns
# wide (~130 MB in the reader's grid; measured in docs/security.md).
MAX_COLUMNS = 64  # up to column BL
MAX_CELLS = 4_000_000


@dataclass(frozen=True)
class UploadLimit:
    label: str  # what the file is, as the user knows it
    max_bytes: int
    max_rows: int = 0  # data rows after the header; 0: not a table


# 200,000 rows of a recipient or worker list are ~20-30 MB as CSV (NIK, name, address, kelurahan, phone).
RECIPIENTS = UploadLimit("daftar penerima surat", 30 * MB, 200_000)
WORKERS = UploadLimit("data pekerja", 30 * MB, 200_000)
COVERAGE_RESULTS = UploadLimit("hasil pendaftaran BPJS", 30 * MB, 200_000)
LETTER_PDF = UploadLimit("surat edaran (PDF)", 10 * MB)


def _megabytes(n: int) -> str:
    return f"{fmt.decimal(n / MB, 1)} MB" if n >= MB else f"{fmt.number(round(n / 1024))} KB"


def check_upload(data: bytes, *, filename: str, limit: UploadLimit) -> None:
    """Refuse a file too large, too long, unpacking too large or not what it claims, before parsing it."""
    if not data:
        raise ValidationError(f"Berkas {filename} kosong. Pilih berkas {limit.label} yang berisi data.")
    if len(data) > limit.max_bytes:
        raise ValidationError(
            f"Berkas {filename} terlalu besar ({_megabytes(len(data))}); batas untuk {limit.label} adalah "
            f"{_megabytes(limit.max_bytes)}. Pecah berkas menjadi beberapa bagian lalu unggah satu per satu."
        )
    name = filename.lower()
    if name.endswith(".pdf") and not data.startswith(b"%PDF-"):
        raise ValidationError(f"Berkas {filename} bukan PDF yang sah. Simpan ulang suratnya sebagai PDF.")
    if not limit.max_rows:
        return
    if data.startswith(ZIP_MAGIC):  # an XLSX, whatever its name says
        rows = count_xlsx_rows(
            data, filename=filename, max_unpacked=limit.max_bytes * XLSX_MAX_UNPACKED_FACTOR, limit=limit
        )
    elif name.endswith((".xlsx", ".xlsm")):
        raise ValidationError(
            f"Berkas {filename} bernama .xlsx tetapi isinya bukan berkas Excel. Simpan ulang dari Excel sebagai .xlsx."
        )
    elif name.endswith((".csv", ".txt")):
        rows = count_csv_rows(data)
    else:
        return  # other types are refused by the reader itself
    if rows > limit.max_rows:
        raise ValidationError(
            f"Berkas {filename} berisi {fmt.number(rows)} baris data; batas satu impor {fmt.number(limit.max_rows)} "
            f"baris ({limit.label}). Pecah berkas menjadi beberapa bagian lalu unggah satu per satu."
        )


def count_csv_rows(data: bytes) -> int:
    """Data rows of a CSV without parsing it: non-blank lines minus the header (quoted line breaks inside
    fields count as rows: an upper bound, the safe side)."""
    return max(sum(1 for line in data.splitlines() if line.strip()) - 1, 0)


@dataclass(frozen=True)
class SheetExtent:
    """How far a sheet reaches: its last row and column number (1-based) and the rows that hold cells."""

    last_row: int = 0
    last_column: int = 0
    rows_with_cells: int = 0


_REF = re.compile(r"^\$?([A-Za-z]{1,3})?\$?([0-9]{1,7})?$")


def column_number(letters: str) -> int:
    """'A' -> 1, 'XFD' -> 16384."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    """16384 -> 'XFD'."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def _parse_ref(ref: str) -> tuple[int, int]:
    """'XFD200000' -> (200000, 16384); a missing part is 0. Unreadable references count as huge (refused)."""
    match = _REF.match(ref.strip())
    if not match:
        return 10**9, 10**9
    letters, digits = match.groups()
    return (int(digits) if digits else 0), (column_number(letters) if letters else 0)


def _too_far(filename: str, row: int, column: int, limit: UploadLimit) -> ValidationError:
    where = f"baris {fmt.number(row)}" + (f", kolom {column_letters(column)}" if column else "")
    return ValidationError(
        f"Berkas {filename} menjangkau sampai {where}; batas untuk {limit.label} adalah "
        f"{fmt.number(limit.max_rows + 1)} baris (termasuk judul) dan {MAX_COLUMNS} kolom "
        f"(sampai kolom {column_letters(MAX_COLUMNS)}), paling banyak {fmt.number(MAX_CELLS)} sel. Hapus baris dan "
        "kolom kosong di bawah dan di kanan data (atau salin data saja ke lembar baru), simpan, lalu unggah lagi."
    )


# Opening tags of rows, cells and the dimension claim (any namespace prefix) and their references.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)(?=[\s/>])([^>]*)>")
_ATTR_R = re.compile(rb"""\sr(?:ef)?\s*=\s*["']([^"']*)["']""")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])")
_ROW_R = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\br\s*=\s*["']([0-9]+)["']""")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s/>])")
_CELL_R = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br\s*=\s*["']\$?([A-Za-z]{1,3})\$?[0-9]""")
_ROW_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?row>")
# What Excel, openpyxl, xlsxwriter and LibreOffice write: unprefixed tags, the reference first. A chunk with any
# other row or cell tag (a namespace prefix, a tab or line break after the name) leaves the quickest path.
_UNUSUAL = re.compile(rb"<[A-Za-z_][\w.-]*:(?:row|c)[\s/>]|<(?:row|c)[\t\r\n]")
_PLAIN_ROW_R = re.compile(rb'<row r="([0-9]+)"')
_PLAIN_CELL_R = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')


def _plain_tags(data: bytes, name: bytes) -> int:
    """Unprefixed opening tags `<name ...>`, `<name>` and `<name/>` (byte counts, no regex)."""
    return sum(data.count(b"<" + name + end) for end in (b" ", b">", b"/"))


@dataclass
class _Scan:
    filename: str
    limit: UploadLimit
    last_row: int = 0
    last_column: int = 0
    row: int = 0  # the row being read, and the column of its last cell (for tags without a reference)
    column: int = 0

    def check(self, row: int, column: int) -> None:
        self.last_row, self.last_column = max(self.last_row, row), max(self.last_column, column)
        if row > self.limit.max_rows + 1 or column > MAX_COLUMNS or self.last_row * self.last_column > MAX_CELLS:
            raise _too_far(self.filename, row, column, self.limit)

    def quick(self, data: bytes) -> bool:
        """The file every spreadsheet program writes (`<row r="12"`, `<c r="B12"`): references found by two
        literal-led patterns and tags counted as bytes, a third of `fast`'s time. False when any row or cell tag
        is written otherwise (every such tag is either counted here or sends the chunk on)."""
        if _UNUSUAL.search(data):
            return False
        rows = _PLAIN_ROW_R.findall(data)
        columns = _PLAIN_CELL_R.findall(data)
        if len(rows) != _plain_tags(data, b"row") or len(columns) != _plain_tags(data, b"c"):
            return False
        self._highest(rows, columns)
        return True

    def fast(self, data: bytes) -> bool:
        """Any tag spelling, each with a reference: the limits checked on the highest references of the chunk,
        in C. False when some tag has no reference."""
        rows = _ROW_R.findall(data)
        columns = _CELL_R.findall(data)
        if len(rows) != len(_ROW_TAG.findall(data)) or len(columns) != len(_CELL_TAG.findall(data)):
            return False
        self._highest(rows, columns)
        return True

    def _highest(self, rows: list[bytes], columns: list[bytes]) -> None:
        top_row = max(map(int, rows), default=0)
        top_column = max((column_number(c.decode()) for c in set(columns)), default=0)
        # a cell's row is at most the highest row opened so far
        self.check(top_row, 0)
        if columns:
            self.check(max(top_row, self.row), top_column)
        self.row = max(self.row, top_row)

    def exact(self, data: bytes) -> None:
        """Tag by tag: a cell without a reference sits right of the previous one, a row below the previous row."""
        for match in _TAG.finditer(data):
            name, attrs = match.groups()
            ref_match = _ATTR_R.search(attrs)
            ref = ref_match.group(1).decode("ascii", "replace") if ref_match else ""
            if name == b"c":
                self.column = _parse_ref(ref)[1] if ref else self.column + 1
                self.check(self.row, self.column)
            elif name == b"row":
                self.row = int(ref) if ref.isdigit() else self.row + 1
                self.column = 0
                self.check(self.row, 0)
            else:
                self.check(*_parse_ref(ref.split(":")[-1]))


def sheet_extent(stream: IO[bytes], *, filename: str, limit: UploadLimit) -> SheetExtent:
    """Scan a worksheet's XML in 1 MB chunks and stop at the first chunk reaching beyond the limits.

    The `<dimension>` tag is only a claim (it may be missing or lie), so every row and cell reference is read
    too. A scan of the tags, not a parse (a parser's callbacks took 2,5x as long): anything it miscounts (a
    tag-like text in CDATA) only counts more, the safe side; the reader parses the file once it is sized."""
    scan = _Scan(filename, limit)
    rows_with_cells = 0
    tail = b""
    first = True
    while chunk := stream.read(1 << 20):
        data = tail + chunk
        cut = data.rfind(b"<")
        data, tail = (data[:cut], data[cut:]) if cut >= 0 and data.find(b">", cut) < 0 else (data, b"")
        if first:  # the claim comes first: a lying-large claim is refused before anything else is read
            claim = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*>", data)
            if claim and (ref := _ATTR_R.search(claim.group(0))):
                scan.check(*_parse_ref(ref.group(1).decode("ascii", "replace").split(":")[-1]))
            first = False
        if scan.quick(data):
            rows_with_cells += data.count(b"</row>")
            continue
        if not scan.fast(data):
            scan.exact(data)
        rows_with_cells += len(_ROW_END.findall(data))
        if len(tail) > 1 << 20:  # a "tag" over 1 MB long is not a spreadsheet
            raise ValidationError(f"Berkas {filename} bukan lembar kerja Excel yang sah. Simpan ulang dari Excel.")
    return SheetExtent(scan.last_row, scan.last_column, rows_with_cells)


def count_xlsx_rows(data: bytes, *, filename: str, max_unpacked: int, limit: UploadLimit | None = None) -> int:
    """Data rows of the largest sheet, read from the sheet XML inside the zip without building the workbook.

    On the way every sheet's extent is checked against `limit` (rows, columns, cells) and the archive against
    zip bombs (total unpacked size, and each member's packing ratio), so the reader never meets a file it
    would allocate gigabytes for."""
    limit = limit or UploadLimit("berkas ini", len(data), 10**9)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _unreadable(filename) from exc
    with archive:
        infos = archive.infolist()
        unpacked = sum(info.file_size for info in infos)
        bomb = any(
            info.file_size > 1 * MB and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1) for info in infos
        )
        if unpacked > max_unpacked or bomb:
            raise ValidationError(
                f"Berkas {filename} terlalu besar setelah dibuka ({_megabytes(unpacked)}). Simpan sebagai CSV atau "
                "pecah menjadi beberapa bagian."
            )
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        rows = 0
        for sheet in sheets:
            try:
                with archive.open(sheet) as stream:
                    extent = sheet_extent(stream, filename=filename, limit=limit)
            except (zipfile.BadZipFile, EOFError, ValueError, zlib.error) as exc:
                raise _unreadable(filename) from exc
            rows = max(rows, extent.rows_with_cells - 1)
        return max(rows, 0)


def _unreadable(filename: str) -> ValidationError:
    return ValidationError(
        f"Berkas {filename} tidak dapat dibaca sebagai Excel (rusak atau terpotong). Simpan ulang dari Excel "
        "sebagai .xlsx."
    )
