"""The worker registry (journey 2): NIK rules (pure), field rules (pure), the worker import (an update by NIK,
previewed then committed in one transaction), the covered-elsewhere list, registry search, a worker's page and
its processing history (UU PDP), corrections.

Contract: imports platform and models; NIK handling (validation, masking) lives here and nowhere else; every
view, export and change of a worker is audited (entity "worker", its id), so its history can be shown.
"""

from services.registry.commands import EDITABLE, FIELD_LABELS, correct_worker, set_covered
from services.registry.covered import import_covered
from services.registry.fields import COVERED_BY_LABELS
from services.registry.imports import errors_report, import_workers
from services.registry.nik import NikInfo, is_valid, mask, normalise, parse
from services.registry.queries import (
    STATUS_LABELS,
    RegistryFilter,
    RegistryPage,
    WorkerDetail,
    covered_now,
    filter_options,
    history_export,
    search_workers,
    status_counts,
    worker_detail,
)
from services.registry.runs import ImportResult, Tally, nik_cell, record_run, rows_by_nik, token_of

__all__ = [
    "COVERED_BY_LABELS",
    "EDITABLE",
    "FIELD_LABELS",
    "STATUS_LABELS",
    "ImportResult",
    "NikInfo",
    "RegistryFilter",
    "Tally",
    "RegistryPage",
    "WorkerDetail",
    "correct_worker",
    "covered_now",
    "errors_report",
    "filter_options",
    "history_export",
    "import_covered",
    "import_workers",
    "is_valid",
    "mask",
    "nik_cell",
    "normalise",
    "parse",
    "record_run",
    "rows_by_nik",
    "search_workers",
    "set_covered",
    "status_counts",
    "token_of",
    "worker_detail",
]
