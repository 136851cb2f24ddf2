"""What every import shares: its result (the counts the page and `--json` show), the first-NIK-wins reading
of a file's rows, and the ImportRun row that records a committed file."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from models import ImportRun
from services.platform import sheets
from services.platform.authz import Actor
from services.platform.errors import ValidationError
from services.registry import nik


def jsonable(value: object) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def change_items(
    changed: list[tuple[object, dict[str, Any]]], *, run_id: int, filename: str
) -> list[tuple[object, dict[str, Any]]]:
    """Audit items for workers an import changed: per worker, each field's [old, new] and the file it came from."""
    source = f"impor #{run_id} {filename[:80]}"
    return [
        (worker_id, {"changes": {k: [jsonable(o), jsonable(n)] for k, (o, n) in diff.items()}, "source": source})
        for worker_id, diff in changed
    ]


@dataclass
class ImportResult:
    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    duplicates: int
    blank: int
    errors: list[sheets.RowError]
    changes: list[dict[str, Any]]  # {row, nik, name, field, old, new}
    token: str  # what the officer saw; a confirmation carries it back
    applied: bool = False
    import_id: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "blank": self.blank,
            "applied": self.applied,
            "import_id": self.import_id,
            "errors": [e.as_dict() for e in self.errors],
            "changes": [{k: jsonable(v) for k, v in c.items()} for c in self.changes],
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


@dataclass
class Tally:
    """Refusals collected while reading a file: each refused row once in `rejected`, duplicates apart."""

    table: sheets.Table
    errors: list[sheets.RowError] = field(default_factory=list)
    rejected: int = 0
    duplicates: int = 0
    read: int = 0
    blank: int = 0

    def __post_init__(self) -> None:
        self.read, self.blank = len(self.table), self.table.blank_rows

    def detach(self) -> "Tally":
        """Drop the file's cells (kept: counts, refusals, headers), e.g. before caching the tally."""
        self.table = sheets.Table(headers=self.table.headers, row_numbers=[], cells={}, blank_rows=self.blank)
        return self

    def refuse(self, row: int, column: str, value: sheets.Cell, reason: str) -> None:
        text = value if isinstance(value, str) else sheets.cell_text(value)
        self.errors.append(sheets.RowError(row, self.table.header_of(column), text, reason))

    def result(
        self, *, inserted: int, updated: int, unchanged: int, changes: list[dict[str, Any]], token: str
    ) -> ImportResult:
        self.errors.sort(key=lambda e: e.row)
        return ImportResult(
            read=self.read,
            inserted=inserted,
            updated=updated,
            unchanged=unchanged,
            rejected=self.rejected,
            duplicates=self.duplicates,
            blank=self.blank,
            errors=self.errors,
            changes=changes,
            token=token,
        )


def rows_by_nik(tally: Tally) -> Iterator[tuple[int, str, nik.NikInfo, dict[str, sheets.Cell]]]:
    """(row, nik, what it encodes, cells) of each row whose NIK is valid text, first occurrence only; the others
    are refused (a NIK stored as a number, a malformed NIK) or reported as duplicates naming the row that counts."""
    seen: dict[str, int] = {}
    for row_no, cells in tally.table.rows():
        value, info, why = parse_nik_cell(cells.get("nik"))
        if value is None or info is None:
            tally.refuse(row_no, "nik", cells.get("nik"), why or "")
            tally.rejected += 1
            continue
        if value in seen:
            reason = f"NIK ganda: sudah ada di baris {seen[value]}. Baris pertama yang dipakai; baris ini diabaikan."
            tally.refuse(row_no, "nik", value, reason)
            tally.duplicates += 1
            continue
        seen[value] = row_no
        yield row_no, value, info, cells


NIK_AS_NUMBER = (
    "NIK tersimpan sebagai angka di Excel, sehingga digit terakhirnya tidak dapat dipercaya (Excel hanya menyimpan "
    "15 digit). Format kolom NIK sebagai Teks, ketik ulang NIK-nya, lalu impor lagi."
)


def parse_nik_cell(value: sheets.Cell) -> tuple[str | None, nik.NikInfo | None, str | None]:
    """(nik, what it encodes, None) or (None, None, reason). A number cell is refused: Excel kept only 15
    significant digits, so the last one cannot be trusted."""
    if sheets.is_number_cell(value):
        return None, None, NIK_AS_NUMBER
    text = str(value or "").strip().lstrip("'").replace(" ", "")  # Excel's "text" apostrophe
    try:
        info = nik.parse(text)
    except ValidationError as exc:
        return None, None, str(exc)
    return text, info, None


def nik_cell(value: sheets.Cell) -> tuple[str | None, str | None]:
    """(nik, None) or (None, reason)."""
    text, _, reason = parse_nik_cell(value)
    return text, reason


def token_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:32]


def record_run(
    session: Session, actor: Actor, *, kind: str, filename: str, content: bytes, result: ImportResult
) -> int:
    """The ImportRun row of a committed file (flushed, so its id can tag rows and audit entries)."""
    run = ImportRun(
        kind=kind,
        user_id=actor.user_id,
        username=actor.username,
        filename=filename[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        read=result.read,
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=result.rejected,
        duplicates=result.duplicates,
        blank=result.blank,
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    return run.id
