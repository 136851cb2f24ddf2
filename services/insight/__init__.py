"""The read side: public progress, the city dashboard and the leaderboard (journeys 6-7).

Contract: queries only (never commit, except the audit row of a report); aggregates in SQL with `group_by`,
never every worker row in pandas (the one exception: the gap reads unprotected workers' coordinates only, for
the radius test SQLite cannot do); returns plain dataclasses and DataFrames. City-dashboard queries take the
acting user and refuse anyone but city staff (admin, viewer). The leaderboard is public: it returns counts per
company only, never a worker. `data_version(engine)` (stored in the database) changes with every
commit that touches what the board shows, in any process, so the UI can cache the board and drop the cache on writes.
"""

from services.insight import definitions, figures  # the catalogue's figures: registered, and computed
from services.insight.badges import (
    BADGE_ORDER,
    BADGES,
    PIONEER_PLACES,
    SIZE_BANDS,
    UNKNOWN_BAND,
    Badge,
    badge_label,
    badge_rule,
    badge_svg,
    band_rule,
    contradicted_badges,
    earned_badges,
    per_100_employees,
    size_band,
)
from services.insight.benefits import (
    SMALL_COUNT,
    Benefits,
    CityBenefits,
    benefits_for_company,
    city_benefits,
    company_benefits,
    public_benefits,
    rupiah_short,
)
from services.insight.board import (
    BAND_ORDER,
    DEFAULT_VIEW,
    PAGE_SIZE,
    SORT_KEYS,
    VIEWS,
    View,
    board_view,
    page_labels,
    page_of,
    rank_board,
)
from services.insight.catalogue import FigureDef, figure, format_value, glossary, register
from services.insight.dashboard import (
    CampaignProgress,
    active_campaign,
    campaign_progress,
    coverage_by_kecamatan,
    participating_companies,
    pledge_fill,
)
from services.insight.expiry import expiring_cover
from services.insight.figures import city_figures, company_figures
from services.insight.forecast import Forecast, Projection, forecast, weekly_progress
from services.insight.freshness import data_version
from services.insight.funnel import STEPS, Funnel, funnel
from services.insight.gaps import Gaps, by_kecamatan, coverage_by_kelurahan, gap_sentence, gaps
from services.insight.headline import Figure, Headline, headline
from services.insight.leaderboard import Board, board_timeline, company_id_of, public_board, slug_for
from services.insight.mapdata import kelurahan_features
from services.insight.payers import PayerSplit, payer_split
from services.insight.public_company import EarnedBadge, PublicCompany, company_badges, public_company
from services.insight.quarterly import (
    QuarterlyReport,
    available_quarters,
    quarter_bounds,
    quarter_outlook,
    quarterly_report,
)
from services.insight.report_pdf import quarterly_file

__all__ = [
    "SMALL_COUNT",
    "Benefits",
    "CityBenefits",
    "benefits_for_company",
    "city_benefits",
    "company_benefits",
    "public_benefits",
    "rupiah_short",
    "PayerSplit",
    "payer_split",
    "BADGES",
    "BADGE_ORDER",
    "BAND_ORDER",
    "DEFAULT_VIEW",
    "PAGE_SIZE",
    "PIONEER_PLACES",
    "SIZE_BANDS",
    "SORT_KEYS",
    "STEPS",
    "UNKNOWN_BAND",
    "VIEWS",
    "Badge",
    "Board",
    "CampaignProgress",
    "EarnedBadge",
    "Figure",
    "FigureDef",
    "Forecast",
    "Funnel",
    "Gaps",
    "Headline",
    "Projection",
    "PublicCompany",
    "QuarterlyReport",
    "View",
    "active_campaign",
    "available_quarters",
    "badge_label",
    "badge_rule",
    "badge_svg",
    "band_rule",
    "board_timeline",
    "board_view",
    "by_kecamatan",
    "campaign_progress",
    "company_badges",
    "company_id_of",
    "contradicted_badges",
    "city_figures",
    "company_figures",
    "coverage_by_kecamatan",
    "coverage_by_kelurahan",
    "data_version",
    "definitions",
    "earned_badges",
    "expiring_cover",
    "figure",
    "figures",
    "forecast",
    "format_value",
    "funnel",
    "gap_sentence",
    "gaps",
    "glossary",
    "headline",
    "kelurahan_features",
    "page_labels",
    "page_of",
    "participating_companies",
    "per_100_employees",
    "pledge_fill",
    "public_board",
    "public_company",
    "register",
    "quarter_bounds",
    "quarterly_file",
    "quarter_outlook",
    "quarterly_report",
    "rank_board",
    "size_band",
    "slug_for",
    "weekly_progress",
]
