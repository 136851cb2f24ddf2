"""BPJS registration by payer (issue 24): the city allocation's workers are in the registration file beside the
companies' pledges, one block and one bill per payer, and the KPJ import closes them the same way. SQLite and
PostgreSQL (the `session` fixture)."""

import contextlib
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from models import Assignment, CityRegistration, CoverMonth, PayerKind, Role
from services import coverage, insight, pledges
from services.coverage.__main__ import main as coverage_cli
from services.coverage.registration import CITY_PAYER
from services.insight.forecast_payers import NextAllocation, allocation_figures
from services.matching.allocation import AllocationDraft, commit_allocation, record_allocation
from services.platform.dates import add_months
from services.platform.errors import AccessDenied, ConflictError, ValidationError
from services.platform.ledger import months_between
from tests import factories as f
from tests.integration.test_payers import THIS_MONTH, World, _run_threads, assert_ledger_consistent, make_world

CIMONE = "Tangerang Cimone"  # serves Jatiuwung (36.71.02), where make_world's workers live
CIKOKOL = "Tangerang Cikokol"


def sheets_of(content: bytes) -> dict[str, list[dict[str, object]]]:
    """Every sheet of a workbook as rows keyed by its header (the title line and the blank row skipped)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    out = {}
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python()
        header = rows[2]
        out[name] = [dict(zip(header, r, strict=True)) for r in rows[3:]]
    return out


def world_with_both_payers(session: Session, *, pledged: int = 3, city: int = 4) -> tuple[World, int, int]:
    """A pledge of `pledged` workers (6 months from next month) and a committed allocation of `city` workers
    (this month + 5): returns (world, pledge id, allocation id)."""
    w = make_world(session, workers=10)
    out = pledges.create_pledge(
        session=session,
        actor=w.company,
        company_id=w.company_id,
        draft=pledges.PledgeDraft(workers=pledged, months=6, start_month=add_months(THIS_MONTH, 1), radius_km=3.0),
    )
    draft = AllocationDraft(
        THIS_MONTH.year, "5.1.02.01", "Perwal No. 113 Tahun 2023", THIS_MONTH, add_months(THIS_MONTH, 5), workers=city
    )
    alloc = record_allocation(session=session, actor=w.admin, draft=draft)
    commit_allocation(session=session, actor=w.admin, allocation_id=alloc)
    return w, out.pledge_id, alloc


def test_branch_file_holds_a_block_and_a_bill_per_payer(session: Session) -> None:
    w, pledge_id, alloc = world_with_both_payers(session)
    branch = coverage.Selection(branch=CIMONE, period_from=THIS_MONTH, period_to=add_months(THIS_MONTH, 1))
    preview = coverage.registration_preview(session=session, actor=w.admin, selection=branch)
    assert (preview.workers, preview.pledges, preview.allocations, preview.city_workers) == (7, 1, 1, 4)
    assert session.execute(select(CityRegistration)).first() is None  # a preview registers nothing
    _, content = coverage.export_registration(session=session, actor=w.admin, selection=branch)
    book = sheets_of(content)
    assert list(book)[:2] == ["Pendaftaran", "Per penanggung"]
    rows = book["Pendaftaran"]
    codes = [r["Kode Penanggung"] for r in rows]
    assert codes == [f"IKRAR-{pledge_id}"] * 3 + [f"APBD-{alloc}"] * 4  # one block per payer, companies first
    city = [r for r in rows if r["Kode Penanggung"] == f"APBD-{alloc}"]
    assert {r["Penanggung"] for r in city} == {f"{CITY_PAYER} {THIS_MONTH.year}"}
    assert {r["Dasar Pembayaran"] for r in city} == {"Mata anggaran 5.1.02.01; Perwal No. 113 Tahun 2023"}
    assert {r["Bulan"] for r in city} == {6} and {r["ID Ikrar"] for r in city} == {""}
    bills = {r["Kode Penanggung"]: r for r in book["Per penanggung"]}
    assert bills[f"APBD-{alloc}"]["Pekerja"] == 4 and bills[f"APBD-{alloc}"]["Bulan Kepesertaan"] == 24
    assert bills[f"APBD-{alloc}"]["Rupiah"] == 4 * 6 * 16_800
    assert bills[f"IKRAR-{pledge_id}"]["Rupiah"] == 3 * 6 * 16_800
    assert len(book[f"APBD-{alloc}"]) == 4 and len(book[f"IKRAR-{pledge_id}"]) == 3  # a sheet per payer
    regs = session.execute(select(CityRegistration)).scalars().all()
    assert sorted(r.worker_id for r in regs) == sorted(
        session.execute(select(col(CoverMonth.worker_id)).where(col(CoverMonth.allocation_id) == alloc).distinct())
        .scalars()
        .all()
    )
    # Downloaded again: the same rows, no second registration row, now counted as already registered.
    again = coverage.registration_preview(session=session, actor=w.admin, selection=branch)
    assert (again.workers, again.already_registered) == (7, 7)
    coverage.export_registration(session=session, actor=w.admin, selection=branch)
    assert len(session.execute(select(CityRegistration)).scalars().all()) == 4
    # One payer alone: the city's file holds the city's workers only.
    _, only = coverage.export_registration(
        session=session, actor=w.admin, selection=coverage.Selection(allocation_id=alloc)
    )
    assert {r["Kode Penanggung"] for r in sheets_of(only)["Pendaftaran"]} == {f"APBD-{alloc}"}
    choices = coverage.allocation_choices(session=session, actor=w.admin)
    assert choices[["allocation_id", "to_register", "registered"]].values.tolist() == [[alloc, 0, 4]]


def test_branch_officers_see_only_their_kecamatan_of_the_city_allocation(session: Session) -> None:
    w, _, alloc = world_with_both_payers(session)
    cimone = f.actor_of(f.user(session, role=Role.BRANCH, branch=CIMONE))
    cikokol = f.actor_of(f.user(session, role=Role.BRANCH, branch=CIKOKOL))
    session.commit()
    mine = coverage.Selection(allocation_id=alloc, branch=CIMONE)
    assert coverage.registration_preview(session=session, actor=cimone, selection=mine).city_workers == 4
    assert coverage.allocation_choices(session=session, actor=cimone)["to_register"].tolist() == [4]
    assert coverage.allocation_choices(session=session, actor=cikokol).empty  # Jatiuwung is not Cikokol's
    with pytest.raises(AccessDenied):
        coverage.export_registration(session=session, actor=cikokol, selection=mine)
    with pytest.raises(AccessDenied):  # a selection without a branch would hold every branch's workers
        coverage.export_registration(session=session, actor=cimone, selection=coverage.Selection(allocation_id=alloc))
    with pytest.raises(ValidationError, match="Tidak ada pekerja"):
        coverage.export_registration(
            session=session, actor=cikokol, selection=coverage.Selection(allocation_id=alloc, branch=CIKOKOL)
        )
    coverage.export_registration(session=session, actor=cimone, selection=mine)
    assert len(session.execute(select(CityRegistration)).scalars().all()) == 4
    # BPJS's answer for the city's workers: only the branch's own kecamatan.
    nik = dict(zip(w.worker_ids, w.niks, strict=True))
    worker = session.execute(select(col(CityRegistration.worker_id))).scalars().first()
    answer = _result([(nik[worker], "24010000041", f"{THIS_MONTH:%d/%m/%Y}", f"APBD-{alloc}")])
    other = coverage.import_result(session=session, actor=cikokol, content=answer, filename="h.csv")
    assert (other.updated, other.rejected) == (0, 1) and "tidak sedang didaftarkan" in other.errors[0].reason
    own = coverage.import_result(session=session, actor=cimone, content=answer, filename="h.csv", apply=True)
    assert own.updated == 1


def test_two_users_exporting_the_city_file_at_once_register_each_worker_once(engine: Engine, session: Session) -> None:
    w, _, alloc = world_with_both_payers(session, pledged=1, city=4)
    session.close()
    selection = coverage.Selection(allocation_id=alloc)
    outcomes: list[object] = []
    errors = _run_threads(
        engine,
        [lambda s: outcomes.append(coverage.export_registration(session=s, actor=w.admin, selection=selection))] * 2,
    )
    assert all(isinstance(e, ConflictError) for e in errors), errors  # the loser is told to download again
    assert len(outcomes) + len(errors) == 2 and outcomes
    assert len(session.execute(select(CityRegistration)).scalars().all()) == 4
    coverage.export_registration(session=session, actor=w.admin, selection=selection)  # and again: the same file
    assert len(session.execute(select(CityRegistration)).scalars().all()) == 4


def _result(rows: list[tuple[str, ...]], header: str = "NIK,KPJ,Tgl Mulai,Kode Penanggung") -> bytes:
    return (header + "\n" + "".join(",".join(r) + "\n" for r in rows)).encode()


def test_kpj_import_closes_the_city_workers_and_refuses_another_payer(session: Session) -> None:
    w, pledge_id, alloc = world_with_both_payers(session)
    branch = coverage.Selection(branch=CIMONE, period_from=THIS_MONTH, period_to=add_months(THIS_MONTH, 1))
    coverage.export_registration(session=session, actor=w.admin, selection=branch)
    nik = dict(zip(w.worker_ids, w.niks, strict=True))
    city = sorted(r.worker_id for r in session.execute(select(CityRegistration)).scalars())
    pledged = sorted(a.worker_id for a in session.scalars(select(Assignment).where(Assignment.pledge_id == pledge_id)))
    start = f"{THIS_MONTH:%d/%m/%Y}"
    later = f"{add_months(THIS_MONTH, 1):%d/%m/%Y}"
    content = _result(
        [
            (nik[city[0]], "24010000011", start, f"APBD-{alloc}"),  # the city's worker, its own code
            (nik[city[1]], "24010000012", start, ""),  # no code: the one registration waiting
            (nik[city[2]], "24010000013", start, f"IKRAR-{pledge_id}"),  # exported for the city, not the company
            (nik[city[3]], "24010000014", start, "PT LAIN"),  # not a code
            (nik[pledged[0]], "24010000015", later, f"APBD-{alloc}"),  # exported for the company, not the city
            (nik[pledged[1]], "24010000011", later, f"IKRAR-{pledge_id}"),  # another NIK's KPJ (row 1)
            (nik[pledged[2]], "24010000017", later, f"IKRAR-{pledge_id}"),
        ]
    )
    preview = coverage.import_result(session=session, actor=w.admin, content=content, filename="hasil.csv")
    assert (preview.updated, preview.rejected) == (3, 4)
    assert (
        session.execute(select(CityRegistration).where(col(CityRegistration.kpj_number).is_not(None))).first() is None
    )
    reasons = {e.row: e.reason for e in preview.errors}
    assert f"didaftarkan atas penanggung APBD Kota (APBD-{alloc}), bukan IKRAR-{pledge_id}" in reasons[4]
    assert "Kode Penanggung tidak dikenal" in reasons[5]
    assert f"ikrar perusahaan (IKRAR-{pledge_id}), bukan APBD-{alloc}" in reasons[6]
    assert "sudah dipakai NIK lain" in reasons[7]
    done = coverage.import_result(session=session, actor=w.admin, content=content, filename="hasil.csv", apply=True)
    assert done.applied and done.updated == 3
    regs = {r.worker_id: r for r in session.execute(select(CityRegistration)).scalars()}
    assert (regs[city[0]].status, regs[city[0]].kpj_number) == ("active", "24010000011")
    assert regs[city[1]].status == "active" and regs[city[2]].status == "registered"
    months = session.execute(
        select(col(CoverMonth.month)).where(col(CoverMonth.worker_id) == city[0]).order_by(col(CoverMonth.month))
    ).scalars()
    assert list(months) == months_between(THIS_MONTH, add_months(THIS_MONTH, 5))  # BPJS's six months, APBD's
    assert_ledger_consistent(session)
    # The same file again changes nothing; an active city worker is no longer in the next file.
    again = coverage.import_result(session=session, actor=w.admin, content=content, filename="hasil.csv")
    assert (again.updated, again.unchanged) == (0, 3)
    assert coverage.registration_preview(session=session, actor=w.admin, selection=branch).city_workers == 2


def test_bpjs_refusing_a_city_worker_gives_the_months_back(session: Session) -> None:
    w, _, alloc = world_with_both_payers(session, pledged=1, city=2)
    coverage.export_registration(session=session, actor=w.admin, selection=coverage.Selection(allocation_id=alloc))
    nik = dict(zip(w.worker_ids, w.niks, strict=True))
    refused, kept = sorted(r.worker_id for r in session.execute(select(CityRegistration)).scalars())
    content = (
        "NIK,KPJ,Tgl Mulai,Status,Alasan,Kode Penanggung\n"
        f"{nik[refused]},,,Ditolak,NIK tidak ditemukan di Dukcapil,APBD-{alloc}\n"
        f"{nik[kept]},24010000021,{THIS_MONTH:%d/%m/%Y},,,APBD-{alloc}\n"
    ).encode()
    done = coverage.import_result(session=session, actor=w.admin, content=content, filename="h.csv", apply=True)
    assert (done.updated, done.rejected) == (2, 0)
    regs = {r.worker_id: r for r in session.execute(select(CityRegistration)).scalars()}
    assert regs[refused].status == "refused" and "Dukcapil" in regs[refused].reason
    left = session.execute(select(col(CoverMonth.worker_id)).where(col(CoverMonth.allocation_id) == alloc)).scalars()
    assert set(left) == {kept}  # the refused worker has no payer any more: back in the pool
    assert_ledger_consistent(session)
    closed = coverage.closed_by_payer(session=session, actor=w.admin, branch=CIMONE)
    city = closed[closed["pledge_id"].isna()]
    assert city[["company", "cards", "refused"]].values.tolist() == [[f"{CITY_PAYER} {THIS_MONTH.year}", 1, 1]]
    assert coverage.closed_by_payer(session=session, actor=w.admin, branch=CIKOKOL).empty


def _answer(session: Session, w: World, op: tuple, kpj: Iterator[int]) -> bytes:  # type: ignore[type-arg]
    """BPJS's answer for some of the workers waiting for a card (city's or a pledge's): a card from this month or
    next, with the right payer code or the other kind's (refused), or a refusal."""
    waiting = {
        int(r.worker_id): f"APBD-{r.allocation_id}"
        for r in session.execute(select(CityRegistration).where(col(CityRegistration.status) == "registered"))
        .scalars()
        .all()
    } | {
        int(a.worker_id): f"IKRAR-{a.pledge_id}"
        for a in session.execute(select(Assignment).where(col(Assignment.status) == "registered")).scalars().all()
    }
    nik = dict(zip(w.worker_ids, w.niks, strict=True))  # this example's world (the database outlives examples)
    ids = sorted(set(waiting) & set(nik))
    if not ids:
        return b""
    picked = sorted({ids[i % len(ids)] for i in (op[1] if op[0] == "result" else [op[1]])})
    rows = []
    for worker in picked:
        code = waiting[worker]
        if op[0] == "result" and not op[2]:
            code = "IKRAR-1" if code.startswith("APBD") else "APBD-1"  # the wrong payer: refused
        start = add_months(THIS_MONTH, op[3] if op[0] == "result" else 0)
        status = "Ditolak" if op[0] == "refuse" else ""
        rows.append(f"{nik[worker]},{next(kpj)},{start:%d/%m/%Y},{status},alasan,{code}\n")
    return ("NIK,KPJ,Tgl Mulai,Status,Alasan,Kode Penanggung\n" + "".join(rows)).encode()


