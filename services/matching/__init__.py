"""Matching workers to pledges: the pure core (`solve`) and the use cases around it (see docs/matching.md)."""

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
    "Shortfall",
    "count_eligible",
    "explain_shortfall",
    "match_pledge",
    "objective",
    "run_full_match",
    "solve",
]
