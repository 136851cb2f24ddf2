"""NIK (Nomor Induk Kependudukan): format checks, what it encodes, and masking.

Layout PPKKCC DDMMYY SSSS: issuing province/regency/district, birth date (day + 40 for women), serial.
There is no check digit, so a well-formed NIK can still be wrong; the region is where it was issued,
not where the person lives.
"""

import datetime as dt
import re
from dataclasses import dataclass

from services.platform.errors import ValidationError

_DIGITS16 = re.compile(r"^\d{16}$")
_PROVINCE_CODES = {
    11,
    12,
    13,
    14,
    15,
    16,
    17,
    18,
    19,
    21,
    31,
    32,
    33,
    34,
    35,
    36,
    51,
    52,
    53,
    61,
    62,
    63,
    64,
    65,
    71,
    72,
    73,
    74,
    75,
    76,
    81,
    82,
    91,
    92,
    93,
    94,
    95,
    96,
    97,
}


@dataclass(frozen=True)
class NikInfo:
    region_code: str  # PPKKCC
    birth_date: dt.date
    sex: str  # "L" or "P"


def normalise(raw: object) -> str:
    """Text as typed or read from a file; refuses what Excel turned into a number."""
    if raw is None:
        raise ValidationError("NIK kosong: isi 16 digit NIK.")
    if isinstance(raw, float):
        raise ValidationError(
            "NIK terbaca sebagai angka (dirusak Excel): simpan kolom NIK sebagai Teks lalu impor lagi."
        )
    text = str(raw).strip().replace(" ", "")
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text):
        raise ValidationError("NIK tertulis dalam notasi ilmiah (dirusak Excel): simpan kolom NIK sebagai Teks.")
    return text


def parse(raw: object, *, century_pivot: int | None = None) -> NikInfo:
    """Validate the format and decode region, birth date and sex. Raises ValidationError in Indonesian."""
    nik = normalise(raw)
    if not _DIGITS16.match(nik):
        raise ValidationError(f"NIK harus 16 digit angka (tertulis {len(nik)} karakter).")
    if nik.endswith("000") and nik[-4:] == "0000":
        raise ValidationError("Nomor urut NIK (4 digit terakhir) tidak boleh 0000: periksa kembali.")
    if int(nik[:2]) not in _PROVINCE_CODES:
        raise ValidationError(f"Kode provinsi NIK '{nik[:2]}' tidak dikenal: periksa 2 digit pertama.")
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > 40:
        day, sex = day - 40, "P"
    pivot = century_pivot if century_pivot is not None else dt.date.today().year % 100
    year = 2000 + year2 if year2 <= pivot else 1900 + year2
    try:
        birth = dt.date(year, month, day)
    except ValueError:
        raise ValidationError("Tanggal lahir di dalam NIK (digit 7–12) tidak valid: periksa kembali.") from None
    return NikInfo(region_code=nik[:6], birth_date=birth, sex=sex)


def is_valid(raw: object) -> bool:
    try:
        parse(raw)
    except ValidationError:
        return False
    return True


def mask(nik: str | None) -> str:
    """First four and last four digits only: 3671********0001."""
    if not nik:
        return ""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]