OPS = st.one_of(
    st.tuples(st.just("pledge"), st.integers(1, 4), st.integers(0, 2)),
    st.tuples(st.just("allocation"), st.integers(1, 4), st.integers(0, 2)),
    st.tuples(st.just("export")),
    st.tuples(st.just("result"), st.lists(st.integers(0, 9), max_size=4), st.booleans(), st.integers(0, 1)),
    st.tuples(st.just("refuse"), st.integers(0, 9)),
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=7))
@example(  # both payers exported, cards with the right code, the wrong code and a month early, a refusal
    ops=[
        ("allocation", 4, 0),
        ("pledge", 3, 1),
        ("export",),
        ("result", [0, 1, 2], True, 0),
        ("result", [3, 4, 5], False, 1),
        ("result", [4, 5, 6], True, 0),
        ("refuse", 0),
    ]
)
def test_export_and_import_by_payer_never_give_a_worker_two_payers(session: Session, ops: list[tuple]) -> None:
    """Random pledges, allocations, branch files and BPJS answers (right or wrong payer code, early starts,
    refusals): every worker-month keeps one payer, and every active registration names its own payer."""
    w = make_world(session, workers=10)
    kpj = iter(range(24010000100, 24010099999))
    branch = coverage.Selection(branch=CIMONE)
    for op in ops:
        try:
            if op[0] == "pledge":
                draft = pledges.PledgeDraft(
                    workers=op[1], months=3, start_month=add_months(THIS_MONTH, op[2]), radius_km=3.0
                )
                pledges.create_pledge(session=session, actor=w.company, company_id=w.company_id, draft=draft)
            elif op[0] == "allocation":
                first = add_months(THIS_MONTH, op[2])
                draft = AllocationDraft(first.year, "5.1", "Perwal", first, add_months(first, 2), workers=op[1])
                alloc = record_allocation(session=session, actor=w.admin, draft=draft)
                commit_allocation(session=session, actor=w.admin, allocation_id=alloc)
            elif op[0] == "export":
                coverage.export_registration(session=session, actor=w.admin, selection=branch)
            elif op[0] in ("result", "refuse"):
                content = _answer(session, w, op, kpj)
                if content:
                    coverage.import_result(
                        session=session, actor=w.admin, content=content, filename="h.csv", apply=True
                    )
        except ValidationError:
            session.rollback()
        assert_ledger_consistent(session)
        active = session.execute(
            select(col(CityRegistration.worker_id), col(CityRegistration.allocation_id)).where(
                col(CityRegistration.status) == "active"
            )
        ).all()
        for worker_id, alloc_id in active:  # an active city worker's months are the city's
            payers = session.execute(
                select(col(CoverMonth.payer), col(CoverMonth.allocation_id)).where(
                    col(CoverMonth.worker_id) == worker_id, col(CoverMonth.allocation_id) == alloc_id
                )
            ).all()
            assert payers and {p for p, _ in payers} == {PayerKind.CITY_BUDGET.value}


