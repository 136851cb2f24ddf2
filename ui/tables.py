"""Tables formatted on the server (pandas Styler), so numbers and dates read the Indonesian way whatever the
browser's language (`st.column_config.NumberColumn` follows the browser's locale: 76.62% in an English browser).
The values underneath stay numbers and dates, so a column still sorts as numbers."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from services.platform import fmt

DASH = "–"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def _safe(show: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda v: DASH if _missing(v) else show(v)


def column_formatter(
    series: pd.Series, *, share: bool = False, km: bool = False, days: bool = False, ident: bool = False
) -> Callable:
    """How a column's values are written (pure): shares 76,6 %, km 4,10, days whole, counts 1.195, dates 15 Nov
    2024, identifiers and text as they are; a dash for a missing value (never "None", "NaN" or an empty cell)."""
    if ident:
        return _safe(lambda v: str(int(v)) if isinstance(v, int | float) else str(v))
    if share:
        return _safe(lambda v: fmt.percent(float(v)))
    if km:
        return _safe(lambda v: fmt.km(float(v)))
    if days:
        return _safe(lambda v: fmt.number(round(float(v))))
    if pd.api.types.is_bool_dtype(series):
        return _safe(lambda v: "Ya" if v else "Tidak")
    if pd.api.types.is_numeric_dtype(series):
        return _safe(lambda v: fmt.number(round(float(v))) if float(v).is_integer() else fmt.decimal(float(v), 1))
    if pd.api.types.is_datetime64_any_dtype(series) or any(isinstance(v, dt.date) for v in series.head(20)):
        return _safe(lambda v: fmt.date(pd.Timestamp(v).date()))
    return _safe(str)


def indonesian_styler(
    df: pd.DataFrame,
    headers: dict[str, str],
    *,
    shares: tuple[str, ...] = (),
    km: tuple[str, ...] = (),
    days: tuple[str, ...] = (),
    ids: tuple[str, ...] = (),
) -> Styler:
    """`df`'s columns in `headers` (renamed), formatted the Indonesian way by a Styler."""
    shown = df[list(headers)].rename(columns=headers).reset_index(drop=True)
    formats = {
        label: column_formatter(df[key], share=key in shares, km=key in km, days=key in days, ident=key in ids)
        for key, label in headers.items()
    }
    return shown.style.format(formats)
