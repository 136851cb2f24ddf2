"""Matching services on SQLite and PostgreSQL: persistence, stability, explanations, authorisation, races."""

import datetime as dt
import threading
from collections.abc import Callable

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from models import Assignment, AuditLog, Campaign, Company, Pledge, PledgeKelurahan, Role, Worker
from services.matching import count_eligible, explain_shortfall, match_pledge, run_full_match
from services.platform.authz import SYSTEM, Actor
from services.platform.errors import AccessDenied

SITE = (-6.1719, 106.6317)  # Sukarasa, Kota Tangerang
KEL_A = "36.71.01.1001"  # Sukarasa
KEL_B = "36.71.01.1002"  # Sukaasih
HOLDING = ("assigned", "registered", "active")


# -- factories ---------------------------------------------------------------------------------------------------


def make_campaign(session: Session, *, active: bool = True) -> Campaign:
    c = Campaign(
        letter_number=f"SE {np.random.randint(1e9)}",
        letter_date=dt.date(2024, 10, 1),
        subject="CSR BPJS",
        response_deadline=dt.date(2024, 12, 31),
        target_workers=20_000,
        is_active=active,
    )
    session.add(c)
    session.commit()
    return c


def make_company(session: Session, *, lat: float = SITE[0], lon: float = SITE[1], name: str = "PT Uji") -> Company:
    c = Company(name=name, site_lat=lat, site_lon=lon, kelurahan_code=KEL_A)
    session.add(c)
    session.commit()
    return c


_nik = iter(range(10**6))


def make_workers(
    session: Session,
    n: int,
    *,
    center: tuple[float, float] = SITE,
    spread_km: float = 2.0,
    seed: int = 0,
    kelurahan: str = KEL_A,
    occupation: str = "pedagang",
    desil: int | None = -1,
    located: bool = True,
) -> list[int]:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        d = int(rng.integers(1, 11)) if desil == -1 else desil
        lat = center[0] + rng.uniform(-1, 1) * spread_km / 111.2
        lon = center[1] + rng.uniform(-1, 1) * spread_km / 110.5
        rows.append(
            Worker(
                nik=f"3671{next(_nik):012d}",
                name="Uji",
                sex="L",
                birth_date=dt.date(1980, 1, 1),
                kelurahan_code=kelurahan,
                occupation=occupation,
                desil=d,
                lat=lat if located else None,
                lon=lon if located else None,
            )
        )
    session.add_all(rows)
    session.commit()
    return [int(w.id) for w in rows if w.id is not None]


def make_pledge(
    session: Session,
    company: Company,
    campaign: Campaign,
    *,
    workers: int,
    radius_km: float | None = 2.0,
    kelurahan: list[str] | None = None,
    occupations: list[str] | None = None,
    status: str = "submitted",
) -> Pledge:
    assert company.id is not None and campaign.id is not None
    p = Pledge(
        company_id=company.id,
        campaign_id=campaign.id,
        workers=workers,
        months=12,
        start_month=dt.date(2025, 1, 1),
        premium_per_worker_month=16_800,
        radius_km=radius_km,
        occupations=occupations or [],
        status=status,
    )
    session.add(p)
    session.commit()
    for code in kelurahan or []:
        session.add(PledgeKelurahan(pledge_id=p.id, kelurahan_code=code))
    session.commit()
    return p


def holdings(session: Session, pledge_id: int | None = None) -> list[Assignment]:
    stmt = select(Assignment).where(col(Assignment.status).in_(HOLDING))
    if pledge_id is not None:
        stmt = stmt.where(col(Assignment.pledge_id) == pledge_id)
    return list(session.scalars(stmt).all())


