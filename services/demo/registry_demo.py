"""The demo's covered-elsewhere workers get a payer and an end date, as a real covered-elsewhere list would give."""

import datetime as dt

from models import CoveredBy


def with_payers(rows: list[dict], *, today: dt.date) -> list[dict]:
    """APBD cover is open-ended; self-paid cover ends at the end of the year; another programme in six months.
    Spread by position (deterministic, no random draw: the rest of the demo is unchanged)."""
    plans = (
        (CoveredBy.CITY_BUDGET.value, None),
        (CoveredBy.SELF_PAID.value, dt.date(today.year, 12, 31)),
        (CoveredBy.OTHER_PROGRAMME.value, today + dt.timedelta(days=182)),
    )
    for i, row in enumerate(r for r in rows if r["covered_elsewhere"]):
        row["covered_by"], row["covered_until"] = plans[i % 3]
    for row in rows:
        row.setdefault("covered_by", "")
    return rows
