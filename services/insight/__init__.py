"""The read side: public progress, the city dashboard and the leaderboard (journeys 6-7).

Contract: queries only (never commit, except the audit row of a report); aggregates in SQL with `group_by`,
never every worker row in pandas; returns plain dataclasses and DataFrames.
"""

from services.insight.dashboard import (
    CampaignProgress,
    active_campaign,
    campaign_progress,
    coverage_by_kecamatan,
    participating_companies,
    pledge_fill,
)

__all__ = [
    "CampaignProgress",
    "active_campaign",
    "campaign_progress",
    "coverage_by_kecamatan",
    "participating_companies",
    "pledge_fill",
]