def assert_invariants(session: Session) -> None:
    session.expire_all()
    rows = holdings(session)
    per_worker: dict[int, int] = {}
    per_pledge: dict[int, int] = {}
    for a in rows:
        per_worker[a.worker_id] = per_worker.get(a.worker_id, 0) + 1
        per_pledge[a.pledge_id] = per_pledge.get(a.pledge_id, 0) + 1
    assert all(n == 1 for n in per_worker.values()), "a worker holds two assignments"
    for pid, n in per_pledge.items():
        pledge = session.get(Pledge, pid)
        assert pledge is not None and n <= pledge.workers, f"pledge {pid} overfilled: {n} > {pledge.workers}"
    session.rollback()  # end the read: on SQLite every transaction holds the write lock


# -- behaviour ---------------------------------------------------------------------------------------------------


def test_match_pledge_takes_most_vulnerable_then_nearest(session: Session) -> None:
    camp, comp = make_campaign(session), make_company(session)
    make_workers(session, 30, desil=5, spread_km=1.0, seed=1)
    poor = make_workers(session, 5, desil=1, spread_km=1.5, seed=2)
    make_workers(session, 5, desil=1, spread_km=30.0, seed=3, kelurahan=KEL_B)  # mostly far outside
    p = make_pledge(session, comp, camp, workers=10, radius_km=2.0)
    res = match_pledge(session=session, pledge_id=p.id, actor=SYSTEM)
    assert (res.requested, res.assigned_now, res.total_assigned, res.shortfall) == (10, 10, 10, 0)
    rows = holdings(session, p.id)
    assert set(poor) <= {a.worker_id for a in rows}
    assert all(a.distance_km is not None and a.distance_km <= 2.0 for a in rows)
    assert all(a.reason and len(a.reason) <= 300 and "radius" in a.reason for a in rows)
    session.refresh(p)
    assert p.status == "matched"
    assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "matching.pledge")) == 1
    # Matching again changes nothing (already full).
    again = match_pledge(session=session, pledge_id=p.id, actor=SYSTEM)
    assert again.assigned_now == 0 and again.total_assigned == 10


def test_shortfall_explains_and_suggests(session: Session) -> None:
    camp = make_campaign(session)
    a, b = make_company(session, name="PT A"), make_company(session, name="PT B")
    make_workers(session, 12, spread_km=0.8, seed=4)
    make_workers(session, 40, spread_km=6.0, seed=5, kelurahan=KEL_B)
    first = make_pledge(session, a, camp, workers=8, radius_km=0.6)
    match_pledge(session=session, pledge_id=first.id, actor=SYSTEM)
    second = make_pledge(session, b, camp, workers=30, radius_km=0.6)
    res = match_pledge(session=session, pledge_id=second.id, actor=SYSTEM)
    assert res.shortfall > 0 and res.total_assigned == res.requested - res.shortfall
    sf = explain_shortfall(session=session, pledge_id=second.id, actor=SYSTEM)
    assert sf.assigned == res.total_assigned
    assert sf.taken_by_other_pledges == len(holdings(session, first.id))
    assert sf.eligible_in_area == sf.assigned + sf.taken_by_other_pledges + sf.free_in_area
    assert sf.suggested_radius_km is not None and sf.suggested_radius_km > 0.6
    assert "Perluas radius" in sf.message and "diambil ikrar lain" in sf.message
    assert sf.suggested_kelurahan
    for suggestion in sf.suggested_kelurahan:  # names keep their capitals inside the sentence
        assert suggestion.split(" (")[0] in sf.message
        assert suggestion[0].isupper()


def test_kelurahan_set_reaches_beyond_radius_and_null_location_uses_rep_point(session: Session) -> None:
    camp, comp = make_campaign(session), make_company(session)
    far = make_workers(session, 4, center=(-6.30, 106.80), spread_km=0.5, seed=6, kelurahan=KEL_B)
    unlocated = make_workers(session, 3, seed=7, located=False)  # Sukarasa's rep point: inside the radius
    p = make_pledge(session, comp, camp, workers=10, radius_km=0.5, kelurahan=[KEL_B])
    res = match_pledge(session=session, pledge_id=p.id, actor=SYSTEM)
    got = {a.worker_id: a for a in holdings(session, p.id)}
    assert set(far) | set(unlocated) == set(got) and res.assigned_now == 7
    assert "kelurahan" in got[far[0]].reason


