"""Claims benchmark: a claims file of N rows (one claim per covered worker, every 10th row bad) checked (preview)
and committed on SQLite and on a throwaway PostgreSQL, then the city's benefit figures over them.

    python -m benchmarks.claims [--rows 20000] [--db sqlite postgresql]
"""

import argparse
import datetime as dt
import io
import json
import os
import platform
import tempfile
import time

from openpyxl import Workbook
from sqlalchemy import insert
from sqlmodel import Session, select

from benchmarks.registry import _cpu_model
from models import Assignment, Campaign, Company, Pledge, Worker
from services import coverage, insight
from services.platform.authz import SYSTEM
from services.platform.db import make_engine, migrate
from services.platform.regions import load_regions
from tests.pg import ThrowawayPostgres

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def _world(session: Session, rows: int) -> None:
    load_regions(session=session)
    camp = Campaign(letter_number="SE/B/2025", letter_date=dt.date(2024, 10, 14), subject="B",
                    response_deadline=dt.date(2024, 12, 31), target_workers=20_000)  # fmt: skip
    session.add(camp)
    session.flush()
    companies = [Company(name=f"PT Bench {i}", kelurahan_code="36.71.01.1001", site_lat=-6.17, site_lon=106.63,
                         sector="Lain", employees=100) for i in range(20)]  # fmt: skip
    session.add_all(companies)
    session.flush()
    pledges = [Pledge(company_id=c.id, campaign_id=camp.id, workers=rows // 20 + 1, months=12, start_month=START,
                      premium_per_worker_month=16_800, status="active") for c in companies]  # type: ignore[arg-type]  # fmt: skip
    session.add_all(pledges)
    session.flush()
    session.execute(insert(Worker), [
        {"nik": f"{3671010000000000 + i}", "name": f"P {i}", "sex": "L", "birth_date": dt.date(1980, 1, 1),
         "kelurahan_code": "36.71.01.1001", "occupation": "Pedagang", "address": "", "phone": ""}
        for i in range(rows)
    ])  # fmt: skip
    ids = session.exec(select(Worker.id).order_by(Worker.id)).all()
    session.execute(insert(Assignment), [
        {"worker_id": w, "pledge_id": pledges[i % 20].id, "status": "active", "kpj_number": f"{10_000_000_000 + i}",
         "coverage_start": START, "coverage_end": END, "reason": ""}
        for i, w in enumerate(ids)
    ])  # fmt: skip
    session.commit()


def claims_file(rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["KPJ", "Program", "Jenis Manfaat", "Tgl Kejadian", "Tgl Bayar", "Jumlah"])
    for i in range(rows):
        bad = i % 10 == 9
        jkm = i % 8 == 0
        event = "01/12/2024" if bad else "03/03/2025"
        amount = 42_000_000 if jkm else 2_500_000
        sheet.append([f"{10_000_000_000 + i}", "JKM" if jkm else "JKK", "" if jkm else "perawatan", event, "20/03/2025",
                      amount])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(url: str, rows: int, content: bytes) -> dict[str, object]:
    migrate(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as s:
        _world(s, rows)
    timings: dict[str, object] = {}
    with Session(engine, expire_on_commit=False) as s:
        t = time.perf_counter()
        preview = coverage.import_claims(session=s, actor=SYSTEM, content=content, filename="b.xlsx")
        timings["preview_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        done = coverage.import_claims(session=s, actor=SYSTEM, content=content, filename="b.xlsx", apply=True)
        timings["apply_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        city = insight.city_benefits(session=s, actor=SYSTEM)
        timings["city_benefits_s"] = round(time.perf_counter() - t, 3)
    engine.dispose()
    timings.update(inserted=done.inserted, rejected=preview.rejected, families=city.total.families)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    content = claims_file(args.rows)
    print(f"# {_cpu_model()}, {os.cpu_count()} cores, load {os.getloadavg()}, Python {platform.python_version()}")
    print(f"# claims file: {len(content) / 1e6:.1f} MB, {args.rows} rows")
    for kind in args.db:
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                result = run(f"sqlite:///{tmp}/bench.db", args.rows, content)
        else:
            pg = ThrowawayPostgres()
            try:
                result = run(pg.start(), args.rows, content)
            finally:
                pg.stop()
        print(kind, json.dumps(result))
    print(f"# load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
