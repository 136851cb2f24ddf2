"""Matching workers to pledges (journey 4): the pure core (`solve`) and the use cases around it (docs/matching.md).

Contract: `core` and `auction` are pure (plain arrays in, plain arrays out, no database); `service` loads, solves
and persists in one transaction, checks the acting user and audits; the batch command is `python -m
services.matching`.
"""

from services.matching import allocation
from services.matching.core import objective, solve
from services.matching.service import (
    FullMatchResult,
    MatchResult,
    Shortfall,
    count_eligible,
    explain_shortfall,
    match_pledge,
    run_full_match,
)

__all__ = [
    "FullMatchResult",
    "MatchResult",
    "allocation",
    "Shortfall",
    "count_eligible",
    "explain_shortfall",
    "match_pledge",
    "objective",
    "run_full_match",
    "solve",
]
