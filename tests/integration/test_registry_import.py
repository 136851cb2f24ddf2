"""The worker import on SQLite and PostgreSQL: counts, update by NIK with confirmation, idempotence, audit."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlmodel import Session, col, func, select

from models import AuditLog, ImportRun, Kelurahan, Role, Worker
from services import registry
from services.platform.authz import Actor
from services.platform.errors import AccessDenied, ConflictError
from tests import factories as f
from tests.data.workers import corpus

ROOT = Path(__file__).resolve().parents[2]


def _admin(session: Session) -> Actor:
    actor = f.actor_of(f.user(session, role=Role.ADMIN))
    session.commit()
    return actor


def test_mixed_file_counts_report_and_commit(session: Session) -> None:
    admin = _admin(session)
    content = corpus.xlsx(corpus.mixed_rows())
    preview = registry.import_workers(session=session, actor=admin, content=content, filename="dinsos.xlsx")
    assert (preview.read, preview.inserted, preview.updated, preview.unchanged) == (11, 6, 0, 0)
    assert (preview.rejected, preview.duplicates, preview.blank) == (4, 1, 1)
    assert not preview.applied
    assert session.exec(select(func.count()).select_from(Worker)).one() == 0  # a preview writes nothing
    reasons = {e.row: e.reason for e in preview.errors}
    assert "0000" in reasons[9] and "Xyzzy" in reasons[10] and "NIK" in reasons[11] and "Desil" in reasons[12]
    assert "baris 2" in reasons[13]  # the duplicate names the row that counts
    report = CalamineWorkbook.from_filelike(io.BytesIO(registry.errors_report(preview.errors, "dinsos.xlsx")))
    cells = report.get_sheet_by_index(0).to_python()
    assert ["Baris", "Kolom", "Nilai", "Alasan"] in [list(r[:4]) for r in cells]
    done = registry.import_workers(
        session=session, actor=admin, content=content, filename="dinsos.xlsx", apply=True, expected_token=preview.token
    )
    assert done.applied and done.inserted == 6 and done.import_id is not None
    assert session.exec(select(func.count()).select_from(Worker)).one() == 6
    again = registry.import_workers(session=session, actor=admin, content=content, filename="dinsos.xlsx", apply=True)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 6)  # the same file twice changes nothing
    assert session.exec(select(func.count()).select_from(Worker)).one() == 6
    assert session.exec(select(func.count()).select_from(ImportRun)).one() == 2
    # every accepted spelling landed normalised
    phones = set(session.exec(select(Worker.phone)).all())
    assert all(p.startswith("08") for p in phones)


def test_workers_without_coordinates_get_a_point_inside_their_kelurahan(session: Session) -> None:
    admin = _admin(session)
    rows = corpus.good_rows(8, seed=21)
    registry.import_workers(session=session, actor=admin, content=corpus.csv_bytes(rows), filename="a.csv", apply=True)
    missing = [r for r in rows if r[11] == ""]
    assert missing
    for r in missing:
        w = session.exec(select(Worker).where(Worker.nik == r[1])).one()
        kel = session.get(Kelurahan, w.kelurahan_code)
        assert kel is not None and w.location_estimated
        assert (w.lat, w.lon) == (kel.rep_lat, kel.rep_lon)


def test_update_by_nik_previews_old_to_new_and_applies_only_when_confirmed(session: Session) -> None:
    admin = _admin(session)
    rows = corpus.good_rows(3, seed=22)
    registry.import_workers(session=session, actor=admin, content=corpus.csv_bytes(rows), filename="q1.csv", apply=True)
    changed = [list(r) for r in rows]
    changed[1][2] = "Nama Baru Sekali"
    changed[1][10] = "+62 811-2222-3333"
    changed[2][7] = ""  # a blank optional cell never erases what the registry holds
    content = corpus.csv_bytes(changed)
    preview = registry.import_workers(session=session, actor=admin, content=content, filename="q2.csv")
    assert (preview.inserted, preview.updated, preview.unchanged) == (0, 1, 2)
    by_field = {c["field"]: (c["old"], c["new"]) for c in preview.changes}
    assert by_field == {"name": (rows[1][2], "Nama Baru Sekali"), "phone": (rows[1][10], "081122223333")}
    w = session.exec(select(Worker).where(Worker.nik == rows[1][1])).one()
    assert w.name == rows[1][2]  # not applied by the preview
    with pytest.raises(ConflictError):
        registry.import_workers(
            session=session, actor=admin, content=content, filename="q2.csv", apply=True, expected_token="stale"
        )
    done = registry.import_workers(
        session=session, actor=admin, content=content, filename="q2.csv", apply=True, expected_token=preview.token
    )
    assert done.updated == 1
    session.expire_all()
    w = session.exec(select(Worker).where(Worker.nik == rows[1][1])).one()
    assert (w.name, w.phone) == ("Nama Baru Sekali", "081122223333")
    kept = session.exec(select(Worker).where(Worker.nik == rows[2][1])).one()
    assert kept.address == rows[2][7]
    audit_row = session.exec(
        select(AuditLog).where(AuditLog.action == "worker.update", AuditLog.entity_id == str(w.id))
    ).one()
    assert audit_row.detail["changes"]["name"] == [rows[1][2], "Nama Baru Sekali"]


def test_import_refused_to_non_admin(session: Session) -> None:
    viewer = f.actor_of(f.user(session, role=Role.VIEWER))
    session.commit()
    with pytest.raises(AccessDenied):
        registry.import_workers(session=session, actor=viewer, content=b"NIK\n1", filename="x.csv")
    denied = session.exec(select(AuditLog).where(AuditLog.action == "access.denied")).all()
    assert denied and denied[-1].detail["attempted"] == "worker.import"


def test_cli_json_dry_run_and_apply(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "dinsos.xlsx"
    path.write_bytes(corpus.xlsx(corpus.mixed_rows()))
    cmd = [sys.executable, "-m", "services.registry", "import-workers", str(path), "--json", "--database-url", db_url]
    dry = subprocess.run([*cmd, "--dry-run"], capture_output=True, text=True, cwd=ROOT, check=False)
    assert dry.returncode == 0, dry.stderr
    out = json.loads(dry.stdout)
    for key in ("read", "inserted", "updated", "unchanged", "rejected", "duplicates", "blank"):
        assert isinstance(out[key], int)
    assert out["inserted"] == 6 and not out["applied"]
    assert {"row", "column", "value", "reason"} <= set(out["errors"][0])
    real = json.loads(subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=True).stdout)
    assert real["applied"] and real["inserted"] == 6
    bad = tmp_path / "kosong.csv"
    bad.write_bytes(b"")
    unreadable = subprocess.run(
        [sys.executable, "-m", "services.registry", "import-workers", str(bad), "--json", "--database-url", db_url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert unreadable.returncode == 2 and "kosong" in json.loads(unreadable.stdout)["error"]


def test_covered_elsewhere_import_and_matching_leaves_them_out_until_the_date(session: Session) -> None:
    import datetime as dt

    admin = _admin(session)
    rows = corpus.good_rows(3, seed=23)
    registry.import_workers(session=session, actor=admin, content=corpus.csv_bytes(rows), filename="w.csv", apply=True)
    until = (dt.date.today() + dt.timedelta(days=90)).strftime("%d/%m/%Y")
    content = corpus.csv_bytes(
        [
            [rows[0][1], "APBD", until],
            [rows[1][1], "Mandiri", ""],
            ["3671010101900001", "APBD", ""],
            [rows[2][1], "Asuransi", ""],
        ],
        header=["NIK", "Penanggung", "Berlaku Sampai"],
    )
    result = registry.import_covered(session=session, actor=admin, content=content, filename="c.csv", apply=True)
    assert (result.updated, result.rejected) == (2, 2)  # unknown NIK and unknown payer refused
    again = registry.import_covered(session=session, actor=admin, content=content, filename="c.csv", apply=True)
    assert (again.updated, again.unchanged) == (0, 2)
    counts = registry.status_counts(session=session, actor=admin)
    assert counts["covered"] == 2 and counts["unprotected"] == 1
    # after the end date the worker is back in the pool (computed from the date, even before a refresh)
    later = dt.date.today() + dt.timedelta(days=120)
    assert registry.status_counts(session=session, actor=admin, today=later)["covered"] == 1
    w = session.exec(select(Worker).where(col(Worker.nik) == rows[0][1])).one()
    assert w.covered_by == "apbd" and w.covered_until is not None
