"""Importing a list of NIKs covered by another payer (the city's budget, self-paid, another programme).

Same reader and NIK rules as the worker import; the NIK must be in the registry. Each marked worker is left
out of matching until its end date, its proposed (unregistered) assignment is released, and the change is
audited with old and new values. One transaction; the same file twice changes nothing.
"""

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from models import ImportKind, PayerKind, Role, Worker
from models.common import utcnow
from services.platform import audit, fmt, sheets
from services.platform.authz import Actor, require_role
from services.platform.dates import month_start
from services.platform.errors import ConflictError, ValidationError
from services.platform.ledger import (
    Cover,
    clear_cover,
    other_months,
    payer_label,
    programme_name,
    taken_months,
    write_cover,
)
from services.registry import fields
from services.registry.commands import release_assigned
from services.registry.import_rows import MAX_BYTES, MAX_ROWS
from services.registry.runs import ImportResult, Tally, change_items, record_run, rows_by_nik, token_of

COVERED_COLUMNS: dict[str, tuple[str, ...]] = {
    "nik": ("NIK", "No KTP", "Nomor Induk Kependudukan"),
    "covered_by": ("Penanggung", "Pembayar", "Sumber Dana", "Payer", "Paid by"),
    "covered_from": ("Berlaku Mulai", "Mulai", "Tanggal Mulai", "Tgl Mulai", "Start date", "From"),
    "covered_until": ("Berlaku Sampai", "Sampai", "Tanggal Berakhir", "Tgl Berakhir", "End date", "Until"),
}
COVERED_REQUIRED = {"nik", "covered_by"}


def _taken(
    session: Session, known: dict[str, dict[str, Any]], covers: dict[str, tuple[list[dt.date], str]]
) -> dict[int, tuple[dt.date, str]]:
    """Workers of the list whose months another payer (a registered pledge, the city's allocation) holds."""
    by_window: dict[tuple[dt.date, dt.date], list[int]] = {}
    for nik, (months, _) in covers.items():
        if nik in known and months:
            by_window.setdefault((months[0], months[-1]), []).append(known[nik]["id"])
    out: dict[int, tuple[dt.date, str]] = {}
    for (first, last), ids in by_window.items():
        out.update(taken_months(session=session, worker_ids=ids, first=first, last=last))
    return out


