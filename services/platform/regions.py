"""Reference data: the 13 kecamatan and 104 kelurahan of Kota Tangerang, and Kabupaten Tangerang for scale."""

import functools
import re
from pathlib import Path

import pandas as pd
from sqlmodel import Session, col, func, select

from models import Kecamatan, Kelurahan
from services.platform.settings import REGIONS_DIR

KOTA_CODE = "36.71"


def read_kelurahan_csv(directory: Path = REGIONS_DIR) -> pd.DataFrame:
    return pd.read_csv(directory / "tangerang_kelurahan.csv", dtype={"kelurahan_code": str, "kecamatan_code": str})


def read_kecamatan_csv(directory: Path = REGIONS_DIR) -> pd.DataFrame:
    return pd.read_csv(directory / "tangerang_kecamatan.csv", dtype={"kecamatan_code": str})


def load_regions(*, session: Session, directory: Path = REGIONS_DIR) -> int:
    """Insert the kecamatan and kelurahan if the table is empty. Returns the number of kelurahan added."""
    if session.exec(select(func.count()).select_from(Kelurahan)).one() > 0:
        return 0
    kec = read_kecamatan_csv(directory)
    kel = read_kelurahan_csv(directory)
    session.add_all(
        Kecamatan(
            code=str(r["kecamatan_code"]),
            name=str(r["kecamatan_name"]),
            kabkota_code=KOTA_CODE,
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            area_km2=float(r["area_km2"]),
        )
        for r in kec.to_dict("records")
    )
    session.flush()
    session.add_all(
        Kelurahan(
            code=str(r["kelurahan_code"]),
            name=str(r["kelurahan_name"]),
            kecamatan_code=str(r["kecamatan_code"]),
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            rep_lat=float(r["rep_point_lat"]),
            rep_lon=float(r["rep_point_lon"]),
            area_km2=float(r["area_km2_polygon"]),
        )
        for r in kel.to_dict("records")
    )
    session.commit()
    return len(kel)


def kelurahan_options(*, session: Session) -> pd.DataFrame:
    """Code, name and kecamatan of every kelurahan, for pickers (sorted by kecamatan, then name)."""
    rows = session.exec(
        select(Kelurahan.code, Kelurahan.name, Kecamatan.name)
        .join(Kecamatan, col(Kecamatan.code) == Kelurahan.kecamatan_code)
        .order_by(Kecamatan.name, Kelurahan.name)
    ).all()
    return pd.DataFrame(rows, columns=["kelurahan_code", "kelurahan_name", "kecamatan_name"])


# ---------------------------------------------------------------------------------------------------------------
# Names as people type them: 'Kel. Cibodasari', 'KEREO', '3671011001'. Pure over the reference CSV (no database).

FUZZY_ACCEPT = 85.0  # rapidfuzz ratio (0-100) a spelling variant must reach
FUZZY_MARGIN = 8.0  # ...and beat the next different place by, or we refuse to guess between two
_PREFIXES = re.compile(r"^(kel(urahan)?|desa|kec(amatan)?)\b\.?\s*", re.IGNORECASE)


def place_key(text: object) -> str:
    """'Kel. Cibodas Sari ' -> 'cibodassari': prefixes, case, spaces and punctuation do not count."""
    return re.sub(r"[^0-9a-z]", "", _PREFIXES.sub("", str(text or "").strip()).lower())


@functools.lru_cache(maxsize=1)
def _reference() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    kel = read_kelurahan_csv()
    by_code = {str(r.kelurahan_code): str(r.kelurahan_code) for r in kel.itertuples()}
    by_code.update({str(r.kode_10digit): str(r.kelurahan_code) for r in kel.itertuples()})
    by_key = {place_key(r.kelurahan_name): str(r.kelurahan_code) for r in kel.itertuples()}
    kec_of = {str(r.kelurahan_code): str(r.kecamatan_code) for r in kel.itertuples()}
    names = {str(r.kelurahan_code): str(r.kelurahan_name) for r in kel.itertuples()}
    kec_names = {
        str(r.kecamatan_code): str(r.kecamatan_name) for r in kel.drop_duplicates("kecamatan_code").itertuples()
    }
    return by_code, by_key, kec_of, names, kec_names


def _best(key: str, choices: dict[str, str]) -> tuple[str | None, list[str]]:
    """The one choice a misspelt key clearly means, or None; plus the nearest keys as a hint."""
    from rapidfuzz import fuzz, process  # local: only imports need fuzzy matching

    found = process.extract(key, list(choices), scorer=fuzz.ratio, limit=3)
    nearest = [k for k, _, _ in found]
    if not found or found[0][1] < FUZZY_ACCEPT:
        return None, nearest
    if len(found) > 1 and found[1][1] > found[0][1] - FUZZY_MARGIN:
        return None, nearest
    return found[0][0], nearest


def resolve_kecamatan(value: object) -> tuple[str | None, str | None]:
    """A kecamatan code from its code or (misspelt) name: (code, None) or (None, reason in Indonesian)."""
    _, _, _, _, kec_names = _reference()
    text = str(value or "").strip()
    digits = re.sub(r"\D", "", text)
    for code in kec_names:
        if text == code or (digits and digits == code.replace(".", "")):
            return code, None
    keys = {place_key(n): c for c, n in kec_names.items()}
    key = place_key(text)
    if key in keys:
        return keys[key], None
    best, nearest = _best(key, keys)
    if best is not None:
        return keys[best], None
    hint = ", ".join(kec_names[keys[k]] for k in nearest)
    return None, f"Kecamatan '{text}' tidak dikenal di Kota Tangerang. Yang paling mirip: {hint}."


def resolve_kelurahan(value: object, kecamatan: object = None) -> tuple[str | None, str | None]:
    """A kelurahan code from its code (36.71.01.1001 or 3671011001) or name, tolerant of spelling variants
    (Kereo → Kreo, Cibodasari → Cibodas Sari) but never guessing between two places; when a kecamatan is given
    it must agree. Returns (code, None) or (None, a reason in Indonesian naming the nearest places)."""
    by_code, by_key, kec_of, names, kec_names = _reference()
    text = str(value or "").strip()
    if not text:
        return None, "Kelurahan kosong. Isi nama atau kode kelurahan di Kota Tangerang."
    code = by_code.get(text) or by_code.get(re.sub(r"\D", "", text))
    if code is None:
        key = place_key(text)
        code = by_key.get(key)
        if code is None:
            best, nearest = _best(key, by_key)
            if best is None:
                hint = ", ".join(names[by_key[k]] for k in nearest)
                return None, (
                    f"Kelurahan '{text}' tidak dikenal atau bisa berarti lebih dari satu tempat di Kota Tangerang. "
                    f"Yang paling mirip: {hint}. Tulis nama persis atau kode kelurahannya."
                )
            code = by_key[best]
    if kecamatan not in (None, "") and str(kecamatan).strip():
        kec_code, reason = resolve_kecamatan(kecamatan)
        if kec_code is None:
            return None, reason
        if kec_of[code] != kec_code:
            return None, (
                f"Kelurahan {names[code]} berada di Kecamatan {kec_names[kec_of[code]]}, bukan "
                f"{kec_names[kec_code]}. Periksa kolom kelurahan dan kecamatan."
            )
    return code, None
