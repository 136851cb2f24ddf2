"""One payer per worker-month, on SQLite and PostgreSQL: the constraint itself, concurrent writers, random
sequences of pledges, cancellations, allocations, imports, marks and lapses (hypothesis), and the city's allocation
filled after the pledges (preview, commit, priority, quotas)."""

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from models import Assignment, AssignmentStatus, CoverMonth, PayerKind, Pledge, Role
from services import coverage, pledges, registry
from services.matching import run_full_match
from services.matching.allocation import (
    AllocationDraft,
    commit_allocation,
    list_allocations,
    preview_allocation,
    record_allocation,
)
from services.platform.authz import Actor
from services.platform.dates import add_months, month_start
from services.platform.errors import ConflictError, ValidationError
from services.platform.ledger import (
    Cover,
    csr_months,
    end_assignments_from,
    months_between,
    sync_assignments,
    write_cover,
)
from tests import factories as f

TODAY = dt.date.today()
THIS_MONTH = month_start(TODAY)
SITE = (-6.2010, 106.5738)  # Jatake, Jatiuwung (kecamatan 36.71.02)


@dataclass
class World:
    admin: Actor
    company: Actor
    company_id: int
    worker_ids: list[int]
    niks: list[str]


def make_world(session: Session, *, workers: int = 12) -> World:
    from models import Campaign

    campaign = session.execute(select(col(Campaign.id))).scalar() or f.campaign(session).id
    company = f.company(
        session, campaign_id=campaign, site_lat=SITE[0], site_lon=SITE[1], kelurahan_code="36.71.02.1002"
    )
    owner = f.user(session, role=Role.COMPANY, company_id=company.id)
    admin = f.user(session, role=Role.ADMIN)
    rows = [
        f.worker(
            session,
            kelurahan_code="36.71.02.1002",
            lat=SITE[0] + 0.001 * (i % 4),
            lon=SITE[1] + 0.001 * (i // 4),
            desil=1 + i % 6,
        )
        for i in range(workers)
    ]
    session.commit()
    return World(
        f.actor_of(admin),
        f.actor_of(owner),
        int(company.id or 0),
        [int(w.id or 0) for w in rows],
        [w.nik for w in rows],
    )


def assert_ledger_consistent(session: Session) -> None:
    """The ledger says what the domain says: one payer per worker-month, each holding assignment has exactly its
    pledge's months from when it was matched, released ones have none, each row's payer fits its source."""
    session.rollback()
    twice = session.execute(
        select(col(CoverMonth.worker_id), col(CoverMonth.month))
        .group_by(col(CoverMonth.worker_id), col(CoverMonth.month))
        .having(func.count() > 1)
    ).all()
    assert twice == []
    holding = session.execute(
        select(
            col(Assignment.id),
            col(Assignment.status),
            col(Pledge.start_month),
            col(Pledge.months),
            col(Assignment.coverage_start),
            col(Assignment.coverage_end),
        ).join(Pledge, col(Pledge.id) == Assignment.pledge_id)
    ).all()
    months: dict[int, list[dt.date]] = {}
    for aid, month in session.execute(
        select(col(CoverMonth.assignment_id), col(CoverMonth.month))
        .where(col(CoverMonth.assignment_id).is_not(None))
        .order_by(col(CoverMonth.month))
    ).all():
        months.setdefault(int(aid), []).append(month)
    for aid, status, start, n, cover_from, cover_to in holding:
        if status == "active" and cover_from is not None:  # BPJS's dates (KPJ import, renewal)
            assert set(months.get(aid, [])) <= set(months_between(cover_from, cover_to)), aid
        elif status in ("assigned", "registered", "active"):
            assert months.get(aid, []) == csr_months(start_month=start, months=n, today=TODAY), aid
        elif status == AssignmentStatus.RELEASED.value:
            assert aid not in months
    bad = session.execute(
        select(func.count()).where(
            (col(CoverMonth.assignment_id).is_not(None) & (col(CoverMonth.payer) != PayerKind.CSR.value))
            | (col(CoverMonth.allocation_id).is_not(None) & (col(CoverMonth.payer) != PayerKind.CITY_BUDGET.value))
        )
    ).scalar()
    assert bad == 0


def test_the_database_refuses_a_second_payer_for_a_month(session: Session) -> None:
    w = make_world(session, workers=1)
    wid = w.worker_ids[0]
    write_cover(session=session, covers=[Cover(wid, PayerKind.SELF_PAID.value, [THIS_MONTH])])
    session.commit()
    for payer in (PayerKind.CITY_BUDGET.value, PayerKind.SELF_PAID.value, PayerKind.CSR.value):
        with pytest.raises(IntegrityError):
            session.execute(insert(CoverMonth).values(worker_id=wid, month=THIS_MONTH, payer=payer, programme=""))
            session.flush()
        session.rollback()
    write_cover(session=session, covers=[Cover(wid, PayerKind.CITY_BUDGET.value, [add_months(THIS_MONTH, 1)])])
    session.commit()  # the next month is free


def _run_threads(engine: Engine, jobs: list[Callable[[Session], object]]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def runner(job: Callable[[Session], object]) -> None:
        try:
            with Session(engine, expire_on_commit=False) as s:
                barrier.wait()
                job(s)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def test_concurrent_writers_leave_one_payer_per_month(engine: Engine, session: Session) -> None:
    w = make_world(session, workers=3)
    payers = [PayerKind.CITY_BUDGET.value, PayerKind.SELF_PAID.value, PayerKind.OTHER_PROGRAMME.value] * 2

    def writer(payer: str) -> Callable[[Session], object]:
        def job(s: Session) -> None:
            months = months_between(THIS_MONTH, add_months(THIS_MONTH, 5))
            write_cover(session=s, covers=[Cover(wid, payer, months) for wid in w.worker_ids])
            s.commit()

        return job

    errors = _run_threads(engine, [writer(p) for p in payers])
    assert len(errors) == len(payers) - 1 and all(isinstance(e, IntegrityError) for e in errors)
    rows = session.execute(select(col(CoverMonth.worker_id), col(CoverMonth.payer))).all()
    assert len(rows) == 3 * 6 and len({p for _, p in rows}) == 1  # one writer won, whole


def test_allocation_racing_matching_and_an_import(engine: Engine, session: Session) -> None:
    w = make_world(session, workers=20)
    pledges.create_pledge(
        session=session,
        actor=w.company,
        company_id=w.company_id,
        draft=pledges.PledgeDraft(workers=6, months=6, start_month=THIS_MONTH, radius_km=3.0),
    )
    alloc = record_allocation(
        session=session,
        actor=w.admin,
        draft=AllocationDraft(2026, "5.1", "Perwal 1/2026", THIS_MONTH, add_months(THIS_MONTH, 5), workers=10),
    )
    csv = ("NIK,Penanggung\n" + "".join(f"{n},BAZNAS\n" for n in w.niks[::2])).encode()
    ok = (ConflictError, ValidationError)
    errors = _run_threads(
        engine,
        [
            lambda s: commit_allocation(session=s, actor=w.admin, allocation_id=alloc),
            lambda s: run_full_match(session=s, actor=w.admin),
            lambda s: registry.import_covered(session=s, actor=w.admin, content=csv, filename="c.csv", apply=True),
        ],
    )
    assert all(isinstance(e, ok) for e in errors), errors
    assert_ledger_consistent(session)


OPS = st.one_of(
    st.tuples(st.just("pledge"), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2)),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("allocation"), st.integers(1, 6), st.integers(0, 2), st.integers(1, 6)),
    st.tuples(st.just("mark"), st.integers(0, 9), st.sampled_from(["APBD", "Mandiri", "BAZNAS"]), st.integers(0, 3)),
    st.tuples(st.just("lapse"), st.integers(0, 9)),
    st.tuples(st.just("import"), st.lists(st.integers(0, 9), max_size=4), st.sampled_from(["APBD", "Dana desa"])),
    st.tuples(st.just("match")),
    st.tuples(st.just("register"), st.integers(0, 5)),
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=1, max_size=8))
def test_random_sequences_never_give_a_worker_two_payers(session: Session, ops: list[tuple]) -> None:
    w = make_world(session, workers=10)
    made: list[int] = []
    for op in ops:
        try:
            if op[0] == "pledge":
                _, n, months, start = op
                draft = pledges.PledgeDraft(
                    workers=n, months=months, start_month=add_months(THIS_MONTH, start), radius_km=3.0
                )
                out = pledges.create_pledge(session=session, actor=w.company, company_id=w.company_id, draft=draft)
                made.append(out.pledge_id)
            elif op[0] == "cancel" and made:
                pledges.cancel_pledge(session=session, actor=w.company, pledge_id=made[op[1] % len(made)])
            elif op[0] == "allocation":
                _, n, start, months = op
                first = add_months(THIS_MONTH, start)
                draft = AllocationDraft(2026, "5.1", "Perwal", first, add_months(first, months - 1), workers=n)
                alloc = record_allocation(session=session, actor=w.admin, draft=draft)
                commit_allocation(session=session, actor=w.admin, allocation_id=alloc)
            elif op[0] == "mark":
                _, i, payer, months = op
                until = add_months(THIS_MONTH, months + 1) - dt.timedelta(days=1)
                registry.set_covered(
                    session=session, actor=w.admin, worker_id=w.worker_ids[i], covered_by=payer, until=until
                )
            elif op[0] == "lapse":
                registry.set_covered(
                    session=session, actor=w.admin, worker_id=w.worker_ids[op[1]], covered_by=None, until=None
                )
            elif op[0] == "import":
                csv = "NIK,Penanggung\n" + "".join(f"{w.niks[i]},{op[2]}\n" for i in op[1])
                registry.import_covered(
                    session=session, actor=w.admin, content=csv.encode(), filename="c.csv", apply=True
                )
            elif op[0] == "match":
                run_full_match(session=session, actor=w.admin)
            elif op[0] == "register" and made:  # the BPJS file: its workers are never moved again
                coverage.export_registration(
                    session=session, actor=w.admin, selection=coverage.Selection(pledge_id=made[op[1] % len(made)])
                )
        except ValidationError:
            session.rollback()  # refused with a message (e.g. "sudah ditanggung ... pada ..."): nothing written
        assert_ledger_consistent(session)