def test_forecast_counts_every_payer_with_and_without_next_years_allocation(session: Session) -> None:
    f.campaign(session, target_workers=10)
    w = make_world(session, workers=10)
    next_year = THIS_MONTH.year + 1
    december = dt.date(next_year, 12, 1)
    this_year = AllocationDraft(THIS_MONTH.year, "5.1", "Perwal 1/2026", THIS_MONTH, december, workers=4)
    commit_allocation(
        session=session, actor=w.admin, allocation_id=record_allocation(session=session, actor=w.admin, draft=this_year)
    )
    january = dt.date(next_year, 1, 1)
    later = AllocationDraft(next_year, "5.1", "Perwal 2/2027", january, december, workers=6)
    draft_id = record_allocation(session=session, actor=w.admin, draft=later)  # recorded, not yet run
    viewer = f.actor_of(f.user(session, role=Role.VIEWER))
    session.commit()
    fc = insight.forecast(session=session, actor=viewer)
    assert fc is not None and fc.other_payers_now == 4
    assert fc.next_allocation == NextAllocation(next_year, 6, january, recorded=True)
    assert fc.without_allocation is not None and fc.without_allocation.reached_on is None  # 4 of 10, no pledge
    assert fc.with_allocation is not None
    assert fc.with_allocation.reached_on == dt.date(next_year, 1, 31)  # 4 + 6 from January
    figures = allocation_figures(fc)
    assert figures["forecast_next_allocation_workers"] == 6
    assert figures["forecast_reached_with_allocation"] == dt.date(next_year, 1, 31)
    # Run next year's allocation now: its months are in the ledger, still counted once (as next year's).
    commit_allocation(session=session, actor=w.admin, allocation_id=draft_id)
    again = insight.forecast(session=session, actor=viewer)
    assert again is not None and again.other_payers_now == 4
    row = again.series.set_index("month_end").loc[dt.date(next_year, 1, 31)]
    assert (row["without_allocation"], row["with_allocation"]) == (4, 10)
    # A what-if replaces what is recorded; 0 means no allocation next year; bad numbers are refused in Indonesian.
    none = insight.forecast(session=session, actor=viewer, next_allocation_workers=0)
    assert none is not None and none.next_allocation is None and none.with_allocation == none.without_allocation
    more = insight.forecast(session=session, actor=viewer, next_allocation_workers=20)
    assert more is not None and more.with_allocation is not None
    assert more.with_allocation.reached_on == dt.date(next_year, 1, 31)
    for bad, why in ((-1, "tidak boleh negatif"), (10**9, "terlalu besar")):
        with pytest.raises(ValidationError, match=why):
            insight.forecast(session=session, actor=viewer, next_allocation_workers=bad)


