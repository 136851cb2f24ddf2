"""The catalogue of figures: every number a user sees is defined here once (issue 21).

A figure has a key, an Indonesian label, a one-sentence definition, a unit, a rounding rule and the one
function that computes it. Every surface (pages, PDFs, Excel, CLI) asks for a figure by key and formats it
with `format_value`, so the same figure has the same value and the same text everywhere. Where two meanings
are both useful they are two figures with two labels (e.g. *Terlindungi saat ini* and *Pernah dilindungi*).
The public page *Definisi angka* and the end of the quarterly report are generated from this catalogue.

Modules register their figures with `register(FigureDef(...))` at import time; `figures()` lists them in
registration order, `figure(key)` looks one up.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.platform import fmt

# Units a figure can have, and how a value of that unit is written for people.
UNITS: dict[str, Callable[[Any], str]] = {
    "pekerja": fmt.number,
    "perusahaan": fmt.number,
    "surat": fmt.number,
    "keluarga": fmt.number,
    "bulan": fmt.number,
    "pekerja-bulan": fmt.number,
    "hari": fmt.number,
    "rupiah": fmt.rupiah,
    "persen": fmt.percent,  # a ratio 0..1, shown with one decimal: 76,6 %
    "desimal": fmt.decimal,  # one decimal: 1,3
    "tanggal": fmt.date,
    "km": fmt.km,
}


@dataclass(frozen=True)
class FigureDef:
    key: str  # stable identifier, e.g. "protected_now"
    label: str  # Indonesian label shown to users, e.g. "Terlindungi saat ini"
    definition: str  # one Indonesian sentence: what is counted, and as of when
    unit: str  # one of UNITS
    rounding: str  # how the value is rounded, in Indonesian, e.g. "bilangan bulat", "1 desimal, sekali"
    compute: Callable[..., Any] | None = None  # the one function that computes it (keyword-only arguments)
    audience: tuple[str, ...] = field(default=("publik", "kota", "perusahaan"))  # who sees it

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r} for figure {self.key!r}")

    def format(self, value: Any) -> str:
        return format_value(self.unit, value)


_CATALOGUE: dict[str, FigureDef] = {}


def register(definition: FigureDef) -> FigureDef:
    """Adds a figure; a key may be registered only once (one figure, one definition)."""
    existing = _CATALOGUE.get(definition.key)
    if existing is not None and existing != definition:
        raise ValueError(f"figure {definition.key!r} is defined twice")
    _CATALOGUE[definition.key] = definition
    return definition


def figure(key: str) -> FigureDef:
    return _CATALOGUE[key]


def figures() -> list[FigureDef]:
    return list(_CATALOGUE.values())


UNIT_NAMES = {
    "pekerja": "pekerja",
    "perusahaan": "perusahaan",
    "surat": "surat",
    "keluarga": "keluarga",
    "bulan": "bulan",
    "pekerja-bulan": "pekerja-bulan",
    "hari": "hari",
    "rupiah": "Rupiah",
    "persen": "persen",
    "desimal": "angka desimal",
    "tanggal": "tanggal",
    "km": "kilometer",
}
AUDIENCE_NAMES = {"publik": "publik", "kota": "petugas kota", "perusahaan": "perusahaan"}


def glossary(*, audience: str | None = None) -> list[dict[str, str]]:
    """The catalogue as people read it (the page *Definisi angka*, the report's last page): key, label,
    definition, unit, rounding and where it is shown; only the figures `audience` sees when given."""
    return [
        {
            "key": f.key,
            "label": f.label,
            "definition": f.definition,
            "unit": UNIT_NAMES[f.unit],
            "rounding": f.rounding,
            "shown_to": ", ".join(AUDIENCE_NAMES.get(a, a) for a in f.audience),
        }
        for f in figures()
        if audience is None or audience in f.audience
    ]


def format_value(unit: str, value: Any) -> str:
    """The Indonesian text of a value of `unit`; a missing value is a dash, never "None" or "NaN"."""
    if value is None:
        return "–"
    try:
        if value != value:  # NaN
            return "–"
    except (TypeError, ValueError):
        pass
    if type(value).__name__ in ("NAType", "NaTType"):
        return "–"
    return UNITS[unit](value)
