"""Great-circle geometry for matching: haversine distances and 3-D unit-sphere coordinates for KD-trees.

A KD-tree over points on the unit sphere answers "within r km" exactly: the straight-line (chord) distance
between two unit vectors is a monotone function of the great-circle distance, chord = 2 sin(d / 2R).
"""

import math

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, the one the matching rules name

FloatArray = npt.NDArray[np.float64]


def haversine_km(
    lat1: float | FloatArray, lon1: float | FloatArray, lat2: float | FloatArray, lon2: float | FloatArray
) -> FloatArray:
    """Great-circle distance in km (vectorised; scalars broadcast)."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2.0) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64)


def haversine_scalar_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(haversine_km(lat1, lon1, lat2, lon2))


def unit_xyz(lat: float | FloatArray, lon: float | FloatArray) -> FloatArray:
    """Points as 3-D unit vectors, shape (n, 3)."""
    la = np.radians(np.atleast_1d(np.asarray(lat, dtype=np.float64)))
    lo = np.radians(np.atleast_1d(np.asarray(lon, dtype=np.float64)))
    cl = np.cos(la)
    return np.column_stack((cl * np.cos(lo), cl * np.sin(lo), np.sin(la)))


def chord_for_km(km: float | FloatArray) -> FloatArray:
    """Chord length on the unit sphere for a great-circle distance in km."""
    d = np.minimum(np.asarray(km, dtype=np.float64), math.pi * EARTH_RADIUS_KM)
    return np.asarray(2.0 * np.sin(d / (2.0 * EARTH_RADIUS_KM)), dtype=np.float64)


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) that contains every point within radius_km (a safe superset)."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM) * 1.001 + 1e-9
    coslat = max(math.cos(math.radians(min(abs(lat) + dlat, 89.9))), 1e-6)
    dlon = min(180.0, dlat / coslat)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon
