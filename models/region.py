"""Kecamatan and kelurahan of Kota Tangerang (Kemendagri codes), loaded from data/regions."""

from sqlmodel import Field, SQLModel


class Kecamatan(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=8)  # "36.71.01"
    name: str = Field(max_length=80)
    kabkota_code: str = Field(max_length=5, index=True)  # "36.71"
    lat: float
    lon: float
    area_km2: float


class Kelurahan(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=13)  # "36.71.01.1001"
    name: str = Field(max_length=80)
    kecamatan_code: str = Field(foreign_key="kecamatan.code", index=True, max_length=8)
    lat: float  # centroid
    lon: float
    rep_lat: float  # a point guaranteed inside the polygon
    rep_lon: float
    area_km2: float
