"""Reference data: the 13 kecamatan and 104 kelurahan of Kota Tangerang, and Kabupaten Tangerang for scale."""

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
