"""Pure rules for one worker's fields, shared by the import, the covered-elsewhere list and corrections.

Each parser takes a raw value (as typed, or as read from a cell) and returns the clean value, or raises
ValidationError with an Indonesian reason that says what to fix. No database here.
"""

import datetime as dt
import math
import re

import phonenumbers

from models import CoveredBy
from services.platform.errors import ValidationError
from services.registry.nik import NikInfo

NAME_MAX, ADDRESS_MAX, OCCUPATION_MAX = 120, 300, 60
UNKNOWN_OCCUPATION = "Lainnya"
# A generous box around Kota Tangerang (and its borders): a point outside is a typo or swapped lat/lon.
LAT_RANGE, LON_RANGE = (-6.40, -6.00), (106.45, 106.85)

_SEX = {
    "l": "L",
    "lk": "L",
    "laki-laki": "L",
    "laki laki": "L",
    "lakilaki": "L",
    "pria": "L",
    "m": "L",
    "male": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "wanita": "P",
    "f": "P",
    "female": "P",
}
_MOBILE = re.compile(r"^08\d{7,11}$")
_FORMULA = re.compile(r"^\s*(?:[=@]|[+\-]\s*[^\d\s.,])")
_PLACEHOLDER = {"-", "--", "–", "n/a", "na", "null", "none", "tidak ada", "tdk ada"}

COVERED_BY_LABELS = {
    CoveredBy.CITY_BUDGET.value: "APBD Kota",
    CoveredBy.SELF_PAID.value: "Mandiri (BPU)",
    CoveredBy.OTHER_PROGRAMME.value: "Program lain",
}
_COVERED_BY = {
    "apbd": CoveredBy.CITY_BUDGET.value,
    "apbd kota": CoveredBy.CITY_BUDGET.value,
    "pemkot": CoveredBy.CITY_BUDGET.value,
    "city budget": CoveredBy.CITY_BUDGET.value,
    "mandiri": CoveredBy.SELF_PAID.value,
    "mandiri (bpu)": CoveredBy.SELF_PAID.value,
    "bpu mandiri": CoveredBy.SELF_PAID.value,
    "self-paid": CoveredBy.SELF_PAID.value,
    "self paid": CoveredBy.SELF_PAID.value,
    "program lain": CoveredBy.OTHER_PROGRAMME.value,
    "apbd provinsi": CoveredBy.OTHER_PROGRAMME.value,
    "apbd prov": CoveredBy.OTHER_PROGRAMME.value,
    "baznas": CoveredBy.OTHER_PROGRAMME.value,
    "zakat": CoveredBy.OTHER_PROGRAMME.value,
    "baznas/zakat": CoveredBy.OTHER_PROGRAMME.value,
    "dana desa": CoveredBy.OTHER_PROGRAMME.value,
    "program_lain": CoveredBy.OTHER_PROGRAMME.value,
    "lainnya": CoveredBy.OTHER_PROGRAMME.value,
    "other programme": CoveredBy.OTHER_PROGRAMME.value,
    "other program": CoveredBy.OTHER_PROGRAMME.value,
}


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if type(value) is str:  # the common case first: this runs for every cell of a 200,000-row file
        stripped = value.strip()
        return not stripped or (len(stripped) <= 9 and stripped.lower() in _PLACEHOLDER)
    return isinstance(value, float) and math.isnan(value)


def text(value: object, *, label: str, max_len: int, required: bool = False) -> str:
    """Trimmed single-spaced text; refuses what a spreadsheet would run as a formula."""
    if is_blank(value):
        if required:
            raise ValidationError(f"{label} kosong: isi {label.lower()}.")
        return ""
    out = " ".join(str(value).split())
    if _FORMULA.match(out):
        raise ValidationError(
            f"{label} diawali tanda = + - @ seperti rumus spreadsheet: hapus tanda itu (demi keamanan berkas)."
        )
    if len(out) > max_len:
        raise ValidationError(f"{label} terlalu panjang ({len(out)} karakter; paling banyak {max_len}).")
    return out


def name(value: object) -> str:
    out = text(value, label="Nama", max_len=NAME_MAX, required=True)
    if not any(ch.isalpha() for ch in out):
        raise ValidationError("Nama harus berisi huruf: periksa kolom nama.")
    return out


