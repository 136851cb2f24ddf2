"""Pure rules behind issue 22's first-visit fixes."""

import datetime as dt

from models import PledgeStatus
from services.pledges.rules import EXPIRING, STATUS_LABELS, WAITING, derived_status, timeline


def test_a_renewal_waits_to_start_until_its_first_month() -> None:
    start, end = dt.date(2027, 1, 1), dt.date(2027, 12, 31)
    assert derived_status(PledgeStatus.ACTIVE, end, dt.date(2026, 12, 4), start=start) == WAITING
    assert STATUS_LABELS[WAITING] == "Menunggu mulai"
    assert derived_status(PledgeStatus.ACTIVE, end, dt.date(2027, 1, 1), start=start) == PledgeStatus.ACTIVE
    assert derived_status(PledgeStatus.ACTIVE, end, dt.date(2027, 11, 30), start=start) == EXPIRING
    assert derived_status(PledgeStatus.REGISTERED, end, dt.date(2026, 12, 4), start=start) == PledgeStatus.REGISTERED
    steps = {s.status: s.state for s in timeline(PledgeStatus.ACTIVE, WAITING)}
    assert steps[PledgeStatus.REGISTERED] == "current" and steps[PledgeStatus.ACTIVE] == "todo"