def test_registered_never_move_and_full_match_is_stable(session: Session) -> None:
    camp = make_campaign(session)
    a, b = make_company(session, name="A"), make_company(session, name="B", lon=SITE[1] + 0.01)
    make_workers(session, 60, spread_km=2.0, seed=8)
    pa = make_pledge(session, a, camp, workers=20, radius_km=3.0)
    match_pledge(session=session, pledge_id=pa.id, actor=SYSTEM)
    registered = holdings(session, pa.id)[:5]
    for r in registered:
        r.status = "registered"
    session.commit()
    pb = make_pledge(session, b, camp, workers=25, radius_km=3.0)
    res = run_full_match(session=session, actor=SYSTEM)
    assert res.pledges == 2 and res.unmatched_pledges == 0
    for r in registered:
        session.refresh(r)
        assert r.status == "registered" and r.pledge_id == pa.id
    assert len(holdings(session, pa.id)) == 20 and len(holdings(session, pb.id)) == 25
    # A second full run with nothing changed moves nobody.
    again = run_full_match(session=session, actor=SYSTEM)
    assert (again.assigned, again.moved, again.released) == (0, 0, 0)
    assert_invariants(session)


def test_full_match_moves_proposed_workers_and_keeps_history(session: Session) -> None:
    camp = make_campaign(session)
    a, b = make_company(session, name="A"), make_company(session, name="B")
    only_a = make_workers(session, 3, desil=1, spread_km=0.3, seed=9)
    pa = make_pledge(session, a, camp, workers=3, radius_km=5.0)
    match_pledge(session=session, pledge_id=pa.id, actor=SYSTEM)
    # B arrives with a tiny radius that only reaches the same three workers; A could use others instead.
    make_workers(session, 3, desil=1, center=(SITE[0] + 0.03, SITE[1]), spread_km=0.2, seed=10)
    pb = make_pledge(session, b, camp, workers=3, radius_km=0.5)
    before = match_pledge(session=session, pledge_id=pb.id, actor=SYSTEM)
    assert before.assigned_now == 0
    res = run_full_match(session=session, actor=SYSTEM)
    assert res.moved == 3 and res.unmatched_pledges == 0
    assert {x.worker_id for x in holdings(session, pb.id)} == set(only_a)
    released = session.scalars(select(Assignment).where(Assignment.status == "released")).all()
    assert len(released) == 3  # history kept, never deleted
    assert_invariants(session)


def test_cancelled_pledge_and_inactive_campaign_are_not_matched(session: Session) -> None:
    camp, off = make_campaign(session), make_campaign(session, active=False)
    comp = make_company(session)
    make_workers(session, 10, seed=11)
    cancelled = make_pledge(session, comp, camp, workers=5, status="cancelled")
    inactive = make_pledge(session, comp, off, workers=5)
    assert match_pledge(session=session, pledge_id=cancelled.id, actor=SYSTEM).assigned_now == 0
    assert run_full_match(session=session, actor=SYSTEM).pledges == 0
    assert holdings(session, inactive.id) == []


def test_count_eligible_excludes_protected(session: Session) -> None:
    camp, comp = make_campaign(session), make_company(session)
    ids = make_workers(session, 20, spread_km=0.5, seed=12)
    make_workers(session, 5, spread_km=0.5, seed=13, occupation="ojek")
    w = session.get(Worker, ids[0])
    assert w is not None
    w.covered_elsewhere = True
    session.commit()
    kw = {"lat": SITE[0], "lon": SITE[1], "radius_km": 2.0, "kelurahan_codes": [], "occupations": ["pedagang"]}
    assert count_eligible(session=session, **kw) == 19
    p = make_pledge(session, comp, camp, workers=4, occupations=["pedagang"])
    match_pledge(session=session, pledge_id=p.id, actor=SYSTEM)
    assert count_eligible(session=session, **kw) == 15
    assert count_eligible(session=session, **{**kw, "occupations": []}) == 20
    assert count_eligible(session=session, **{**kw, "radius_km": None, "kelurahan_codes": [KEL_B]}) == 0