def test_allocation_preview_then_commit_after_the_pledges(session: Session) -> None:
    w = make_world(session, workers=12)  # desil 1..6 twice
    out = pledges.create_pledge(
        session=session,
        actor=w.company,
        company_id=w.company_id,
        draft=pledges.PledgeDraft(workers=4, months=12, start_month=THIS_MONTH, radius_km=3.0),
    )
    csr = {a.worker_id for a in session.scalars(select(Assignment).where(Assignment.pledge_id == out.pledge_id)).all()}
    assert len(csr) == 4
    with pytest.raises(ValidationError, match="Nomor Perwal"):
        record_allocation(
            session=session,
            actor=w.admin,
            draft=AllocationDraft(2026, "5.1", " ", THIS_MONTH, add_months(THIS_MONTH, 5), workers=5),
        )
    alloc = record_allocation(
        session=session,
        actor=w.admin,
        draft=AllocationDraft(
            2026,
            "5.1.02",
            "Perwal 113/2023",
            THIS_MONTH,
            add_months(THIS_MONTH, 5),
            workers=5,
            kecamatan_quotas={"36.71.02": 2},
        ),
    )
    before = session.execute(select(func.count()).select_from(CoverMonth)).scalar()
    preview = preview_allocation(session=session, actor=w.admin, allocation_id=alloc)
    assert session.execute(select(func.count()).select_from(CoverMonth)).scalar() == before  # nothing written
    assert (preview.places, preview.covered, preview.places_left) == (5, 5, 0)
    assert preview.unfunded_workers == 12 - 4 - 5 and preview.months == 6
    assert preview.unfunded_rupiah == 3 * 6 * 16_800
    assert not set(preview.worker_ids) & csr  # the pledges' workers stay with the companies
    desil = {wid: 1 + i % 6 for i, wid in enumerate(w.worker_ids)}
    left = set(w.worker_ids) - csr - set(preview.worker_ids)
    assert max(desil[x] for x in preview.worker_ids) <= min(desil[x] for x in left)  # lowest desil first
    done = commit_allocation(session=session, actor=w.admin, allocation_id=alloc)
    assert done.committed and done.worker_ids == preview.worker_ids
    assert_ledger_consistent(session)
    apbd = session.execute(
        select(col(CoverMonth.worker_id), func.count())
        .where(col(CoverMonth.allocation_id) == alloc)
        .group_by(col(CoverMonth.worker_id))
    ).all()
    assert sorted(x for x, _ in apbd) == done.worker_ids and {n for _, n in apbd} == {6}
    with pytest.raises(ValidationError, match="sudah dijalankan"):
        commit_allocation(session=session, actor=w.admin, allocation_id=alloc)
    assert list_allocations(session=session, actor=w.admin).iloc[0]["terisi"] == 5
    # A new pledge does not take the city's workers; a clerk cannot put them on another payer either.
    more = pledges.create_pledge(
        session=session,
        actor=w.company,
        company_id=w.company_id,
        draft=pledges.PledgeDraft(workers=10, months=3, start_month=THIS_MONTH, radius_km=3.0),
    )
    assert more.match.assigned == 3
    with pytest.raises(ValidationError, match="sudah ditanggung APBD Kota"):
        registry.set_covered(
            session=session, actor=w.admin, worker_id=done.worker_ids[0], covered_by="Mandiri", until=None
        )
    assert_ledger_consistent(session)


