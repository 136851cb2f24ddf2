"""Indonesian formatting through Babel (CLDR), never string replaces: Rp16.800, 15 Nov 2024, 12,3%."""

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

LOCALE = "id_ID"
# Babel parses its pattern on every call (≈ 50 µs): a server-formatted table of a few hundred cells cost tens of
# milliseconds per page view. Page views format the same numbers again and again, so the number formatters
# remember their last answers (equal numbers have equal text; bounded; thread-safe).
_remember = lru_cache(maxsize=65_536)


@_remember
def rupiah(amount: float | int | None) -> str:
    if amount is None:
        return "–"
    return format_currency(round(amount), "IDR", locale=LOCALE, format="¤#,##0", currency_digits=False)


@_remember
def number(value: float | int | None) -> str:
    if value is None:
        return "–"
    return format_decimal(value, locale=LOCALE, format="#,##0")


@_remember
def decimal(value: float | Decimal | None, digits: int = 1) -> str:
    """4,8 — trailing zeros dropped (3 km, not 3,0 km)."""
    if value is None:
        return "–"
    return format_decimal(value, locale=LOCALE, format="#,##0." + "#" * digits)


@_remember
def km(value: float | None) -> str:
    """A distance with two decimals, always the same number of them: 1,92 · 1,90 · 2,00 km."""
    if value is None:
        return "–"
    return format_decimal(value, locale=LOCALE, format="#,##0.00")


@_remember
def percent(ratio: float | None, digits: int = 1) -> str:
    if ratio is None:
        return "–"
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return format_percent(ratio, locale=LOCALE, format=pattern)


def date(value: dt.date | dt.datetime | None) -> str:
    """15 Nov 2024"""
    if value is None:
        return "–"
    return format_date(value, "d MMM y", locale=LOCALE)


def long_date(value: dt.date | None) -> str:
    """15 November 2024"""
    return "–" if value is None else format_date(value, "d MMMM y", locale=LOCALE)


def month(value: dt.date | None) -> str:
    """Desember 2024"""
    return "–" if value is None else format_date(value, "MMMM y", locale=LOCALE)


_WHOLE = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)$")  # 148, 1.000, 10.000 (Indonesian thousands)
_DECIMAL = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$|^-?\d+\.\d+$")  # 2,5 · 1.000,5 · 2.5 (dot decimal)


def parse_whole(text: str) -> int:
    """A whole number as people type it: '148', '1.000'. '12.5', '12,5', 'abc' or '' raise ValueError (never
    silently rounded)."""
    t = text.strip().replace(" ", "")
    if not _WHOLE.match(t):
        raise ValueError(text)
    return int(t.replace(".", ""))


def parse_decimal(text: str) -> float:
    """A decimal as people type it: '2,5' (Indonesian), '2.5' (dot decimal), '3', '1.000,5'."""
    t = text.strip().replace(" ", "")
    if not _DECIMAL.match(t):
        raise ValueError(text)
    if "," in t or re.match(r"^-?\d{1,3}(\.\d{3})+$", t):
        t = t.replace(".", "").replace(",", ".")
    return float(t)