def test_authorisation(session: Session) -> None:
    camp = make_campaign(session)
    mine, other = make_company(session, name="Mine"), make_company(session, name="Other")
    make_workers(session, 5, seed=14)
    p = make_pledge(session, other, camp, workers=2)
    company_user = Actor(user_id=None, username="hr", role=Role.COMPANY, company_id=mine.id)
    with pytest.raises(AccessDenied):
        match_pledge(session=session, pledge_id=p.id, actor=company_user)
    with pytest.raises(AccessDenied):
        run_full_match(session=session, actor=company_user)
    viewer = Actor(user_id=None, username="v", role=Role.VIEWER)
    with pytest.raises(AccessDenied):
        run_full_match(session=session, actor=viewer)
    owner = Actor(user_id=None, username="hr2", role=Role.COMPANY, company_id=other.id)
    assert match_pledge(session=session, pledge_id=p.id, actor=owner).assigned_now == 2
    assert explain_shortfall(session=session, pledge_id=p.id, actor=owner).assigned == 2


# -- races -------------------------------------------------------------------------------------------------------


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


def test_concurrent_matching_never_double_assigns(engine: Engine, session: Session) -> None:
    camp = make_campaign(session)
    comps = [make_company(session, name=f"C{i}", lon=SITE[1] + 0.002 * i) for i in range(3)]
    make_workers(session, 50, spread_km=1.0, seed=15)
    ids = [int(make_pledge(session, c, camp, workers=30, radius_km=3.0).id or 0) for c in comps]
    for _round in range(2):
        errors = _run_threads(
            engine,
            [
                lambda s: match_pledge(session=s, pledge_id=ids[0], actor=SYSTEM),
                lambda s: match_pledge(session=s, pledge_id=ids[1], actor=SYSTEM),
                lambda s: run_full_match(session=s, actor=SYSTEM),
            ],
        )
        assert errors == []
        assert_invariants(session)
    assert len(holdings(session)) == 50


def test_full_match_racing_a_pledge_raise(engine: Engine, session: Session) -> None:
    camp = make_campaign(session)
    a, b = make_company(session, name="A"), make_company(session, name="B")
    make_workers(session, 40, spread_km=1.0, seed=16)
    pa = make_pledge(session, a, camp, workers=10, radius_km=3.0)
    pb = make_pledge(session, b, camp, workers=10, radius_km=3.0)
    pa_id = int(pa.id or 0)

    def raise_pledge(s: Session) -> None:
        # What the pledge service does: lock the row, raise, commit, then match the pledge at once.
        pledge = s.scalars(select(Pledge).where(col(Pledge.id) == pa_id).with_for_update()).one()
        pledge.workers += 15
        s.commit()
        match_pledge(session=s, pledge_id=pa_id, actor=SYSTEM)

    errors = _run_threads(engine, [raise_pledge, lambda s: run_full_match(session=s, actor=SYSTEM)])
    assert errors == []
    assert_invariants(session)
    assert len(holdings(session, pa.id)) == 25 and len(holdings(session, pb.id)) == 10


