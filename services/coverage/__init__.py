"""The BPJS loop: registration export per pledge or branch, result import (KPJ card numbers), expiry and
renewal of cover (journey 5).

Contract: imports platform, models and other journeys' public names; every export of personal data is audited.
"""
