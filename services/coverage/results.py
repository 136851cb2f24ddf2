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
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from models import (
    Assignment,
    AssignmentStatus,
    CityRegistration,
    CityRegistrationStatus,
    ImportKind,
    Pledge,
    PledgeStatus,
)
from models.common import utcnow
from services.coverage.branches import branch_scope
from services.coverage.expiry import cover_end_from
from services.coverage.waiting import NOT_WAITING, UNKNOWN_CODE, choose, payer_code, waiting_registrations
from services.platform import audit, fmt, history, sheets
from services.platform.authz import Actor
from services.platform.dates import month_start
from services.platform.ledger import (
    align_assignments,
    align_city,
    city_months_of_others,
    end_assignments_from,
    months_of_others,
    payer_label,
    release_city,
)
from services.registry import ImportResult, Tally, record_run, rows_by_nik, token_of

RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "nik": ("NIK", "No KTP", "Nomor Induk Kependudukan"),
    "kpj": ("KPJ", "No KPJ", "Nomor KPJ", "No Kartu", "Nomor Kartu", "Card number"),
    "start": ("Tgl Mulai", "Mulai", "Tanggal Mulai", "Tgl Kepesertaan", "Tanggal Kepesertaan", "Coverage start"),
    "end": ("Tgl Berakhir", "Berakhir", "Sampai", "Tanggal Berakhir", "Coverage end"),
    "status": ("Status", "Hasil", "Status Pendaftaran"),
    "reason": ("Alasan", "Alasan Penolakan", "Keterangan"),
    "payer": ("Kode Penanggung", "Kode Pembayar", "Kode Penjamin"),
}
REFUSED_PREFIX = "Ditolak BPJS: "  # the reason of an assignment BPJS refused (the desk counts them by it)
REFUSED_WORDS = {"ditolak", "tolak", "gagal", "refused", "rejected"}
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
    """Preview (or, with `apply`, commit in one transaction) BPJS's registration result. Each row closes the
    registration of its payer (a pledge or the city's allocation; column Kode Penanggung, when given, must name
    the payer the worker was exported for)."""
    scope = branch_scope(session=session, actor=actor, action="coverage.result_import")
    table = sheets.read_table(
        content, filename, columns=RESULT_COLUMNS, required=RESULT_REQUIRED, max_bytes=MAX_BYTES, max_rows=MAX_ROWS
    )
    tally = Tally(table)
    parsed: list[tuple[int, str, str, dt.date, dt.date | None, str]] = []
    refusals: list[tuple[int, str, str, str]] = []  # (row, nik, BPJS's reason, payer code)
    for row_no, nik, _, cells in rows_by_nik(tally):
        code = payer_code(cells.get("payer"))
        if code is None:
            tally.refuse(row_no, "payer", cells.get("payer"), UNKNOWN_CODE)
            tally.rejected += 1
            continue
        if str(cells.get("status") or "").strip().lower() in REFUSED_WORDS:
            reason = str(cells.get("reason") or "").strip()
            if not reason:
                tally.refuse(row_no, "reason", "", "Pendaftaran ditolak tanpa alasan: isi kolom Alasan dari BPJS.")
                tally.rejected += 1
            else:
                refusals.append((row_no, nik, reason[:200], code))
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
        parsed.append((row_no, nik, kpj, start, end, code))

    niks = [p[1] for p in parsed] + [r[1] for r in refusals]
    kpjs = sorted({p[2] for p in parsed})
    waiting = waiting_registrations(session, niks, scope)
    kpj_owner: dict[str, int] = {}
    for i in range(0, len(kpjs), 5_000):
        chunk = kpjs[i : i + 5_000]
        for kpj, worker_id in session.execute(
            select(col(Assignment.kpj_number), col(Assignment.worker_id))
            .where(col(Assignment.kpj_number).in_(chunk))
            .union_all(
                select(col(CityRegistration.kpj_number), col(CityRegistration.worker_id)).where(
                    col(CityRegistration.kpj_number).in_(chunk)
                )
            )
        ).all():
            kpj_owner.setdefault(str(kpj), int(worker_id))

    plan = _Plan()
    changes: list[dict[str, Any]] = []
    unchanged = 0
    for row_no, nik, reason, code in refusals:
        found = choose(waiting.get(nik, []), code)
        if isinstance(found, str) or found[1].status != AssignmentStatus.REGISTERED.value:
            why = found if isinstance(found, str) else "Pekerja ini sudah aktif: penolakan tidak dapat dicatat lagi."
            tally.refuse(row_no, "payer" if code and found != NOT_WAITING else "nik", code or nik, why)
            tally.rejected += 1
            continue
        (plan.release if found[0] == "csr" else plan.city_release).append((found[1], reason))
        changes.append(
            {"row": row_no, "nik": nik, "name": "", "field": "Status", "old": "", "new": f"ditolak: {reason}"}
        )
    for row_no, nik, kpj, start, end, code in parsed:
        found = choose(waiting.get(nik, []), code)
        if isinstance(found, str):
            tally.refuse(row_no, "payer" if code and found != NOT_WAITING else "nik", code or nik, found)
            tally.rejected += 1
            continue
        kind, held, months, _ = found
        owner = kpj_owner.get(kpj)
        if owner is not None and owner != held.worker_id:
            tally.refuse(row_no, "kpj", kpj, "Nomor KPJ ini sudah dipakai NIK lain: periksa kembali dengan BPJS.")
            tally.rejected += 1
            continue
        end = end or cover_end_from(start, months)
        if held.status == AssignmentStatus.ACTIVE.value:
            if (held.kpj_number, held.coverage_start, held.coverage_end) == (kpj, start, end):
                unchanged += 1
            else:
                why = f"Pekerja ini sudah aktif dengan KPJ {held.kpj_number}: hubungi BPJS bila kartunya berubah."
                tally.refuse(row_no, "nik", nik, why)
                tally.rejected += 1
            continue
        kpj_owner[kpj] = held.worker_id  # a later row may not reuse it
        (plan.apply if kind == "csr" else plan.city_apply).append((held, kpj, start, end, row_no))
        changes.append({"row": row_no, "nik": nik, "name": "", "field": "KPJ", "old": "", "new": kpj})
    refused = _one_payer_per_month(session, tally, plan)
    changes = [c for c in changes if c["row"] not in refused]
    result = tally.result(
        inserted=0,
        updated=len(plan.apply) + len(plan.release) + len(plan.city_apply) + len(plan.city_release),
        unchanged=unchanged,
        changes=changes,
        token=token_of(content),
    )
    if not apply:
        session.rollback()
        return result
    result.import_id = _apply(session, actor, filename, content, result, plan)
    result.applied = True
    return result


