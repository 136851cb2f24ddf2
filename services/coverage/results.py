"""Importing BPJS's answer to a registration file: NIK, KPJ card number, coverage start (and optionally end), or
a refusal (Status "Ditolak" with its Alasan).

A registered assignment becomes `active` with its KPJ and dates; its pledge becomes `active`. A registration BPJS
refused is released (the worker goes back to the pool, the pledge's place frees) with BPJS's reason. A branch
officer imports only for workers of the kecamatan its branch serves: any other NIK is refused. Refused and
reported, never applied: a NIK that is not registered, a malformed KPJ, a KPJ already held by another NIK (in
the database or earlier in the same file), an end before the start. The same file twice changes nothing.
"""

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from models import Assignment, AssignmentStatus, ImportKind, Kelurahan, Pledge, PledgeStatus, Worker
from models.common import utcnow
from services.coverage.branches import branch_scope
from services.coverage.expiry import cover_end_from
from services.platform import audit, fmt, history, sheets
from services.platform.authz import Actor
from services.platform.dates import month_start
from services.platform.ledger import align_assignments, months_of_others, payer_label
from services.registry import ImportResult, Tally, record_run, rows_by_nik, token_of

RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "nik": ("NIK", "No KTP", "Nomor Induk Kependudukan"),
    "kpj": ("KPJ", "No KPJ", "Nomor KPJ", "No Kartu", "Nomor Kartu", "Card number"),
    "start": ("Tgl Mulai", "Mulai", "Tanggal Mulai", "Tgl Kepesertaan", "Tanggal Kepesertaan", "Coverage start"),
    "end": ("Tgl Berakhir", "Berakhir", "Sampai", "Tanggal Berakhir", "Coverage end"),
    "status": ("Status", "Hasil", "Status Pendaftaran"),
    "reason": ("Alasan", "Alasan Penolakan", "Keterangan"),
}
REFUSED_PREFIX = "Ditolak BPJS: "  # the reason of an assignment BPJS refused (the desk counts them by it)
REFUSED_WORDS = {"ditolak", "tolak", "gagal", "refused", "rejected"}
RESULT_REQUIRED = {"nik", "kpj", "start"}
KPJ_PATTERN = re.compile(r"^\d{11}$")
MAX_BYTES, MAX_ROWS = 20 * sheets.MB, 250_000


NOT_WAITING = "NIK ini tidak sedang didaftarkan ke BPJS (tidak ada di berkas pendaftaran Anda): periksa NIK-nya."


def _kelurahan_in(kecamatan: list[str]) -> Any:
    return select(col(Kelurahan.code)).where(col(Kelurahan.kecamatan_code).in_(kecamatan))


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
    scope = branch_scope(session=session, actor=actor, action="coverage.result_import")
    table = sheets.read_table(
        content, filename, columns=RESULT_COLUMNS, required=RESULT_REQUIRED, max_bytes=MAX_BYTES, max_rows=MAX_ROWS
    )
    tally = Tally(table)
    parsed: list[tuple[int, str, str, dt.date, dt.date | None]] = []
    refusals: list[tuple[int, str, str]] = []  # (row, nik, BPJS's reason)
    for row_no, nik, _, cells in rows_by_nik(tally):
        if str(cells.get("status") or "").strip().lower() in REFUSED_WORDS:
            reason = str(cells.get("reason") or "").strip()
            if not reason:
                tally.refuse(row_no, "reason", "", "Pendaftaran ditolak tanpa alasan: isi kolom Alasan dari BPJS.")
                tally.rejected += 1
            else:
                refusals.append((row_no, nik, reason[:200]))
            continue
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

    niks = [p[1] for p in parsed] + [r[1] for r in refusals]
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
                *([] if scope is None else [col(Worker.kelurahan_code).in_(_kelurahan_in(scope))]),
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
    to_release: list[tuple[Assignment, str]] = []
    for row_no, nik, reason in refusals:
        found = holding.get(nik)
        if found is None or found[0].status != AssignmentStatus.REGISTERED.value:
            why = NOT_WAITING if found is None else "Pekerja ini sudah aktif: penolakan tidak dapat dicatat lagi."
            tally.refuse(row_no, "nik", nik, why)
            tally.rejected += 1
            continue
        to_release.append((found[0], reason))
        changes.append(
            {"row": row_no, "nik": nik, "name": "", "field": "Status", "old": "", "new": f"ditolak: {reason}"}
        )
    for row_no, nik, kpj, start, end in parsed:
        found = holding.get(nik)
        if found is None:
            tally.refuse(row_no, "nik", nik, NOT_WAITING)
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
    to_apply, changes = _one_payer_per_month(session, tally, to_apply, changes)
    result = tally.result(
        inserted=0,
        updated=len(to_apply) + len(to_release),
        unchanged=unchanged,
        changes=changes,
        token=token_of(content),
    )
    if not apply:
        session.rollback()
        return result
    result.import_id = _apply(session, actor, filename, content, result, to_apply, to_release)
    result.applied = True
    return result


