"""The BPJS loop: registration export per pledge or branch, result import (KPJ card numbers), expiry and
renewal of cover (journey 5).

Contract: imports platform, models and other journeys' public names; every export of personal data is audited
(one `worker.export` row per worker in the file); registered assignments never move again; expiry is computed
from the date everywhere and written down by `refresh` (idempotent). Renewal itself is `pledges.renew_pledge`,
which carries each worker's KPJ to the renewing pledge.
"""

from services.coverage.branches import branch_of_kecamatan, branches, kecamatan_of_branch
from services.coverage.expiry import (
    LEVEL_LABELS,
    REMINDER_DAYS,
    cover_end_from,
    expiring_by_company,
    expiring_by_month,
    level,
    refresh,
)
from services.coverage.registration import (
    RegistrationPreview,
    Selection,
    export_registration,
    pledge_choices,
    registration_preview,
)
from services.coverage.results import import_result, normalise_kpj

__all__ = [
    "LEVEL_LABELS",
    "REMINDER_DAYS",
    "RegistrationPreview",
    "Selection",
    "branch_of_kecamatan",
    "branches",
    "cover_end_from",
    "expiring_by_company",
    "expiring_by_month",
    "export_registration",
    "import_result",
    "kecamatan_of_branch",
    "level",
    "normalise_kpj",
    "pledge_choices",
    "refresh",
    "registration_preview",
]
