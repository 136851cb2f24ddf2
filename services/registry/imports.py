"""Importing Dinsos's worker list: an update by NIK, previewed first, committed in one transaction.

New NIKs are inserted; known NIKs whose fields changed are shown old → new and applied only on confirmation
(each change audited); unchanged rows are counted. The confirmation carries the preview's token: if the file or
the registry changed since the preview, nothing is applied and the officer previews again. The page and
`python -m services.registry import-workers` call `import_workers`.
"""

import datetime as dt
import hashlib
import json
import time
from typing import Any

from sqlalchemy import String, any_, bindparam, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col

from models import ImportKind, Kelurahan, Role, Worker
from models.common import utcnow
from services.platform import audit, sheets
from services.platform.authz import Actor, require_role
from services.platform.db import copy_rows, is_postgres
from services.platform.errors import ConflictError
from services.registry import fields
from services.registry.import_rows import MAX_BYTES, MAX_ROWS, WORKER_COLUMNS, WORKER_REQUIRED, Progress, check_rows
from services.registry.runs import ImportResult, Tally, change_items, jsonable, record_run

# The last previewed file's validated rows, by (sha256, occupations): the officer's confirmation reuses them
# instead of reading the file again (per process; a miss simply reads again).
_CHECKED: dict[tuple[str, tuple[str, ...]], tuple[list[dict[str, Any]], Tally]] = {}
COMPARED = ("name", "sex", "birth_date", "kelurahan_code", "address", "occupation", "desil", "phone", "lat", "lon")
_CHUNK = 5_000
_ANALYZE_AFTER = 10_000  # inserted rows


def _existing(session: Session, niks: list[str]) -> dict[str, dict[str, Any]]:
    columns = [col(Worker.id), col(Worker.nik), col(Worker.location_estimated)] + [getattr(Worker, c) for c in COMPARED]
    out: dict[str, dict[str, Any]] = {}
    postgres = session.get_bind().dialect.name == "postgresql"
    # PostgreSQL takes the NIKs as one array parameter (= ANY), 50,000 at a time; SQLite an IN list of 5,000.
    size = 50_000 if postgres else _CHUNK
    for i in range(0, len(niks), size):
        chunk = niks[i : i + size]
        if postgres:
            where = col(Worker.nik) == any_(bindparam("niks", chunk, type_=ARRAY(String)))
        else:
            where = col(Worker.nik).in_(chunk)
        for r in session.execute(select(*columns).where(where)).all():
            out[r[1]] = {"id": r[0], "location_estimated": r[2], **dict(zip(COMPARED, r[3:], strict=True))}
    return out


def _occupations(session: Session) -> dict[str, str]:
    return {str(o).lower(): str(o) for (o,) in session.execute(select(col(Worker.occupation)).distinct()).all()}


def _token(content: bytes, inserted: int, changes: list[dict[str, Any]]) -> str:
    digest = hashlib.sha256(content)
    digest.update(json.dumps([inserted, [[c["nik"], c["field"], jsonable(c["old"])] for c in changes]]).encode())
    return digest.hexdigest()[:32]


