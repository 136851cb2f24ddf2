"""Importing BPJS's answer to a registration file: NIK, KPJ card number, coverage start (and optionally end).

A registered assignment becomes `active` with its KPJ and dates; its pledge becomes `active`. Refused and
reported, never applied: a NIK that is not registered, a malformed KPJ, a KPJ already held by another NIK (in
the database or earlier in the same file), an end before the start. The same file twice changes nothing.
"""

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from models import Assignment, AssignmentStatus, ImportKind, Pledge, PledgeStatus, Role, Worker
from models.common import utcnow
from services.coverage.expiry import cover_end_from
from services.platform import audit, history, sheets
from services.platform.authz import Actor, require_role
from services.registry import ImportResult, Tally, record_run, rows_by_nik, token_of

RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "nik": ("NIK", "No KTP", "Nomor Induk Kependudukan"),
    "kpj": ("KPJ", "No KPJ", "Nomor KPJ", "No Kartu", "Nomor Kartu", "Card number"),
    "start": ("Tgl Mulai", "Mulai", "Tanggal Mulai", "Tgl Kepesertaan", "Tanggal Kepesertaan", "Coverage start"),
    "end": ("Tgl Berakhir", "Berakhir", "Sampai", "Tanggal Berakhir", "Coverage end"),
}
RESULT_REQUIRED = {"nik", "kpj", "start"}
KPJ_PATTERN = re.compile(r"^\d{11}$")
MAX_BYTES, MAX_ROWS = 20 * sheets.MB, 250_000


def normalise_kpj(value: sheets.Cell) -> str | None:
    """An 11-digit KPJ card number (spaces, dots and dashes ignored), or None when malformed."""
    if sheets.is_number_cell(value):
        number = float(value)  # type: ignore[arg-type]
        text = str(int(number)) if number.is_integer() else ""
    else:
        text = re.sub(r"[\s.\-]", "", str(value or ""))
    return text if KPJ_PATTERN.match(text) else None