def import_covered(
    *,
    session: Session,
    actor: Actor,
    content: bytes,
    filename: str,
    apply: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Preview (or, with `apply`, commit) a covered-elsewhere list. Counts as in the worker import."""
    require_role(actor, Role.ADMIN, session=session, action="worker.covered_import")
    today = today or dt.date.today()
    table = sheets.read_table(
        content, filename, columns=COVERED_COLUMNS, required=COVERED_REQUIRED, max_bytes=MAX_BYTES, max_rows=MAX_ROWS
    )
    tally = Tally(table)
    accepted: list[tuple[int, str, dict[str, Any]]] = []
    covers: dict[str, tuple[list[dt.date], str]] = {}
    for row_no, nik, _, cells in rows_by_nik(tally):
        problems: list[tuple[str, str]] = []
        try:
            payer = fields.covered_by(cells.get("covered_by"))
        except ValidationError as exc:
            payer = ""
            problems.append(("covered_by", str(exc)))
        until = None
        if not fields.is_blank(cells.get("covered_until")):
            until = sheets.parse_date_cell(cells.get("covered_until"))
            if until is None:
                problems.append(("covered_until", "Tanggal berakhir tidak terbaca: tulis 31/12/2025 atau 2025-12-31."))
            elif until < today:
                problems.append(("covered_until", "Tanggal berakhir sudah lewat: pekerja ini tidak lagi ditanggung."))
        first = month_start(today)
        if not fields.is_blank(cells.get("covered_from")):
            start = sheets.parse_date_cell(cells.get("covered_from"))
            if start is None:
                problems.append(("covered_from", "Tanggal mulai tidak terbaca: tulis 1/1/2025 atau 2025-01-01."))
            elif until is not None and start > until:
                problems.append(("covered_from", "Tanggal mulai sesudah tanggal berakhir: periksa keduanya."))
            else:
                first = max(first, month_start(start))  # months already past are not written again
        if problems:
            for column, why in problems:
                tally.refuse(row_no, column, cells.get(column), why)
            tally.rejected += 1
            continue
        months = other_months(first=first, last=until)
        programme = programme_name(cells.get("covered_by")) if payer == PayerKind.OTHER_PROGRAMME.value else ""
        covers[nik] = (months, programme)
        accepted.append((row_no, nik, {"covered_elsewhere": True, "covered_by": payer, "covered_until": until}))
    known: dict[str, dict[str, Any]] = {}
    niks = [n for _, n, _ in accepted]
    for i in range(0, len(niks), 5_000):
        for wid, nik, name, ce, cb, cu in session.execute(
            select(
                col(Worker.id),
                col(Worker.nik),
                col(Worker.name),
                col(Worker.covered_elsewhere),
                col(Worker.covered_by),
                col(Worker.covered_until),
            ).where(col(Worker.nik).in_(niks[i : i + 5_000]))
        ).all():
            known[nik] = {"id": wid, "name": name, "covered_elsewhere": ce, "covered_by": cb, "covered_until": cu}
    changes: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any], dict[str, list[Any]]]] = []
    ledger_rows: list[Cover] = []
    unchanged = 0
    taken = _taken(session, known, covers)
    for row_no, nik, new in accepted:
        old = known.get(nik)
        if old is None:
            tally.refuse(row_no, "nik", nik, "NIK ini belum ada di registri: impor pekerjanya dulu.")
            tally.rejected += 1
            continue
        if old["id"] in taken:
            month, by = taken[old["id"]]
            tally.refuse(
                row_no,
                "covered_by",
                new["covered_by"],
                f"Pekerja ini sudah ditanggung {payer_label(by)} pada {fmt.month(month)}: satu bulan hanya boleh "
                "satu penanggung. Ubah tanggal mulainya atau hapus baris ini.",
            )
            tally.rejected += 1
            continue
        months, programme = covers[nik]
        ledger_rows.append(Cover(old["id"], new["covered_by"], months, programme))
        diff = {k: [old[k], v] for k, v in new.items() if old[k] != v}
        if not diff:
            unchanged += 1
            continue
        updates.append((old["id"], new, diff))
        changes.extend(
            {"row": row_no, "nik": nik, "name": old["name"], "field": k, "old": o, "new": n}
            for k, (o, n) in diff.items()
        )
    result = tally.result(
        inserted=0, updated=len(updates), unchanged=unchanged, changes=changes, token=token_of(content)
    )
    if not apply:
        session.rollback()
        return result
    try:
        run_id = record_run(
            session, actor, kind=ImportKind.COVERED.value, filename=filename, content=content, result=result
        )
        if ledger_rows:
            release_assigned(session, [c.worker_id for c in ledger_rows])  # proposed pledge months give way
            for c in ledger_rows:
                clear_cover(session=session, worker_ids=[c.worker_id], from_month=c.months[0] if c.months else today)
            write_cover(session=session, covers=[replace(c, import_id=run_id) for c in ledger_rows])
        if updates:
            table_ = Worker.__table__  # type: ignore[attr-defined]
            stmt = (
                update(table_)
                .where(table_.c.id == bindparam("_id"))
                .values(
                    covered_elsewhere=True,
                    covered_by=bindparam("_by"),
                    covered_until=bindparam("_until"),
                    updated_at=bindparam("_at"),
                )
            )
            now = utcnow()
            session.connection().execute(
                stmt,
                [
                    {"_id": wid, "_by": new["covered_by"], "_until": new["covered_until"], "_at": now}
                    for wid, new, _ in updates
                ],
            )
            audit.record_many(
                session=session,
                actor=actor,
                action="worker.covered",
                entity="worker",
                items=change_items([(wid, diff) for wid, _, diff in updates], run_id=run_id, filename=filename),
            )
        audit.record(
            session=session,
            actor=actor,
            action="worker.covered_import",
            entity="importrun",
            entity_id=run_id,
            file=filename[:200],
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=result.rejected,
        )
        session.commit()
    except IntegrityError as exc:  # another payer took one of these worker-months a moment ago
        session.rollback()
        raise ConflictError(
            "Sebagian pekerja dalam daftar baru saja mendapat penanggung lain (pencocokan atau alokasi APBD yang "
            "berjalan bersamaan). Tidak ada yang tersimpan: periksa berkas lagi lalu simpan ulang."
        ) from exc
    result.applied, result.import_id = True, run_id
    return result
