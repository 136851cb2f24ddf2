"""The circular-letter campaign: the letter, its recipient companies and their accounts, a company's home and
profile, response tracking and reminders (journey 1).

Contract: imports platform and models; commands take the acting user, check it and audit in the same transaction.
"""

from services.campaign.companies import (
    CompanyHome,
    CompanyProfile,
    ProfileUpdate,
    check_site,
    company_home,
    company_profile,
    letter_attachment,
    update_profile,
    validate_profile,
)

__all__ = [
    "CompanyHome",
    "CompanyProfile",
    "ProfileUpdate",
    "check_site",
    "company_home",
    "company_profile",
    "letter_attachment",
    "update_profile",
    "validate_profile",
]
