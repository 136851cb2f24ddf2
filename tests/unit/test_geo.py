"""Great-circle helpers."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from services.platform.geo import (
    EARTH_RADIUS_KM,
    bounding_box,
    chord_for_km,
    haversine_km,
    haversine_scalar_km,
    unit_xyz,
)

lat = st.floats(-60, 60)
lon = st.floats(-179, 179)


def test_known_distances() -> None:
    assert haversine_scalar_km(0, 0, 0, 1) == math.radians(1) * EARTH_RADIUS_KM
    # Tangerang city hall to Soekarno-Hatta airport: about 8 km.
    assert 6 < haversine_scalar_km(-6.1781, 106.6297, -6.1256, 106.6559) < 7
    assert haversine_scalar_km(-6.2, 106.6, -6.2, 106.6) == 0.0


@given(lat, lon, lat, lon)
def test_chord_matches_haversine(a: float, b: float, c: float, d: float) -> None:
    chord = float(np.linalg.norm(unit_xyz(a, b)[0] - unit_xyz(c, d)[0]))
    assert math.isclose(chord, float(chord_for_km(haversine_km(a, b, c, d))), rel_tol=1e-7, abs_tol=1e-9)


@given(lat, lon, st.floats(0.01, 50), st.floats(0, 2 * math.pi), st.floats(0, 1))
def test_bounding_box_contains_the_disc(a: float, b: float, r: float, theta: float, frac: float) -> None:
    lo_lat, hi_lat, lo_lon, hi_lon = bounding_box(a, b, r)
    # A point at distance frac * r in direction theta (small-angle destination formula is enough here).
    d = frac * r / EARTH_RADIUS_KM
    p_lat = math.degrees(
        math.asin(math.sin(math.radians(a)) * math.cos(d) + math.cos(math.radians(a)) * math.sin(d) * math.cos(theta))
    )
    p_lon = b + math.degrees(
        math.atan2(
            math.sin(theta) * math.sin(d) * math.cos(math.radians(a)),
            math.cos(d) - math.sin(math.radians(a)) * math.sin(math.radians(p_lat)),
        )
    )
    assert lo_lat <= p_lat <= hi_lat and lo_lon <= p_lon <= hi_lon
