"""BPJS registration by payer at the city's scale (issue 24): the city's allocation of `--places` workers put in
one registration file (blocks and bills per payer), then BPJS's answer with a KPJ for each of them imported.

    python -m benchmarks.payer_registration [--workers 40000] [--places 20000] [--db sqlite postgresql]

Workers come from the registry benchmark's synthetic Dinsos workbook (imported, not timed); one campaign; the
allocation is recorded and committed (not timed: docs/payers.md §8 measures the fill). Timed: the preview of the
file, the file (registration of every city worker, audit rows, the .xlsx), the KPJ import previewed, then applied
(every registration active, BPJS's dates written to the ledger).
"""

import argparse
import datetime as dt
import io
import json
import os
import platform
import tempfile
import time

from python_calamine import CalamineWorkbook
from sqlmodel import Session

from benchmarks.registry import _admin, _cpu_model, workbook
from models import Campaign
from services import coverage, registry
from services.matching.allocation import AllocationDraft, commit_allocation, record_allocation
from services.platform.dates import add_months, month_start
from services.platform.db import make_engine, migrate
from services.platform.regions import load_regions
from tests.pg import ThrowawayPostgres


def _timed(out: dict[str, object], key: str, job):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    value = job()
    out[key] = round(time.perf_counter() - t, 2)
    return value


def run(url: str, workers: int, places: int) -> dict[str, object]:
    migrate(url)
    engine = make_engine(url)
    out: dict[str, object] = {}
    path = workbook(workers)
    first = month_start(dt.date.today())
    with Session(engine, expire_on_commit=False) as s:
        load_regions(session=s)
        admin = _admin(s)
        registry.import_workers(session=s, actor=admin, content=path.read_bytes(), filename=path.name, apply=True)
        s.add(
            Campaign(
                letter_number="SE/BENCH",
                letter_date=first,
                subject="bench",
                response_deadline=first,
                target_workers=20_000,
            )
        )
        s.commit()
        draft = AllocationDraft(first.year, "5.1.02", "Perwal bench", first, add_months(first, 11), workers=places)
        alloc = record_allocation(session=s, actor=admin, draft=draft)
        out["filled"] = commit_allocation(session=s, actor=admin, allocation_id=alloc).covered
    selection = coverage.Selection(allocation_id=alloc)
    with Session(engine, expire_on_commit=False) as s:
        _timed(out, "preview_s", lambda: coverage.registration_preview(session=s, actor=admin, selection=selection))
        _, content = _timed(
            out, "export_s", lambda: coverage.export_registration(session=s, actor=admin, selection=selection)
        )
    out["file_mb"] = round(len(content) / 1e6, 2)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("Pendaftaran").to_python()
    header = rows[2]
    nik, code = header.index("NIK"), header.index("Kode Penanggung")
    answer = "NIK,KPJ,Tgl Mulai,Kode Penanggung\n" + "".join(
        f"{r[nik]},{25000000000 + i},{first:%d/%m/%Y},{r[code]}\n" for i, r in enumerate(rows[3:])
    )
    with Session(engine, expire_on_commit=False) as s:
        preview = _timed(
            out,
            "kpj_preview_s",
            lambda: coverage.import_result(session=s, actor=admin, content=answer.encode(), filename="hasil.csv"),
        )
        done = _timed(
            out,
            "kpj_apply_s",
            lambda: coverage.import_result(
                session=s, actor=admin, content=answer.encode(), filename="hasil.csv", apply=True
            ),
        )
    out["kpj_rows"] = {"read": preview.read, "activated": done.updated, "rejected": done.rejected}
    engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=40_000)
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}; {_cpu_model()}")
    for kind in args.db:
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                result = run(f"sqlite:///{tmp}/bench.db", args.workers, args.places)
        else:
            pg = ThrowawayPostgres()
            try:
                result = run(pg.start(), args.workers, args.places)
            finally:
                pg.stop()
        print(kind, json.dumps(result, ensure_ascii=False))
        print(f"# load after {kind}: {os.getloadavg()}")


if __name__ == "__main__":
    main()