def test_batch_command_in_worker_processes(db_url: str, session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    # Two far-apart areas are two independent pledge groups: with --processes 2 each is solved in a forked
    # worker process while the command holds its transaction; the answer is the one-process optimum.
    from services.matching.__main__ import main

    camp = make_campaign(session)
    far = (SITE[0] - 0.2, SITE[1] + 0.2)  # ~31 km away
    a, b = make_company(session, name="A"), make_company(session, name="B", lat=far[0], lon=far[1])
    make_workers(session, 30, spread_km=1.5, seed=21)
    make_workers(session, 30, center=far, spread_km=1.5, seed=22)
    pa = make_pledge(session, a, camp, workers=12, radius_km=3.0)
    pb = make_pledge(session, b, camp, workers=40, radius_km=3.0)  # more than its 30 workers
    assert main(["full", "--processes", "2", "--database-url", db_url]) == 0
    out = capsys.readouterr().out
    assert "2 ikrar, 42 penugasan baru" in out and "1 ikrar belum penuh" in out
    session.expire_all()
    assert len(holdings(session, pa.id)) == 12 and len(holdings(session, pb.id)) == 30
    assert_invariants(session)
    again = run_full_match(session=session, actor=SYSTEM)  # one process: nothing to improve, nobody moves
    assert (again.assigned, again.moved, again.released) == (0, 0, 0)


def test_shortfall_advice_names_kelurahan_that_reach_the_need(session: Session) -> None:
    """The advice never offers three 1-worker kelurahan 'to reach 225 more': each alternative says what it reaches,
    and the kelurahan are the largest pools nearby (fewest that reach the need)."""
    camp, comp = make_campaign(session), make_company(session)
    make_workers(session, 5, spread_km=0.3, seed=21)  # the pledge's own area: 5 workers
    for i, code in enumerate(("36.71.01.1003", "36.71.01.1004", "36.71.01.1005")):  # single workers close by
        make_workers(
            session,
            1,
            center=(SITE[0] - 0.004, SITE[1] + 0.006 + i * 0.001),
            spread_km=0.1,
            seed=30 + i,
            kelurahan=code,
        )
    make_workers(session, 40, center=(SITE[0], SITE[1] + 0.04), spread_km=0.5, seed=22, kelurahan=KEL_B)
    p = make_pledge(session, comp, camp, workers=30, radius_km=0.5)
    match_pledge(session=session, pledge_id=p.id, actor=SYSTEM)
    sf = explain_shortfall(session=session, pledge_id=p.id, actor=SYSTEM)
    assert sf.assigned == 5 and sf.requested == 30
    assert sf.suggested_kelurahan[0].startswith("Sukaasih (40 pekerja)")  # the pool that reaches the 25 missing
    assert len(sf.suggested_kelurahan) == 1
    assert "menjangkau 25 pekerja lagi" in sf.message and "menjangkau 40 pekerja lagi" in sf.message


def test_a_pledges_match_holds_the_lock_for_its_write_only(engine: Engine, session: Session) -> None:
    """The explanation of a shortfall reads every worker in the area (and wider radii): it runs after the commit,
    so the write lock (SQLite) or the matching lock (PostgreSQL) is not held while it reads (issue 26: a crowd of
    pledges queued behind each other's explanations)."""
    from sqlalchemy import event

    camp, comp = make_campaign(session), make_company(session)
    make_workers(session, 6, spread_km=0.8, seed=11)
    p = make_pledge(session, comp, camp, workers=10, radius_km=0.6)
    seen: list[str] = []

    def statement(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        seen.append(sql)

    def commit(_conn: object) -> None:
        seen.append("COMMIT")

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        res = match_pledge(session=session, pledge_id=p.id, actor=SYSTEM)
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
    assert res.shortfall > 0 and "dari 10 pekerja" in res.explanation  # the explanation was made
    wrote = max(i for i, sql in enumerate(seen) if sql.lstrip().upper().startswith("INSERT INTO ASSIGNMENT"))
    committed = seen.index("COMMIT", wrote)
    inside = [sql for sql in seen[wrote:committed] if "FROM worker" in sql]
    assert inside == [], inside
    assert any("FROM worker" in sql for sql in seen[committed:]), "the explanation reads after the commit"
