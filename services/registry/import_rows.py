"""Validating a worker file row by row (no database): the accepted rows, the refused ones and the duplicates.

The per-row work is kept small for 200,000-row files: the few distinct kelurahan/kecamatan spellings and
birth-date cells are resolved once each (cached), phone numbers take a regex fast path before the full parser.
"""

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from services.platform import sheets
from services.platform.errors import ValidationError
from services.platform.regions import resolve_kelurahan
from services.registry import fields, nik
from services.registry.runs import Tally, rows_by_nik

WORKER_COLUMNS: dict[str, tuple[str, ...]] = {
    "nik": ("NIK", "No KTP", "Nomor KTP", "Nomor Induk Kependudukan"),
    "name": ("Nama", "Nama Lengkap", "Nama Pekerja", "Name", "Full name"),
    "sex": ("Jenis Kelamin", "JK", "L/P", "Kelamin", "Sex", "Gender"),
    "birth_date": ("Tanggal Lahir", "Tgl Lahir", "Tgl. Lahir", "Tanggal_Lahir", "Birth date", "Date of birth", "DOB"),
    "kelurahan": ("Kelurahan", "Kel", "Desa/Kelurahan", "Kode Kelurahan", "Village"),
    "kecamatan": ("Kecamatan", "Kec", "District"),
    "address": ("Alamat", "Alamat Lengkap", "Address"),
    "occupation": ("Pekerjaan", "Jenis Pekerjaan", "Occupation", "Job"),
    "desil": ("Desil", "Desil Kesejahteraan", "Decile"),
    "phone": ("No HP", "Nomor HP", "HP", "No Telp", "Telepon", "Phone", "Mobile"),
    "lat": ("Latitude", "Lintang", "Lat"),
    "lon": ("Longitude", "Bujur", "Lon", "Lng", "Long"),
}
WORKER_REQUIRED = {"nik", "name", "kelurahan"}
MAX_BYTES = 40 * sheets.MB
MAX_ROWS = 250_000

Progress = Callable[[float, str], None]


@functools.lru_cache(maxsize=4096)
def _kelurahan(value: str, kecamatan: str) -> tuple[str | None, str | None]:
    return resolve_kelurahan(value, kecamatan or None)


def _date_cell(value: sheets.Cell) -> dt.date | None:
    if isinstance(value, str | int | float | dt.date):
        return _date_cached(value)
    return sheets.parse_date_cell(value)


@functools.lru_cache(maxsize=65_536)
def _date_cached(value: str | int | float | dt.date) -> dt.date | None:
    return sheets.parse_date_cell(value)


def check_rows(
    table: sheets.Table, *, occupations: dict[str, str], progress: Progress | None = None
) -> tuple[list[dict[str, Any]], Tally]:
    """Validate every row: the accepted rows in file order (first NIK wins) and the tally of refusals.
    `occupations` maps a lower-cased occupation to the registry's spelling of it."""
    tally = Tally(table)
    accepted: list[dict[str, Any]] = []
    has = {c: table.has(c) for c in WORKER_COLUMNS}
    total = max(len(table), 1)
    for i, (row_no, value, info, cells) in enumerate(rows_by_nik(tally)):
        if progress is not None and i % 20_000 == 0:
            progress(i / total, f"Memeriksa baris {i:,} dari {total:,}")
        row, problems = _check_one(value, info, cells, has, occupations)
        if problems:
            for column, why in problems:
                tally.refuse(row_no, column, cells.get(column), why)
            tally.rejected += 1
            continue
        row["row"] = row_no
        accepted.append(row)
    return accepted, tally


def _occupation(cells: dict[str, sheets.Cell]) -> str:
    return fields.text(cells.get("occupation"), label="Pekerjaan", max_len=fields.OCCUPATION_MAX)


# Optional columns: (column, parser of the row's cells). Built once, not per row.
_OPTIONAL: tuple[tuple[str, Callable[[dict[str, sheets.Cell]], Any]], ...] = (
    ("address", lambda c: fields.text(c.get("address"), label="Alamat", max_len=fields.ADDRESS_MAX)),
    ("occupation", _occupation),
    ("desil", lambda c: fields.desil(c.get("desil"))),
    ("phone", lambda c: fields.phone(c.get("phone"))),
)
_UNREADABLE_DATE = "Tanggal lahir tidak terbaca: tulis 15/11/1980, 15-11-1980 atau 1980-11-15."


def _check_one(
    value: str,
    info: nik.NikInfo,
    cells: dict[str, sheets.Cell],
    has: dict[str, bool],
    occupations: dict[str, str],
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    row: dict[str, Any] = {"nik": value}
    try:
        row["name"] = fields.name(cells.get("name"))
    except ValidationError as exc:
        problems.append(("name", str(exc)))
    code, why = _kelurahan(sheets.cell_text(cells.get("kelurahan")), sheets.cell_text(cells.get("kecamatan")))
    if code is None:
        problems.append(("kelurahan", why or "Kelurahan tidak dikenal."))
    row["kelurahan_code"] = code
    sex = None
    if has["sex"]:
        try:
            sex = fields.sex(cells.get("sex"))
        except ValidationError as exc:
            problems.append(("sex", str(exc)))
    birth = None
    raw_birth = cells.get("birth_date")
    if raw_birth is not None and not fields.is_blank(raw_birth):
        birth = _date_cell(raw_birth)
        if birth is None:
            problems.append(("birth_date", _UNREADABLE_DATE))
    mismatch = fields.agrees_with_nik(info, birth=birth, sex_value=sex)
    if mismatch is not None:
        problems.append(mismatch)
    row["sex"] = sex or info.sex
    row["birth_date"] = fields.birth_year(info, birth)
    for column, parse in _OPTIONAL:
        if not has[column]:
            continue
        try:
            parsed = parse(cells)
        except ValidationError as exc:
            problems.append((column, str(exc)))
            continue
        if parsed not in ("", None):  # blank: no information, keep what the registry holds
            row[column] = parsed
    if "occupation" in row:
        occupation = row["occupation"]
        row["occupation"] = occupations.get(occupation.lower(), occupation[:1].upper() + occupation[1:])
    if has["lat"] or has["lon"]:
        try:
            lat, lon = fields.coordinates(cells.get("lat"), cells.get("lon"))
        except ValidationError as exc:
            problems.append(("lat", str(exc)))
        else:
            if lat is not None:
                row["lat"], row["lon"] = lat, lon
    return row, problems
