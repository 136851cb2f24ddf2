"""The BPJS loop: registration export per pledge or branch, result import (KPJ card numbers, refusals), expiry
and renewal of cover (journey 5); the branch desk and the benefits BPJS paid (claims, journey 9).

Contract: imports platform, models and other journeys' public names; every export of personal data is audited
(one `worker.export` row per worker in the file); registered assignments never move again; expiry is computed
from the date everywhere and written down by `refresh` (idempotent). Renewal itself is `pledges.renew_pledge`,
which carries each worker's KPJ to the renewing pledge. A BPJS branch officer reaches only the kecamatan its
branch serves: every service here starts with `branch_scope` (or a role check) and refuses, audited, the rest.
"""

from services.coverage.branches import (
    branch_of_kecamatan,
    branch_scope,
    branches,
    kecamatan_names,
    kecamatan_of_branch,
)
from services.coverage.claim_rules import KIND_LABELS, PROGRAMME_LABELS
from services.coverage.claims import import_claims, record_claim, recorded_claims
from services.coverage.desk import closed_by_payer
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
    allocation_choices,
    export_registration,
    pledge_choices,
    registration_preview,
)
from services.coverage.results import import_result, normalise_kpj

__all__ = [
    "KIND_LABELS",
    "PROGRAMME_LABELS",
    "branch_scope",
    "closed_by_payer",
    "import_claims",
    "record_claim",
    "recorded_claims",
    "LEVEL_LABELS",
    "REMINDER_DAYS",
    "RegistrationPreview",
    "allocation_choices",
    "Selection",
    "branch_of_kecamatan",
    "branches",
    "cover_end_from",
    "expiring_by_company",
    "expiring_by_month",
    "export_registration",
    "import_result",
    "kecamatan_names",
    "kecamatan_of_branch",
    "level",
    "normalise_kpj",
    "pledge_choices",
    "refresh",
    "registration_preview",
]