def test_import_by_payer_writes_months_and_releases_proposed_cover(session: Session) -> None:
    w = make_world(session, workers=4)
    out = pledges.create_pledge(
        session=session,
        actor=w.company,
        company_id=w.company_id,
        draft=pledges.PledgeDraft(workers=4, months=12, start_month=THIS_MONTH, radius_km=3.0),
    )
    registered = session.scalars(select(Assignment).where(Assignment.pledge_id == out.pledge_id)).all()[0]
    registered.status = AssignmentStatus.REGISTERED
    session.add(registered)
    session.commit()
    reg_nik = w.niks[w.worker_ids.index(registered.worker_id)]
    others = [n for n in w.niks if n != reg_nik]
    until = add_months(THIS_MONTH, 3) - dt.timedelta(days=1)
    csv = (
        "NIK,Penanggung,Berlaku Mulai,Berlaku Sampai\n"
        f"{others[0]},BAZNAS,,{until:%d/%m/%Y}\n"
        f"{others[1]},Mandiri,{add_months(THIS_MONTH, 1):%d/%m/%Y},{until:%d/%m/%Y}\n"
        f"{others[2]},APBD,{until:%d/%m/%Y},{THIS_MONTH:%d/%m/%Y}\n"
        f"{reg_nik},APBD provinsi,,\n"
    ).encode()
    result = registry.import_covered(session=session, actor=w.admin, content=csv, filename="c.csv", apply=True)
    assert (result.updated, result.rejected) == (2, 2)
    reasons = " ".join(str(r) for r in result.errors)
    assert "sesudah tanggal berakhir" in reasons and "sudah ditanggung CSR perusahaan" in reasons
    rows = session.execute(
        select(col(CoverMonth.worker_id), col(CoverMonth.payer), col(CoverMonth.programme), col(CoverMonth.month))
        .where(col(CoverMonth.import_id).is_not(None))
        .order_by(col(CoverMonth.worker_id), col(CoverMonth.month))
    ).all()
    ids = {n: i for n, i in zip(w.niks, w.worker_ids, strict=True)}
    assert [(p, g, m) for x, p, g, m in rows if x == ids[others[0]]] == [
        ("program_lain", "BAZNAS (zakat)", add_months(THIS_MONTH, k)) for k in range(3)
    ]
    assert [m for x, _, _, m in rows if x == ids[others[1]]] == [add_months(THIS_MONTH, 1), add_months(THIS_MONTH, 2)]
    assert_ledger_consistent(session)
    again = registry.import_covered(session=session, actor=w.admin, content=csv, filename="c.csv", apply=True)
    assert again.updated == 0
    assert session.execute(select(func.count()).where(col(CoverMonth.import_id).is_not(None))).scalar() == len(rows)


