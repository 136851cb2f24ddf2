"""Helpers of the audit log page's filters (pure, picklable format functions; no business rules)."""

import datetime as dt

from services.platform import fmt
from services.platform.audit_log import AuditQuery

PAGE_SIZE = 100
WIB = dt.timezone(dt.timedelta(hours=7))  # the city's time: filter dates are whole days in WIB


def everyone_or(value: str) -> str:
    return value or "Semua"


def query(*, username: str, action: str, entity: str, since: dt.date | None, until: dt.date | None) -> AuditQuery:
    """The filters as a query; `until` includes that whole day."""
    start = dt.datetime.combine(since, dt.time(0), tzinfo=WIB) if since else None
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=WIB) if until else None
    return AuditQuery(username=username, action_prefix=action, entity=entity, since=start, until=end)


def page_caption(total: int, page: int) -> str:
    pages = max(1, -(-total // PAGE_SIZE))
    if total == 0:
        return "Tidak ada catatan dengan saringan ini."
    first = (page - 1) * PAGE_SIZE + 1
    if first > total:
        return f"{fmt.number(total)} catatan; halaman {page} kosong (ada {pages} halaman)."
    return (
        f"Catatan {fmt.number(first)}–{fmt.number(min(total, page * PAGE_SIZE))} dari {fmt.number(total)} "
        f"(halaman {page} dari {pages}), terbaru lebih dulu."
    )
