"""Registry commands: correct a worker, mark a worker covered by another payer. Audited with old and new values."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from models import Assignment, AssignmentStatus, Kelurahan, Role, Worker
from models.common import utcnow
from services.platform import audit, fmt, history
from services.platform.authz import Actor, require_role
from services.platform.errors import NotFound, ValidationError
from services.platform.ledger import (
    Cover,
    clear_cover,
    other_months,
    payer_label,
    sync_assignments,
    taken_months,
    write_cover,
)
from services.registry import fields, nik
from services.registry.runs import jsonable

# The fields an officer may correct (the NIK is the key: a wrong NIK is a new worker, not a correction).
EDITABLE = ("name", "sex", "birth_date", "kelurahan_code", "address", "occupation", "desil", "phone", "lat", "lon")
FIELD_LABELS = {
    "name": "Nama",
    "sex": "Jenis kelamin",
    "birth_date": "Tanggal lahir",
    "kelurahan_code": "Kelurahan",
    "address": "Alamat",
    "occupation": "Pekerjaan",
    "desil": "Desil",
    "phone": "No HP",
    "lat": "Lintang",
    "lon": "Bujur",
    "covered_by": "Penanggung lain",
    "covered_until": "Ditanggung sampai",
}


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[object]]:
    """{field: [old, new]} for the fields in `new` whose value differs (JSON-ready, for the audit row)."""
    return {k: [jsonable(old.get(k)), jsonable(v)] for k, v in new.items() if old.get(k) != v}


def _clean(worker: Worker, values: dict[str, Any], session: Session) -> dict[str, Any]:
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"Kolom {', '.join(sorted(unknown))} tidak dapat diubah di sini.")
    out: dict[str, Any] = {}
    if "name" in values:
        out["name"] = fields.name(values["name"])
    if "address" in values:
        out["address"] = fields.text(values["address"], label="Alamat", max_len=fields.ADDRESS_MAX)
    if "occupation" in values:
        occupation = fields.text(values["occupation"], label="Pekerjaan", max_len=fields.OCCUPATION_MAX)
        out["occupation"] = occupation or fields.UNKNOWN_OCCUPATION
    if "desil" in values:
        out["desil"] = fields.desil(values["desil"])
    if "phone" in values:
        out["phone"] = fields.phone(values["phone"])
    if "lat" in values or "lon" in values:
        out["lat"], out["lon"] = fields.coordinates(values.get("lat"), values.get("lon"))
    if "kelurahan_code" in values:
        kel = session.get(Kelurahan, str(values["kelurahan_code"]))
        if kel is None:
            raise ValidationError("Kelurahan tidak dikenal: pilih dari daftar kelurahan Kota Tangerang.")
        out["kelurahan_code"] = kel.code
    info = nik.parse(worker.nik)
    sex = fields.sex(values["sex"]) if "sex" in values else None
    birth = values.get("birth_date")
    if birth is not None and not isinstance(birth, dt.date):
        raise ValidationError("Tanggal lahir tidak valid: pilih tanggal dari kalender.")
    problem = fields.agrees_with_nik(info, birth=birth, sex_value=sex)
    if problem is not None:
        raise ValidationError(problem[1])
    if sex is not None:
        out["sex"] = sex
    if birth is not None:
        out["birth_date"] = birth
    return out


def correct_worker(*, session: Session, actor: Actor, worker_id: int, values: dict[str, Any]) -> dict[str, list]:
    """Apply an officer's correction; returns {field: [old, new]} of what changed (audited as such)."""
    require_role(actor, Role.ADMIN, session=session, action="worker.update")
    worker = session.get(Worker, worker_id)
    if worker is None:
        raise NotFound("Pekerja tidak ditemukan: muat ulang halaman registri.")
    clean = _clean(worker, values, session)
    if clean.get("lat") is None and "lat" in clean:
        clean.pop("lat"), clean.pop("lon")  # emptied coordinates keep the estimated point below
    changes = diff(worker.model_dump(), clean)
    if not changes:
        return {}
    for key, (_, _new) in changes.items():
        setattr(worker, key, clean[key])
    if "lat" in changes or "lon" in changes:
        worker.location_estimated = False
    elif "kelurahan_code" in changes and (worker.location_estimated or worker.lat is None):
        kel = session.get(Kelurahan, worker.kelurahan_code)
        assert kel is not None
        worker.lat, worker.lon, worker.location_estimated = kel.rep_lat, kel.rep_lon, True
    worker.updated_at = utcnow()
    session.add(worker)
    audit.record(
        session=session,
        actor=actor,
        action="worker.update",
        entity="worker",
        entity_id=worker_id,
        changes=changes,
        source="koreksi petugas",
    )
    session.commit()
    return changes


