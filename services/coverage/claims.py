"""Benefits BPJS paid (claims): imported from the branch's file or recorded one by one, previewed, audited.

A claim is accepted only for a worker whose cover by Payung was running on the event date (an active, expired or
renewed assignment whose coverage dates hold it); it records which pledge — which payer — that cover was. Refused
row by row with an Indonesian reason, nothing applied from a refused row, the rest committed together: a malformed
KPJ, an unknown worker (or one outside the branch's area), a negative amount, an event outside the cover, a claim
already recorded (in the database or earlier in the file), a second JKM for one worker.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlmodel import Session, col

from models import Assignment, AssignmentStatus, Claim, ImportKind, Kelurahan, Pledge, Programme, Worker
from models.common import utcnow
from models.company import Company
from services.coverage.branches import branch_scope
from services.coverage.claim_rules import CLAIM_COLUMNS, CLAIM_REQUIRED, KIND_LABELS, ClaimRow, check_row
from services.platform import audit, fmt, sheets
from services.platform.authz import Actor
from services.platform.errors import ValidationError
from services.registry import ImportResult, Tally, record_run, token_of

MAX_BYTES, MAX_ROWS = 5 * sheets.MB, 50_000
COVERED = (AssignmentStatus.ACTIVE.value, AssignmentStatus.EXPIRED.value, AssignmentStatus.RENEWED.value)
UNKNOWN_WORKER = "Pekerja tidak ditemukan di Payung (atau bukan wilayah cabang Anda): periksa KPJ/NIK-nya."


def _workers(session: Session, rows: list[ClaimRow], scope: list[str] | None) -> dict[str, int]:
    """KPJ or NIK -> worker id, for the workers the actor may see."""
    kpjs = sorted({r.kpj for r in rows if r.kpj})
    niks = sorted({r.nik for r in rows if r.nik})
    in_scope: list[Any] = []
    if scope is not None:
        areas = select(col(Kelurahan.code)).where(col(Kelurahan.kecamatan_code).in_(scope))
        in_scope.append(col(Worker.kelurahan_code).in_(areas))
    found: dict[str, int] = {}
    for i in range(0, len(kpjs), 5_000):
        stmt = (
            select(col(Assignment.kpj_number), col(Worker.id))
            .join(Worker, col(Worker.id) == Assignment.worker_id)
            .where(col(Assignment.kpj_number).in_(kpjs[i : i + 5_000]), *in_scope)
        )
        found.update({str(k): int(w) for k, w in session.execute(stmt).all()})
    for i in range(0, len(niks), 5_000):
        stmt = select(col(Worker.nik), col(Worker.id)).where(col(Worker.nik).in_(niks[i : i + 5_000]), *in_scope)
        found.update({str(n): int(w) for n, w in session.execute(stmt).all()})
    return found


def _covers(session: Session, worker_ids: Iterable[int]) -> dict[int, list[tuple[int, int, dt.date, dt.date]]]:
    """worker id -> its Payung cover periods (assignment id, pledge id, start, end)."""
    ids = sorted(set(worker_ids))
    covers: dict[int, list[tuple[int, int, dt.date, dt.date]]] = {}
    for i in range(0, len(ids), 5_000):
        stmt = select(
            col(Assignment.worker_id),
            col(Assignment.id),
            col(Assignment.pledge_id),
            col(Assignment.coverage_start),
            col(Assignment.coverage_end),
        ).where(
            col(Assignment.worker_id).in_(ids[i : i + 5_000]),
            col(Assignment.status).in_(COVERED),
            col(Assignment.coverage_start).is_not(None),
        )
        for w, a, p, start, end in session.execute(stmt).all():
            covers.setdefault(int(w), []).append((int(a), int(p), start, end))
    return covers


def _recorded(session: Session, worker_ids: Iterable[int]) -> set[tuple[int, str, dt.date | None, str]]:
    """Claims already recorded, as (worker, programme, event, kind); a JKM also as (worker, JKM, None, "")."""
    ids = sorted(set(worker_ids))
    keys: set[tuple[int, str, dt.date | None, str]] = set()
    for i in range(0, len(ids), 5_000):
        stmt = select(col(Claim.worker_id), col(Claim.programme), col(Claim.event_date), col(Claim.jkk_kind)).where(
            col(Claim.worker_id).in_(ids[i : i + 5_000])
        )
        for w, programme, event, kind in session.execute(stmt).all():
            keys.add((int(w), str(programme), event, str(kind)))
            if programme == Programme.JKM.value:
                keys.add((int(w), Programme.JKM.value, None, ""))
    return keys


def _cover_reason(event: dt.date, periods: list[tuple[int, int, dt.date, dt.date]]) -> str:
    if not periods:
        return "Pekerja ini belum pernah dilindungi lewat Payung (belum ada kartu aktif): klaim tidak dapat dicatat."
    spans = ", ".join(f"{fmt.date(s)} – {fmt.date(e)}" for _, _, s, e in sorted(periods, key=lambda p: p[2]))
    return (
        f"Pada tanggal kejadian {fmt.date(event)} pekerja ini tidak dilindungi lewat Payung (perlindungannya "
        f"{spans}): klaim di luar masa perlindungan tidak dicatat."
    )


def _check(
    session: Session, actor: Actor, table: sheets.Table, today: dt.date
) -> tuple[Tally, list[tuple[int, ClaimRow, int, int, int]]]:
    """Every row checked; returns the refusals and the accepted claims (row, claim, worker, assignment, pledge)."""
    scope = branch_scope(session=session, actor=actor, action="claim.import")
    tally = Tally(table)
    parsed: list[tuple[int, ClaimRow]] = []
    for row_no, cells in table.rows():
        claim, problems = check_row(cells, today=today)
        for column, why in problems:
            tally.refuse(row_no, column, cells.get(column), why)
        if claim is None:
            tally.rejected += 1
            continue
        parsed.append((row_no, claim))
    workers = _workers(session, [c for _, c in parsed], scope)
    covers = _covers(session, workers.values())
    seen = _recorded(session, workers.values())
    accepted: list[tuple[int, ClaimRow, int, int, int]] = []
    for row_no, claim in parsed:
        key_column, key = ("kpj", claim.kpj) if claim.kpj else ("nik", claim.nik)
        worker_id = workers.get(key or "")
        if worker_id is None:
            tally.refuse(row_no, key_column, key, UNKNOWN_WORKER)
            tally.rejected += 1
            continue
        if (worker_id, claim.programme, claim.event_date, claim.kind) in seen or (
            claim.programme == Programme.JKM.value and (worker_id, Programme.JKM.value, None, "") in seen
        ):
            why = (
                "Klaim ganda: klaim yang sama (pekerja, program, tanggal kejadian) sudah tercatat; baris ini diabaikan."
            )
            if claim.programme == Programme.JKM.value:
                why = "Klaim ganda: santunan JKM untuk pekerja ini sudah tercatat; baris ini diabaikan."
            tally.refuse(row_no, key_column, key, why)
            tally.duplicates += 1
            continue
        periods = covers.get(worker_id, [])
        running = [p for p in periods if p[2] <= claim.event_date <= p[3]]
        if not running:
            tally.refuse(
                row_no, "event", claim.event_date.strftime("%d/%m/%Y"), _cover_reason(claim.event_date, periods)
            )
            tally.rejected += 1
            continue
        assignment_id, pledge_id = running[0][0], running[0][1]
        seen.add((worker_id, claim.programme, claim.event_date, claim.kind))
        if claim.programme == Programme.JKM.value:
            seen.add((worker_id, Programme.JKM.value, None, ""))
        accepted.append((row_no, claim, worker_id, assignment_id, pledge_id))
    return tally, accepted


def _save(
    session: Session, actor: Actor, accepted: list[tuple[int, ClaimRow, int, int, int]], import_id: int | None
) -> list[int]:
    """One multi-row INSERT … RETURNING (ids in the rows' order), then one audit row per claim."""
    now = utcnow()
    rows = [
        {
            "worker_id": worker_id,
            "assignment_id": assignment_id,
            "pledge_id": pledge_id,
            "programme": c.programme,
            "jkk_kind": c.kind,
            "event_date": c.event_date,
            "paid_date": c.paid_date,
            "amount": c.amount,
            "recorded_by_id": actor.user_id,
            "recorded_by": actor.username,
            "import_id": import_id,
            "created_at": now,
        }
        for _, c, worker_id, assignment_id, pledge_id in accepted
    ]
    ids = [
        int(i or 0) for i in session.scalars(insert(Claim).returning(col(Claim.id), sort_by_parameter_order=True), rows)
    ]
    audit.record_many(
        session=session,
        actor=actor,
        action="worker.claim",
        entity="worker",
        items=[
            (row["worker_id"], {"claim_id": claim_id, "programme": row["programme"], "pledge_id": row["pledge_id"]})
            for claim_id, row in zip(ids, rows, strict=True)
        ],
    )
    return ids


def import_claims(
    *,
    session: Session,
    actor: Actor,
    content: bytes,
    filename: str,
    apply: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Preview (or, with `apply`, commit in one transaction) a claims file from BPJS."""
    branch_scope(session=session, actor=actor, action="claim.import")
    table = sheets.read_table(
        content, filename, columns=CLAIM_COLUMNS, required=CLAIM_REQUIRED, max_bytes=MAX_BYTES, max_rows=MAX_ROWS
    )
    if not (table.has("kpj") or table.has("nik")):
        raise ValidationError("Berkas klaim perlu kolom KPJ atau NIK untuk mengenali pekerjanya. Tambahkan salah satu.")
    tally, accepted = _check(session, actor, table, today or dt.date.today())
    changes = [
        {"row": r, "nik": c.nik or "", "name": "", "field": c.programme, "old": "", "new": fmt.rupiah(c.amount)}
        for r, c, *_ in accepted
    ]
    result = tally.result(inserted=len(accepted), updated=0, unchanged=0, changes=changes, token=token_of(content))
    if not apply:
        session.rollback()
        return result
    run_id = record_run(session, actor, kind=ImportKind.CLAIMS.value, filename=filename, content=content, result=result)
    _save(session, actor, accepted, run_id)
    audit.record(
        session=session,
        actor=actor,
        action="claim.import",
        entity="importrun",
        entity_id=run_id,
        file=filename[:200],
        inserted=len(accepted),
        rejected=result.rejected,
        duplicates=result.duplicates,
    )
    session.commit()
    result.applied, result.import_id = True, run_id
    return result


def record_claim(
    *,
    session: Session,
    actor: Actor,
    worker: str,
    programme: str,
    kind: str,
    event_date: dt.date | None,
    paid_date: dt.date | None,
    amount: str,
    today: dt.date | None = None,
) -> int:
    """One claim typed on the page (worker by KPJ or NIK): the same checks as a file row. Returns its id."""
    text = worker.strip().replace(" ", "")
    cells: dict[str, sheets.Cell] = {
        "kpj": text if len(text) != 16 else None,
        "nik": text if len(text) == 16 else None,
        "programme": programme,
        "kind": kind,
        "event": event_date,
        "paid": paid_date,
        "amount": amount,
    }
    table = sheets.Table(
        headers={k: v[0] for k, v in CLAIM_COLUMNS.items()},
        row_numbers=[1],
        cells={k: [v] for k, v in cells.items()},
    )
    tally, accepted = _check(session, actor, table, today or dt.date.today())
    if not accepted:
        session.rollback()
        raise ValidationError("Klaim belum dapat dicatat:\n\n" + "\n".join(f"- {e.reason}" for e in tally.errors))
    claim_id = _save(session, actor, accepted, None)[0]
    audit.record(session=session, actor=actor, action="claim.record", entity="claim", entity_id=claim_id)
    session.commit()
    return claim_id


def recorded_claims(*, session: Session, actor: Actor, branch: str = "") -> pd.DataFrame:
    """The claims of the actor's area, newest first (500 at most), without names: KPJ, programme, kind, dates,
    amount, payer. Audited."""
    scope = branch_scope(session=session, actor=actor, action="claim.list", branch=branch)
    stmt = (
        select(
            col(Claim.id),
            col(Assignment.kpj_number),
            col(Claim.programme),
            col(Claim.jkk_kind),
            col(Claim.event_date),
            col(Claim.paid_date),
            col(Claim.amount),
            col(Company.name),
            col(Claim.recorded_by),
        )
        .join(Assignment, col(Assignment.id) == Claim.assignment_id)
        .join(Pledge, col(Pledge.id) == Claim.pledge_id)
        .join(Company, col(Company.id) == Pledge.company_id)
        .order_by(col(Claim.paid_date).desc(), col(Claim.id).desc())
        .limit(500)
    )
    if scope is not None:
        stmt = stmt.join(Worker, col(Worker.id) == Claim.worker_id).where(
            col(Worker.kelurahan_code).in_(select(col(Kelurahan.code)).where(col(Kelurahan.kecamatan_code).in_(scope)))
        )
    frame = pd.DataFrame(
        session.execute(stmt).all(),
        columns=["id", "kpj", "programme", "kind", "event_date", "paid_date", "amount", "payer", "recorded_by"],
    )
    frame["kind"] = frame["kind"].map(lambda k: KIND_LABELS.get(k, ""))
    # KPJ numbers are personal data: the view is audited (committed), like every view of workers' data.
    audit.record(session=session, actor=actor, action="claim.list", entity="branch",
                 entity_id=branch or actor.branch or "semua", rows=len(frame))  # fmt: skip
    session.commit()
    return frame