def test_renewal_takes_over_the_months_and_skips_workers_another_payer_took(session: Session) -> None:
    from tests.integration import test_pledges as tp

    w = tp.make_world(session, workers=12)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=tp.draft())
    tp._activate(session, out.pledge_id, add_months(THIS_MONTH, -11), 12)  # cover ends this month
    held = [a.worker_id for a in tp.holding(session, out.pledge_id)]
    # _activate moved the pledge back in time: write its months again as they now are (this month only).
    ids = [int(a.id or 0) for a in tp.holding(session, out.pledge_id)]
    end_assignments_from(session=session, assignment_ids=ids, from_month=dt.date(2000, 1, 1))
    sync_assignments(session=session, worker_ids=held)
    session.commit()
    # Next month one of them is covered by BAZNAS: the renewal must leave that worker with BAZNAS.
    write_cover(session=session, covers=[Cover(held[0], PayerKind.OTHER_PROGRAMME.value, [add_months(THIS_MONTH, 2)])])
    session.commit()
    renewal = pledges.renew_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id, months=6)
    carried = {a.worker_id for a in tp.holding(session, renewal.pledge_id)}
    assert held[0] not in carried and set(held[1:]) <= carried
    assert_ledger_consistent(session)


def test_figures_by_payer_count_each_payer_once(session: Session) -> None:
    from services.insight import payer_split
    from services.insight.catalogue import figure

    w = make_world(session, workers=10)
    out = pledges.create_pledge(
        session=session,
        actor=w.company,
        company_id=w.company_id,
        draft=pledges.PledgeDraft(workers=3, months=12, start_month=THIS_MONTH, radius_km=3.0),
    )
    held = session.scalars(select(Assignment).where(Assignment.pledge_id == out.pledge_id)).all()
    held[0].status = AssignmentStatus.ACTIVE  # one card issued: paid; the two proposed ones are not yet
    session.add(held[0])
    session.commit()
    free = [n for n, i in zip(w.niks, w.worker_ids, strict=True) if i not in {a.worker_id for a in held}]
    csv = f"NIK,Penanggung\n{free[0]},Mandiri\n{free[1]},BAZNAS\n{free[2]},Dana desa\n".encode()
    registry.import_covered(session=session, actor=w.admin, content=csv, filename="c.csv", apply=True)
    alloc = record_allocation(
        session=session,
        actor=w.admin,
        draft=AllocationDraft(2026, "5.1", "Perwal", THIS_MONTH, add_months(THIS_MONTH, 2), workers=2),
    )
    commit_allocation(session=session, actor=w.admin, allocation_id=alloc)
    split = payer_split(session=session)
    assert (split.apbd, split.csr, split.other, split.mandiri) == (2, 1, 2, 1)
    assert split.budget_needed == (split.target - 6) * split.premium * 12
    assert figure("paid_all_payers").compute(session=session) == 6  # type: ignore[misc]
    assert figure("budget_needed_after_csr").compute(session=session) == split.budget_needed  # type: ignore[misc]
    later = payer_split(session=session, today=add_months(THIS_MONTH, 3))  # the allocation has ended
    assert later.apbd == 0 and later.csr == 1