def release_assigned(session: Session, worker_ids: Sequence[int]) -> int:
    """Proposed (not yet registered) assignments of these workers go back: the worker is covered elsewhere."""
    released = 0
    ids = list(worker_ids)
    now = utcnow()
    for i in range(0, len(ids), 5_000):
        result = session.execute(
            update(Assignment)
            .where(
                col(Assignment.worker_id).in_(ids[i : i + 5_000]),
                col(Assignment.status) == AssignmentStatus.ASSIGNED.value,
            )
            .values(status=AssignmentStatus.RELEASED.value, updated_at=now)
        )
        released += int(result.rowcount or 0)  # type: ignore[attr-defined]
        history.sync_assignments(session=session, where=col(Assignment.worker_id).in_(ids[i : i + 5_000]), now=now)
    sync_assignments(session=session, worker_ids=ids)  # their proposed months go back to the ledger
    return released


def set_covered(
    *,
    session: Session,
    actor: Actor,
    worker_id: int,
    covered_by: str | None,
    until: dt.date | None,
    today: dt.date | None = None,
) -> dict[str, list]:
    """Mark a worker covered by another payer until a date (matching leaves it out until then); None clears."""
    require_role(actor, Role.ADMIN, session=session, action="worker.covered")
    worker = session.get(Worker, worker_id)
    if worker is None:
        raise NotFound("Pekerja tidak ditemukan: muat ulang halaman registri.")
    today = today or dt.date.today()
    if covered_by is None:
        new = {"covered_elsewhere": False, "covered_by": "", "covered_until": None}
    else:
        payer = fields.covered_by(covered_by)
        if until is not None and until < today:
            raise ValidationError("Tanggal berakhir sudah lewat: isi tanggal berakhirnya tanggungan pihak lain.")
        new = {"covered_elsewhere": True, "covered_by": payer, "covered_until": until}
    changes = diff(worker.model_dump(), new)
    if not changes:
        return {}
    months = other_months(first=today, last=until) if covered_by is not None else []
    if months:
        taken = taken_months(session=session, worker_ids=[worker_id], first=months[0], last=months[-1])
        if worker_id in taken:
            month, by = taken[worker_id]
            raise ValidationError(
                f"Pekerja ini sudah ditanggung {payer_label(by)} pada {fmt.month(month)}: satu bulan hanya boleh "
                "satu penanggung."
            )
    for key, value in new.items():
        setattr(worker, key, value)
    worker.updated_at = utcnow()
    session.add(worker)
    released = release_assigned(session, [worker_id]) if covered_by is not None else 0
    clear_cover(session=session, worker_ids=[worker_id], from_month=today)
    write_cover(session=session, covers=[Cover(worker_id, str(new["covered_by"]), months)] if months else [])
    audit.record(
        session=session,
        actor=actor,
        action="worker.covered",
        entity="worker",
        entity_id=worker_id,
        changes=changes,
        released_assignments=released or None,
        source="tindakan petugas",
    )
    session.commit()
    return changes


def kelurahan_names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(Kelurahan.code, Kelurahan.name)).all()}
