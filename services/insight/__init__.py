"""The read side: public progress, the city dashboard and the leaderboard (journeys 6-7).

Contract: queries only (never commit, except the audit row of a report); aggregates in SQL with `group_by`,
never every worker row in pandas (the one exception: the gap reads unprotected workers' coordinates only, for
the radius test SQLite cannot do); returns plain dataclasses and DataFrames. City-dashboard queries take the
acting user and refuse anyone but city staff (admin, viewer).
"""

from services.insight.dashboard import (
    CampaignProgress,
    active_campaign,
    campaign_progress,
    coverage_by_kecamatan,
    participating_companies,
    pledge_fill,
)
from services.insight.expiry import expiring_cover
from services.insight.forecast import Forecast, Projection, forecast, weekly_progress
from services.insight.funnel import STEPS, Funnel, funnel
from services.insight.gaps import Gaps, by_kecamatan, coverage_by_kelurahan, gaps
from services.insight.headline import Figure, Headline, headline
from services.insight.mapdata import kelurahan_features
from services.insight.quarterly import QuarterlyReport, available_quarters, quarter_bounds, quarterly_report
from services.insight.report_pdf import quarterly_file

__all__ = [
    "STEPS",
    "CampaignProgress",
    "Figure",
    "Forecast",
    "Funnel",
    "Gaps",
    "Headline",
    "Projection",
    "QuarterlyReport",
    "active_campaign",
    "available_quarters",
    "by_kecamatan",
    "campaign_progress",
    "coverage_by_kecamatan",
    "coverage_by_kelurahan",
    "expiring_cover",
    "forecast",
    "funnel",
    "gaps",
    "headline",
    "kelurahan_features",
    "participating_companies",
    "pledge_fill",
    "quarter_bounds",
    "quarterly_file",
    "quarterly_report",
    "weekly_progress",
]