def test_migration_backfills_months_of_existing_cover(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Upgrading a database made before the ledger writes months for its holding assignments and its workers
    marked covered elsewhere (SQLite; the backfill is the same service on PostgreSQL, tested just below)."""
    from alembic import command
    from sqlalchemy import text

    from services.platform.db import alembic_config, make_engine
    from services.platform.regions import load_regions

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0011_branch_claims")
    engine = make_engine(url)
    with Session(engine) as s:
        load_regions(session=s)
        w = make_world(s, workers=3)
        camp = s.execute(text("SELECT id FROM campaign")).scalar()
        p = f.pledge(s, company_id=w.company_id, campaign_id=camp, start_month=THIS_MONTH, months=6)
        s.execute(
            text(
                "INSERT INTO assignment (worker_id, pledge_id, reason, status, created_at, updated_at) "
                "VALUES (:w, :p, '', 'active', :t, :t)"
            ),
            {"w": w.worker_ids[0], "p": p.id, "t": dt.datetime.now(dt.UTC)},
        )
        s.execute(
            text("UPDATE worker SET covered_elsewhere = 1, covered_by = 'mandiri' WHERE id = :w"),
            {"w": w.worker_ids[1]},
        )
        s.commit()
    engine.dispose()
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    with Session(engine) as s:
        rows = s.execute(text("SELECT worker_id, payer, COUNT(*) FROM covermonth GROUP BY worker_id, payer")).all()
        assert sorted(rows) == [(w.worker_ids[0], "csr", 6), (w.worker_ids[1], "mandiri", 12)]
        assert_ledger_consistent(s)
    engine.dispose()


def test_backfill_is_idempotent(session: Session) -> None:
    from services.platform.ledger import backfill

    w = make_world(session, workers=4)
    pledges.create_pledge(
        session=session,
        actor=w.company,
        company_id=w.company_id,
        draft=pledges.PledgeDraft(workers=2, months=3, start_month=THIS_MONTH, radius_km=3.0),
    )
    session.execute(CoverMonth.__table__.delete())  # type: ignore[attr-defined]
    session.commit()
    assert backfill(session=session) == 2 * 3
    session.commit()
    assert backfill(session=session) == 0
    assert_ledger_consistent(session)


def test_import_bad_dates_are_refused_and_a_past_start_counts_from_this_month(session: Session) -> None:
    w = make_world(session, workers=3)
    last_year = THIS_MONTH.replace(year=THIS_MONTH.year - 1)
    csv = (
        "NIK,Penanggung,Berlaku Mulai,Berlaku Sampai\n"
        f"{w.niks[0]},Mandiri,{last_year:%d/%m/%Y},{add_months(THIS_MONTH, 2) - dt.timedelta(days=1):%d/%m/%Y}\n"
        f"{w.niks[1]},Mandiri,bulan depan,\n"
        f"{w.niks[2]},Zakat,,{last_year:%d/%m/%Y}\n"
    ).encode()
    result = registry.import_covered(session=session, actor=w.admin, content=csv, filename="c.csv", apply=True)
    assert (result.updated, result.rejected) == (1, 2)
    reasons = " ".join(str(e) for e in result.errors)
    assert "Tanggal mulai tidak terbaca" in reasons and "sudah lewat" in reasons
    months = session.execute(
        select(col(CoverMonth.month))
        .where(col(CoverMonth.worker_id) == w.worker_ids[0])
        .order_by(col(CoverMonth.month))
    ).scalars()
    assert list(months) == [THIS_MONTH, add_months(THIS_MONTH, 1)]  # the past is not written again


def test_kpj_import_makes_bpjs_dates_the_months_and_refuses_an_overlap(session: Session) -> None:
    w = make_world(session, workers=3)
    out = pledges.create_pledge(
        session=session,
        actor=w.company,
        company_id=w.company_id,
        draft=pledges.PledgeDraft(workers=3, months=6, start_month=add_months(THIS_MONTH, 1), radius_km=3.0),
    )
    coverage.export_registration(session=session, actor=w.admin, selection=coverage.Selection(pledge_id=out.pledge_id))
    held = {a.worker_id: a for a in session.scalars(select(Assignment).where(Assignment.pledge_id == out.pledge_id))}
    nik = dict(zip(w.worker_ids, w.niks, strict=True))
    a, b, c = sorted(held)
    # BPJS started b's cover a month earlier than the pledge; c's month before is paid by BAZNAS already.
    write_cover(session=session, covers=[Cover(c, PayerKind.OTHER_PROGRAMME.value, [THIS_MONTH])])
    session.commit()
    start, early = add_months(THIS_MONTH, 1), THIS_MONTH
    csv = (
        "NIK,KPJ,Tgl Mulai\n"
        f"{nik[a]},24010000001,{start:%d/%m/%Y}\n"
        f"{nik[b]},24010000002,{early:%d/%m/%Y}\n"
        f"{nik[c]},24010000003,{early:%d/%m/%Y}\n"
    ).encode()
    result = coverage.import_result(session=session, actor=w.admin, content=csv, filename="hasil.csv", apply=True)
    assert (result.updated, result.rejected) == (2, 1)
    assert "sudah ditanggung Program lain" in " ".join(e.reason for e in result.errors)
    rows = session.execute(
        select(col(CoverMonth.worker_id), col(CoverMonth.month)).where(col(CoverMonth.payer) == PayerKind.CSR.value)
    ).all()
    got = {x: sorted(m for y, m in rows if y == x) for x in (a, b)}
    assert got[a] == months_between(start, add_months(start, 5))
    assert got[b] == months_between(early, add_months(early, 5))  # BPJS's six months, from its own start
    assert_ledger_consistent(session)