def sex(value: object) -> str | None:
    """'L' or 'P'; None when blank (the NIK tells)."""
    if is_blank(value):
        return None
    key = " ".join(str(value).strip().lower().replace(".", "").split())
    if key not in _SEX:
        raise ValidationError("Jenis kelamin harus L atau P (Laki-laki/Perempuan).")
    return _SEX[key]


def desil(value: object) -> int | None:
    """1–10, or None (unknown) when blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValidationError("Desil harus angka 1 sampai 10, atau dikosongkan bila tidak diketahui.")
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ValidationError("Desil harus angka 1 sampai 10, atau dikosongkan bila tidak diketahui.") from None
    if not number.is_integer() or not 1 <= number <= 10:
        raise ValidationError("Desil harus angka bulat 1 sampai 10, atau dikosongkan bila tidak diketahui.")
    return int(number)


def phone(value: object) -> str:
    """Indonesian number in national form starting with 0 (mobile 08…); '' when blank."""
    if is_blank(value):
        return ""
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError("Nomor HP tidak valid: simpan kolom No HP sebagai Teks, contoh 081234567890.")
        value = str(int(value))
    raw = str(value).strip()
    digits = re.sub(r"[\s\-.()/]", "", raw)
    if digits.startswith("+62"):
        digits = "0" + digits[3:]
    elif digits.startswith("62") and len(digits) >= 11:
        digits = "0" + digits[2:]
    elif digits.startswith("8") and 9 <= len(digits) <= 13:
        digits = "0" + digits  # Excel dropped the leading zero
    if _MOBILE.match(digits):
        return digits  # the common case, without the (slower) full parser
    try:
        parsed = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed) or parsed.country_code != 62:
        raise ValidationError(f"Nomor HP '{raw}' tidak valid: tulis nomor Indonesia, contoh 081234567890.")
    return "0" + str(parsed.national_number)


def coordinates(lat: object, lon: object) -> tuple[float | None, float | None]:
    """Both or neither; inside (a box around) Kota Tangerang."""
    if is_blank(lat) and is_blank(lon):
        return None, None
    if is_blank(lat) or is_blank(lon):
        raise ValidationError("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya.")
    try:
        la = float(str(lat).strip().replace(",", "."))
        lo = float(str(lon).strip().replace(",", "."))
    except ValueError:
        raise ValidationError("Lintang/bujur harus angka desimal, contoh -6.1783 dan 106.6319.") from None
    if LAT_RANGE[0] <= lo <= LAT_RANGE[1] and LON_RANGE[0] <= la <= LON_RANGE[1]:
        raise ValidationError("Lintang dan bujur tertukar: lintang sekitar -6,2 dan bujur sekitar 106,6.")
    if not (LAT_RANGE[0] <= la <= LAT_RANGE[1] and LON_RANGE[0] <= lo <= LON_RANGE[1]):
        raise ValidationError("Koordinat di luar Kota Tangerang: periksa lintang (sekitar -6,2) dan bujur (106,6).")
    return round(la, 6), round(lo, 6)


def agrees_with_nik(info: NikInfo, *, birth: dt.date | None, sex_value: str | None) -> tuple[str, str] | None:
    """(column, reason) when the birth date or sex disagrees with what the NIK encodes; None when consistent."""
    if birth is not None and (birth.day, birth.month, birth.year % 100) != (
        info.birth_date.day,
        info.birth_date.month,
        info.birth_date.year % 100,
    ):
        return (
            "birth_date",
            f"Tanggal lahir {birth:%d/%m/%Y} tidak cocok dengan NIK (NIK menunjukkan "
            f"{info.birth_date:%d/%m/%y}): periksa salah satunya.",
        )
    if sex_value is not None and sex_value != info.sex:
        told = "perempuan (hari lahir + 40)" if info.sex == "P" else "laki-laki"
        return "sex", f"Jenis kelamin tidak cocok dengan NIK, yang menunjukkan {told}: periksa keduanya."
    return None


def birth_year(info: NikInfo, birth: dt.date | None) -> dt.date:
    """The birth date: the file's (full year) when given, else the NIK's (century guessed)."""
    return birth if birth is not None else info.birth_date


def covered_by(value: object) -> str:
    if is_blank(value):
        raise ValidationError("Penanggung kosong: isi APBD, Mandiri atau Program lain.")
    key = " ".join(str(value).strip().lower().split())
    if key not in _COVERED_BY:
        raise ValidationError(f"Penanggung '{value}' tidak dikenal: isi APBD, Mandiri atau Program lain.")
    return _COVERED_BY[key]
