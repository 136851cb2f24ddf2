"""python -m services.registry import-workers FILE [--dry-run] [--json]
python -m services.registry import-covered FILE [--dry-run] [--json]

Without --dry-run the file is committed (the command line is the officer's confirmation)."""

import sys

from services.registry.cli import run
from services.registry.covered import import_covered
from services.registry.imports import import_workers


def main(argv: list[str] | None = None) -> int:
    return run(
        "python -m services.registry",
        "Impor registri pekerja rentan",
        {
            "import-workers": ("import the worker list (update by NIK)", import_workers, True),
            "import-covered": ("import NIKs covered by another payer", import_covered, True),
        },
        argv,
    )


if __name__ == "__main__":
    sys.exit(main())
