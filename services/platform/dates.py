"""Calendar helpers for cover periods (whole months)."""

import datetime as dt


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month `months` after `day`'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def cover_end(start_month: dt.date, months: int) -> dt.date:
    """Last day of cover for `months` months starting `start_month`."""
    return add_months(start_month, months) - dt.timedelta(days=1)
