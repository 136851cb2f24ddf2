"""Indonesian formatting through Babel (CLDR), never string replaces: Rp16.800, 15 Nov 2024, 12,3%."""

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

LOCALE = "id_ID"


def rupiah(amount: float | int | None) -> str:
    if amount is None:
        return "–"
    return format_currency(round(amount), "IDR", locale=LOCALE, format="¤#,##0", currency_digits=False)


def number(value: float | int | None) -> str:
    if value is None:
        return "–"
    return format_decimal(value, locale=LOCALE, format="#,##0")


def decimal(value: float | Decimal | None, digits: int = 1) -> str:
    """4,8 — trailing zeros dropped (3 km, not 3,0 km)."""
    if value is None:
        return "–"
    return format_decimal(value, locale=LOCALE, format="#,##0." + "#" * digits)


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