def import_workers(
    *,
    session: Session,
    actor: Actor,
    content: bytes,
    filename: str,
    apply: bool = False,
    expected_token: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, validate and compare a worker file; with `apply`, commit its accepted rows in one transaction.

    Raises ValidationError when the file cannot be read at all; ConflictError when `expected_token` is given
    and the preview no longer holds."""
    require_role(actor, Role.ADMIN, session=session, action="worker.import")
    report = progress or (lambda _f, _t: None)
    clock = time.perf_counter()
    seconds: dict[str, float] = {}
    occupations = _occupations(session)
    session.rollback()  # end the read before the slow part: on SQLite a transaction holds the write lock
    key = (hashlib.sha256(content).hexdigest(), tuple(sorted(occupations)))
    cached = _CHECKED.get(key) if apply and expected_token is not None else None
    if cached is None:
        report(0.0, "Membaca berkas…")
        table = sheets.read_table(
            content, filename, columns=WORKER_COLUMNS, required=WORKER_REQUIRED, max_bytes=MAX_BYTES, max_rows=MAX_ROWS
        )
        seconds["read"] = time.perf_counter() - clock
        accepted, tally = check_rows(table, occupations=occupations, progress=lambda f, t: report(0.1 + 0.5 * f, t))
        seconds["validate"] = time.perf_counter() - clock - seconds["read"]
        _CHECKED.clear()  # one file at a time: a 200,000-row file is ~200 MB of rows
        if not apply:
            _CHECKED[key] = (accepted, tally.detach())
    else:
        # The confirmation of the preview just shown: the file is the same bytes, so its reading and validation
        # are reused; the comparison with the registry below runs again and must give the same token.
        accepted, tally = cached
        seconds["read"] = seconds["validate"] = 0.0
    report(0.6, "Membandingkan dengan registri…")
    known = _existing(session, [r["nik"] for r in accepted])
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[dict[str, Any], dict[str, Any], dict[str, list[Any]]]] = []
    changes: list[dict[str, Any]] = []
    for row in accepted:
        old = known.get(row["nik"])
        if old is None:
            inserts.append(row)
            continue
        diff = {k: [old[k], row[k]] for k in COMPARED if k in row and row[k] != old[k]}
        if diff:
            updates.append((row, old, diff))
            changes.extend(
                {"row": row["row"], "nik": row["nik"], "name": row["name"], "field": k, "old": o, "new": n}
                for k, (o, n) in diff.items()
            )
    token = _token(content, len(inserts), changes)
    seconds["compare"] = time.perf_counter() - clock - seconds["read"] - seconds["validate"]
    result = tally.result(
        inserted=len(inserts),
        updated=len(updates),
        unchanged=len(accepted) - len(inserts) - len(updates),
        changes=changes,
        token=token,
    )
    result.seconds = seconds
    if not apply:
        session.rollback()  # end the read transaction (SQLite holds the write lock until it ends)
        report(1.0, "Pratinjau siap.")
        return result
    if expected_token is not None and expected_token != token:
        session.rollback()
        raise ConflictError(
            "Registri atau berkas berubah sejak pratinjau (mungkin petugas lain mengimpor). Tidak ada yang disimpan: "
            "buat pratinjau lagi, periksa perubahannya, lalu konfirmasi."
        )
    report(0.75, f"Menyimpan {len(inserts):,} pekerja baru dan {len(updates):,} perubahan…")
    result.import_id = _write(session, actor, filename, content, result, inserts, updates)
    result.applied = True
    seconds["write"] = time.perf_counter() - clock - sum(seconds.values())
    report(1.0, "Selesai.")
    return result


def _write(
    session: Session,
    actor: Actor,
    filename: str,
    content: bytes,
    result: ImportResult,
    inserts: list[dict[str, Any]],
    updates: list[tuple[dict[str, Any], dict[str, Any], dict[str, list[Any]]]],
) -> int:
    run_id = record_run(
        session, actor, kind=ImportKind.WORKERS.value, filename=filename, content=content, result=result
    )
    rep = {
        code: (lat, lon)
        for code, lat, lon in session.execute(
            select(col(Kelurahan.code), col(Kelurahan.rep_lat), col(Kelurahan.rep_lon))
        )
    }
    now = utcnow()
    rows = []
    for r in inserts:
        estimated = r.get("lat") is None
        lat, lon = rep[r["kelurahan_code"]] if estimated else (r["lat"], r["lon"])
        rows.append(
            {
                "nik": r["nik"],
                "name": r["name"],
                "sex": r["sex"],
                "birth_date": r["birth_date"],
                "kelurahan_code": r["kelurahan_code"],
                "address": r.get("address", ""),
                "occupation": r.get("occupation") or fields.UNKNOWN_OCCUPATION,
                "desil": r.get("desil"),
                "phone": r.get("phone", ""),
                "lat": lat,
                "lon": lon,
                "covered_elsewhere": False,
                "covered_by": "",
                "location_estimated": estimated,
                "import_id": run_id,
                "created_at": now,
            }
        )
    table = Worker.__table__  # type: ignore[attr-defined]
    if rows and is_postgres(session.get_bind()):  # type: ignore[arg-type]
        copy_rows(session, "worker", list(rows[0]), rows)
    else:
        for i in range(0, len(rows), _CHUNK):
            session.connection().execute(insert(table), rows[i : i + _CHUNK])  # Core executemany: no ORM objects
    if updates:
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({c: bindparam("_" + c) for c in (*COMPARED, "location_estimated", "updated_at")})
        )
        params = []
        for row, old, diff in updates:
            merged = {**old, **{k: row[k] for k in COMPARED if k in row}}
            if "lat" in diff or "lon" in diff:
                merged["location_estimated"] = False
            elif "kelurahan_code" in diff and old["location_estimated"]:
                merged["lat"], merged["lon"] = rep[merged["kelurahan_code"]]
            params.append(
                {
                    "_id": old["id"],
                    "_updated_at": now,
                    **{"_" + c: merged[c] for c in (*COMPARED, "location_estimated")},
                }
            )
        for i in range(0, len(params), _CHUNK):
            session.connection().execute(stmt, params[i : i + _CHUNK])
        audit.record_many(
            session=session,
            actor=actor,
            action="worker.update",
            entity="worker",
            items=change_items([(old["id"], diff) for _, old, diff in updates], run_id=run_id, filename=filename),
        )
    audit.record(
        session=session,
        actor=actor,
        action="worker.import",
        entity="importrun",
        entity_id=run_id,
        file=filename[:200],
        read=result.read,
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
        rejected=result.rejected,
        duplicates=result.duplicates,
        blank=result.blank,
    )
    session.commit()
    if len(rows) >= _ANALYZE_AFTER and session.get_bind().dialect.name == "postgresql":
        # Fresh statistics: without them the planner still thinks the table is small and answers the next
        # import's NIK lookups by sequential scan (seconds per 5,000 NIKs instead of milliseconds).
        session.execute(text("ANALYZE worker"))
        session.commit()
    return run_id


def errors_report(errors: list[sheets.RowError], filename: str) -> bytes:
    """The refused rows of an import as an Excel report (formula-safe)."""
    return sheets.errors_report_xlsx(errors, title=f"Baris yang ditolak dari {filename} ({dt.date.today():%d/%m/%Y})")
