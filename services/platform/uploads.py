"""Upload limits, checked on the raw bytes before any parser sees them (pages and CLI imports alike).

Streamlit refuses anything over `server.maxUploadSize` (.streamlit/config.toml, MAX_UPLOAD_MB) before the page
runs; this module applies each import's own, smaller limits with a clear Indonesian message: bytes, then rows
(counted cheaply: non-blank lines of a CSV, the row tags of an XLSX sheet, streamed), and for XLSX the
unpacked size too (a 1 MB zip can unpack to gigabytes). A file that passes is then parsed by the reader.
"""

import io
import zipfile
from dataclasses import dataclass

from services.platform import fmt
from services.platform.errors import ValidationError

MB = 1024 * 1024
MAX_UPLOAD_MB = 30  # keep equal to server.maxUploadSize in .streamlit/config.toml (check-config compares them)
ZIP_MAGIC = b"PK\x03\x04"
XLSX_MAX_UNPACKED_FACTOR = 20  # XLSX sheets compress ~5-10x; more is a zip bomb


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
        rows = count_xlsx_rows(data, filename=filename, max_unpacked=limit.max_bytes * XLSX_MAX_UNPACKED_FACTOR)
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


def count_xlsx_rows(data: bytes, *, filename: str, max_unpacked: int) -> int:
    """Data rows of the largest sheet, read from the sheet XML inside the zip without building the workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValidationError(
            f"Berkas {filename} tidak dapat dibaca sebagai Excel (rusak atau terpotong). Simpan ulang dari Excel "
            "sebagai .xlsx."
        ) from exc
    with archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > max_unpacked:
            raise ValidationError(
                f"Berkas {filename} terlalu besar setelah dibuka ({_megabytes(unpacked)}). Simpan sebagai CSV atau "
                "pecah menjadi beberapa bagian."
            )
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        return max((_sheet_rows(archive, sheet) for sheet in sheets), default=0)


def _sheet_rows(archive: zipfile.ZipFile, sheet: str) -> int:
    """Rows holding cells (`</row>`; empty rows are written `<row …/>`), streamed: the sheet is never held."""
    count, tail = 0, b""
    with archive.open(sheet) as stream:
        while chunk := stream.read(1 << 20):
            count += (tail + chunk).count(b"</row>")
            tail = chunk[-5:]  # shorter than "</row>": no tag counted twice
    return max(count - 1, 0)