def _one_payer_per_month(
    session: Session,
    tally: Tally,
    to_apply: list[tuple[Assignment, str, dt.date, dt.date, int]],
    changes: list[dict[str, Any]],
) -> tuple[list[tuple[Assignment, str, dt.date, dt.date, int]], list[dict[str, Any]]]:
    """BPJS's dates become the pledge's months in the payer ledger: a row whose months another payer holds is
    refused, naming the month and the payer."""
    if not to_apply:
        return to_apply, changes
    others = months_of_others(
        session=session,
        assignments={int(a.id or 0): a.worker_id for a, *_ in to_apply},
        first=min(s for _, _, s, _, _ in to_apply),
        last=max(e for _, _, _, e, _ in to_apply),
    )
    kept, refused = [], set()
    for item in to_apply:
        assignment, _, start, end, row_no = item
        taken = [(m, p) for m, p in others[int(assignment.id or 0)] if month_start(start) <= m <= end]
        if not taken:
            kept.append(item)
            continue
        month, payer = taken[0]
        why = (
            f"Masa kepesertaan dari BPJS mencakup {fmt.month(month)}, yang sudah ditanggung {payer_label(payer)}: "
            "satu bulan hanya boleh satu penanggung. Periksa tanggal mulainya dengan BPJS."
        )
        tally.refuse(row_no, "start", start, why)
        tally.rejected += 1
        refused.add(row_no)
    return kept, [c for c in changes if c["row"] not in refused]


def _apply(
    session: Session,
    actor: Actor,
    filename: str,
    content: bytes,
    result: ImportResult,
    to_apply: list[tuple[Assignment, str, dt.date, dt.date, int]],
    to_release: list[tuple[Assignment, str]],
) -> int:
    now = utcnow()
    run_id = record_run(
        session, actor, kind=ImportKind.BPJS_RESULT.value, filename=filename, content=content, result=result
    )
    for assignment, reason in to_release:
        assignment.status = AssignmentStatus.RELEASED.value
        assignment.reason = f"{REFUSED_PREFIX}{reason}"[:300]
        assignment.updated_at = now
        session.add(assignment)
    audit.record_many(
        session=session,
        actor=actor,
        action="worker.bpjs_refused",
        entity="worker",
        items=[(a.worker_id, {"pledge_id": a.pledge_id, "reason": reason}) for a, reason in to_release],
    )
    for assignment, kpj, start, end, _ in to_apply:
        assignment.status = AssignmentStatus.ACTIVE.value
        assignment.kpj_number, assignment.coverage_start, assignment.coverage_end = kpj, start, end
        assignment.updated_at = now
        session.add(assignment)
    session.flush()
    align_assignments(session=session, covers=[(int(a.id or 0), a.worker_id, s, e) for a, _, s, e, _ in to_apply])
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
        refused_by_bpjs=len(to_release),
        unchanged=result.unchanged,
        rejected=result.rejected,
        pledges=pledge_ids,
    )
    session.commit()
    return run_id