_Closing = tuple[Any, str, dt.date, dt.date, int]  # (assignment or city registration, kpj, start, end, row)


@dataclass
class _Plan:
    """What a result file closes: pledge assignments and the city's registrations, activated or released."""

    apply: list[_Closing] = field(default_factory=list)
    release: list[tuple[Assignment, str]] = field(default_factory=list)
    city_apply: list[_Closing] = field(default_factory=list)
    city_release: list[tuple[CityRegistration, str]] = field(default_factory=list)


def _one_payer_per_month(session: Session, tally: Tally, plan: _Plan) -> set[int]:
    """BPJS's dates become the payer's months in the ledger: a row whose months another payer holds is refused,
    naming the month and the payer (for a pledge's worker and the city's alike). Returns the refused rows."""
    every = plan.apply + plan.city_apply
    if not every:
        return set()
    first, last = min(s for _, _, s, _, _ in every), max(e for _, _, _, e, _ in every)
    others = months_of_others(
        session=session, assignments={int(a.id or 0): a.worker_id for a, *_ in plan.apply}, first=first, last=last
    )
    city = city_months_of_others(
        session=session, pairs=[(r.allocation_id, r.worker_id) for r, *_ in plan.city_apply], first=first, last=last
    )
    refused: set[int] = set()
    for items, taken_of in (
        (plan.apply, lambda a: others[int(a.id or 0)]),
        (plan.city_apply, lambda r: city[(r.allocation_id, r.worker_id)]),
    ):
        kept = []
        for item in items:
            held, _, start, end, row_no = item
            taken = [(m, p) for m, p in taken_of(held) if month_start(start) <= m <= end]
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
        items[:] = kept
    return refused


def _apply_city(session: Session, actor: Actor, plan: _Plan, now: dt.datetime) -> None:
    """The city's registrations closed like a pledge's: refused ones give their months back, the others get
    their KPJ and BPJS's dates become their months."""
    for reg, reason in plan.city_release:
        reg.status, reg.reason, reg.updated_at = CityRegistrationStatus.REFUSED.value, reason[:300], now
        session.add(reg)
    release_city(session=session, pairs=[(r.allocation_id, r.worker_id) for r, _ in plan.city_release])
    for reg, kpj, start, end, _ in plan.city_apply:
        reg.status = CityRegistrationStatus.ACTIVE.value
        reg.kpj_number, reg.coverage_start, reg.coverage_end, reg.updated_at = kpj, start, end, now
        session.add(reg)
    session.flush()
    align_city(session=session, covers=[(r.allocation_id, r.worker_id, s, e) for r, _, s, e, _ in plan.city_apply])
    audit.record_many(
        session=session,
        actor=actor,
        action="worker.bpjs_refused",
        entity="worker",
        items=[(r.worker_id, {"allocation_id": r.allocation_id, "reason": why}) for r, why in plan.city_release],
    )
    audit.record_many(
        session=session,
        actor=actor,
        action="worker.activate",
        entity="worker",
        items=[
            (r.worker_id, {"kpj": kpj, "allocation_id": r.allocation_id, "start": s.isoformat(), "end": e.isoformat()})
            for r, kpj, s, e, _ in plan.city_apply
        ],
    )


def _apply(
    session: Session,
    actor: Actor,
    filename: str,
    content: bytes,
    result: ImportResult,
    plan: _Plan,
) -> int:
    now = utcnow()
    to_apply, to_release = plan.apply, plan.release
    run_id = record_run(
        session, actor, kind=ImportKind.BPJS_RESULT.value, filename=filename, content=content, result=result
    )
    for assignment, reason in to_release:
        assignment.status = AssignmentStatus.RELEASED.value
        assignment.reason = f"{REFUSED_PREFIX}{reason}"[:300]
        assignment.updated_at = now
        session.add(assignment)
    # A registration BPJS refused pays nothing: its months leave the ledger (the worker returns to the pool).
    end_assignments_from(session=session, assignment_ids=[a.id or 0 for a, _ in to_release], from_month=dt.date.min)
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
    _apply_city(session, actor, plan, now)
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
        refused_by_bpjs=len(to_release) + len(plan.city_release),
        city_activated=len(plan.city_apply),
        unchanged=result.unchanged,
        rejected=result.rejected,
        pledges=pledge_ids,
    )
    session.commit()
    return run_id