def import_result(
    *, session: Session, actor: Actor, content: bytes, filename: str, apply: bool = False
) -> ImportResult:
    """Preview (or, with `apply`, commit in one transaction) BPJS's registration result."""
    require_role(actor, Role.ADMIN, session=session, action="coverage.result_import")
    table = sheets.read_table(
        content, filename, columns=RESULT_COLUMNS, required=RESULT_REQUIRED, max_bytes=MAX_BYTES, max_rows=MAX_ROWS
    )
    tally = Tally(table)
    parsed: list[tuple[int, str, str, dt.date, dt.date | None]] = []
    for row_no, nik, _, cells in rows_by_nik(tally):
        problems = []
        kpj = normalise_kpj(cells.get("kpj"))
        if kpj is None:
            problems.append(("kpj", "Nomor KPJ harus 11 digit angka: periksa kembali kartu dari BPJS."))
        start = sheets.parse_date_cell(cells.get("start"))
        if start is None:
            problems.append(("start", "Tanggal mulai tidak terbaca: tulis 01/12/2024 atau 2024-12-01."))
        end = None
        if cells.get("end") is not None:
            end = sheets.parse_date_cell(cells.get("end"))
            if end is None:
                problems.append(("end", "Tanggal berakhir tidak terbaca: tulis 30/11/2025 atau 2025-11-30."))
            elif start is not None and end < start:
                problems.append(("end", "Tanggal berakhir lebih awal dari tanggal mulai: periksa keduanya."))
        if problems:
            for column, why in problems:
                tally.refuse(row_no, column, cells.get(column), why)
            tally.rejected += 1
            continue
        assert kpj is not None and start is not None
        parsed.append((row_no, nik, kpj, start, end))

    niks = [p[1] for p in parsed]
    kpjs = sorted({p[2] for p in parsed})
    holding: dict[str, tuple[Any, ...]] = {}
    for i in range(0, len(niks), 5_000):
        for row in session.execute(
            select(col(Worker.nik), Assignment, col(Pledge.months))
            .join(Assignment, col(Assignment.worker_id) == Worker.id)
            .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
            .where(
                col(Worker.nik).in_(niks[i : i + 5_000]),
                col(Assignment.status).in_([AssignmentStatus.REGISTERED.value, AssignmentStatus.ACTIVE.value]),
            )
        ).all():
            holding[row[0]] = (row[1], row[2])
    kpj_owner: dict[str, int] = {}
    for i in range(0, len(kpjs), 5_000):
        for kpj, worker_id in session.execute(
            select(col(Assignment.kpj_number), col(Assignment.worker_id)).where(
                col(Assignment.kpj_number).in_(kpjs[i : i + 5_000])
            )
        ).all():
            kpj_owner.setdefault(str(kpj), int(worker_id))

    to_apply: list[tuple[Assignment, str, dt.date, dt.date, int]] = []
    changes: list[dict[str, Any]] = []
    unchanged = 0
    for row_no, nik, kpj, start, end in parsed:
        found = holding.get(nik)
        if found is None:
            why = "NIK ini tidak sedang didaftarkan ke BPJS (tidak ada di berkas pendaftaran): periksa NIK-nya."
            tally.refuse(row_no, "nik", nik, why)
            tally.rejected += 1
            continue
        assignment, months = found
        owner = kpj_owner.get(kpj)
        if owner is not None and owner != assignment.worker_id:
            tally.refuse(row_no, "kpj", kpj, "Nomor KPJ ini sudah dipakai NIK lain: periksa kembali dengan BPJS.")
            tally.rejected += 1
            continue
        end = end or cover_end_from(start, months)
        if assignment.status == AssignmentStatus.ACTIVE.value:
            if (assignment.kpj_number, assignment.coverage_start, assignment.coverage_end) == (kpj, start, end):
                unchanged += 1
            else:
                why = f"Pekerja ini sudah aktif dengan KPJ {assignment.kpj_number}: hubungi BPJS bila kartunya berubah."
                tally.refuse(row_no, "nik", nik, why)
                tally.rejected += 1
            continue
        kpj_owner[kpj] = assignment.worker_id  # a later row may not reuse it
        to_apply.append((assignment, kpj, start, end, row_no))
        changes.append({"row": row_no, "nik": nik, "name": "", "field": "KPJ", "old": "", "new": kpj})
    result = tally.result(
        inserted=0, updated=len(to_apply), unchanged=unchanged, changes=changes, token=token_of(content)
    )
    if not apply:
        session.rollback()
        return result
    result.import_id = _apply(session, actor, filename, content, result, to_apply)
    result.applied = True
    return result


def _apply(
    session: Session,
    actor: Actor,
    filename: str,
    content: bytes,
    result: ImportResult,
    to_apply: list[tuple[Assignment, str, dt.date, dt.date, int]],
) -> int:
    now = utcnow()
    run_id = record_run(
        session, actor, kind=ImportKind.BPJS_RESULT.value, filename=filename, content=content, result=result
    )
    for assignment, kpj, start, end, _ in to_apply:
        assignment.status = AssignmentStatus.ACTIVE.value
        assignment.kpj_number, assignment.coverage_start, assignment.coverage_end = kpj, start, end
        assignment.updated_at = now
        session.add(assignment)
    session.flush()
    pledge_ids = sorted({a.pledge_id for a, *_ in to_apply})
    for pledge in session.execute(select(Pledge).where(col(Pledge.id).in_(pledge_ids))).scalars():
        if pledge.status in (PledgeStatus.MATCHED.value, PledgeStatus.REGISTERED.value):
            pledge.status = PledgeStatus.ACTIVE.value
            pledge.updated_at = now
            session.add(pledge)
    history.sync_assignment_ids(session=session, ids=[a.id or 0 for a, *_ in to_apply], now=now)
    history.sync_pledge_ids(session=session, ids=pledge_ids, now=now)
    audit.record_many(
        session=session,
        actor=actor,
        action="worker.activate",
        entity="worker",
        items=[
            (a.worker_id, {"kpj": kpj, "pledge_id": a.pledge_id, "start": s.isoformat(), "end": e.isoformat()})
            for a, kpj, s, e, _ in to_apply
        ],
    )
    audit.record(
        session=session,
        actor=actor,
        action="coverage.result_import",
        entity="importrun",
        entity_id=run_id,
        file=filename[:200],
        activated=len(to_apply),
        unchanged=result.unchanged,
        rejected=result.rejected,
        pledges=pledge_ids,
    )
    session.commit()
    return run_id