def test_quarterly_files_hold_the_split_and_the_forecast_by_payer(session: Session) -> None:
    f.campaign(session, target_workers=10, letter_date=THIS_MONTH.replace(month=1))
    w = make_world(session, workers=6)
    draft = AllocationDraft(THIS_MONTH.year, "5.1", "Perwal 1/2026", THIS_MONTH, add_months(THIS_MONTH, 2), workers=3)
    commit_allocation(
        session=session, actor=w.admin, allocation_id=record_allocation(session=session, actor=w.admin, draft=draft)
    )
    quarter = (THIS_MONTH.month - 1) // 3 + 1
    xlsx = insight.quarterly_file(session=session, actor=w.admin, year=THIS_MONTH.year, quarter=quarter, kind="xlsx")
    rows = {r[0]: r[1] for r in sheets_of_values(xlsx, "Penanggung")}
    assert rows["Ditanggung APBD Kota"] == 3 and rows["Ditanggung semua penanggung"] == 3
    assert rows["Anggaran kota yang masih dibutuhkan"] == (10 - 3) * 12 * 16_800  # after every payer
    assert rows["Alokasi APBD tahun depan"] == 0
    pdf = insight.quarterly_file(session=session, actor=w.admin, year=THIS_MONTH.year, quarter=quarter, kind="pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Siapa yang menanggung" in text and "Ditanggung APBD Kota 3" in text
    assert f"Anggaran kota yang masih dibutuhkan Rp{7 * 12 * 16_800:,}".replace(",", ".") in text


def sheets_of_values(content: bytes, name: str) -> list[list[object]]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(name).to_python()[3:]


def test_cli_twin_closes_the_city_workers_by_payer(session: Session, db_url: str, tmp_path: Path) -> None:
    """`python -m services.coverage import-result FILE --json`: the same service, the same refusals."""
    w, pledge_id, alloc = world_with_both_payers(session, pledged=1, city=2)
    coverage.export_registration(session=session, actor=w.admin, selection=coverage.Selection(allocation_id=alloc))
    nik = dict(zip(w.worker_ids, w.niks, strict=True))
    first, second = sorted(r.worker_id for r in session.execute(select(CityRegistration)).scalars())
    session.close()
    path = tmp_path / "hasil-apbd.csv"
    path.write_bytes(
        _result(
            [
                (nik[first], "24010000031", f"{THIS_MONTH:%d/%m/%Y}", f"APBD-{alloc}"),
                (nik[second], "24010000032", f"{THIS_MONTH:%d/%m/%Y}", f"IKRAR-{pledge_id}"),
            ]
        )
    )
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = coverage_cli(["import-result", str(path), "--json", "--database-url", db_url])
    result = json.loads(out.getvalue())
    assert code == 0 and result["applied"] and (result["updated"], result["rejected"]) == (1, 1)
    assert "bukan IKRAR-" in result["errors"][0]["reason"]
    regs = {r.worker_id: r.status for r in session.execute(select(CityRegistration)).scalars()}
    assert regs == {first: "active", second: "registered"}


def test_bpjs_refusing_a_pledge_worker_gives_the_companys_months_back(session: Session) -> None:
    """Found by the random sequences above: a refused registration kept its pledge's months in the ledger."""
    w, pledge_id, _ = world_with_both_payers(session, pledged=2, city=1)
    coverage.export_registration(session=session, actor=w.admin, selection=coverage.Selection(pledge_id=pledge_id))
    refused = session.scalars(select(Assignment).where(Assignment.pledge_id == pledge_id)).first()
    assert refused is not None
    nik = dict(zip(w.worker_ids, w.niks, strict=True))[refused.worker_id]
    content = f"NIK,KPJ,Tgl Mulai,Status,Alasan\n{nik},,,Ditolak,Sudah peserta PU\n".encode()
    done = coverage.import_result(session=session, actor=w.admin, content=content, filename="h.csv", apply=True)
    assert done.updated == 1
    left = session.execute(select(CoverMonth).where(col(CoverMonth.worker_id) == refused.worker_id)).all()
    assert left == []  # no payer any more: back in the pool
    assert_ledger_consistent(session)
