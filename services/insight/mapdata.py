"""Kelurahan boundaries (data/regions GeoJSON) joined with the coverage numbers, for the Altair choropleth and the
PDF map. The file is read once per process; the features handed out are fresh copies."""

import copy
import json
import math
from functools import lru_cache
from typing import Any

import pandas as pd

from services.platform.settings import REGIONS_DIR

GEOJSON = REGIONS_DIR / "tangerang_kelurahan.geojson"
# Numbers put into each feature's properties (the map's colour and tooltip fields).
MAP_FIELDS = ["workers", "eligible", "protected", "in_process", "unprotected", "gap", "share_protected"]


@lru_cache(maxsize=1)
def _collection() -> dict[str, Any]:
    return json.loads(GEOJSON.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def kelurahan_features(coverage: pd.DataFrame) -> list[dict[str, Any]]:
    """One GeoJSON feature per kelurahan with the coverage numbers in its properties (None where unknown)."""
    by_code = coverage.set_index("kelurahan_code")
    features = []
    for feature in copy.deepcopy(_collection()["features"]):
        props = feature["properties"]
        code = props["kelurahan_code"]
        for field in MAP_FIELDS:
            value: Any = by_code.at[code, field] if code in by_code.index else None
            if isinstance(value, float) and math.isnan(value):
                value = None
            props[field] = value.item() if hasattr(value, "item") else value
        features.append(feature)
    return features


def rings(feature: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The (lon, lat) rings of a Polygon or MultiPolygon feature."""
    geometry = feature["geometry"]
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [[(float(x), float(y)) for x, y in ring] for polygon in polygons for ring in polygon]
