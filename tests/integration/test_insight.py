"""The city dashboard's numbers against a small world computed by hand, on SQLite and PostgreSQL.

The world (today = 31 Mar 2025; letter 14 Oct 2024, sent 15 Oct; target 100; Rp16.800):

| company | sector | kelurahan | login | answer | pledges |
|---|---|---|---|---|---|
| A | Alas kaki | Sukarasa | 20 Oct | 25 Oct (10 d) | P1 active 4 x 12, 1 km: w1 w2 w11 active, w3 registered |
| B | Tekstil | Karang Mulya | 1 Nov | 15 Nov (31 d) | P2 matched, 2 x 12, kelurahan Karang Mulya: w4 assigned |
| C | Tekstil | Sukarasa | 18 Oct | - | - (site at Sukarasa's inside point) |
| D | Alas kaki | Karang Mulya | - | - | - (site at Karang Mulya's inside point) |
| E | Logam | Sukarasa | 16 Oct | 17 Oct (2 d) | P4 renewed 1 x 1 (w5, Nov) -> P5 active 1 x 5 (w5, Dec-Apr), 0,5 km |
| F | Logam | Kreo | 19 Mar | 20 Mar (156 d) | P6 submitted 4 x 12, kelurahan Karang Mulya, created 20 Mar |

w1, w2 are covered Nov 2024 - Oct 2025, w11 from 10 Mar 2025.
Unprotected: w6 (at A's site: reached), w7 (5,5 km north of A: the gap), w8 (Karang Mulya, no coordinates: reached
by P2's kelurahan set), w10 (Kreo, no coordinates: the gap). w9 is covered elsewhere (not eligible).
"""

import datetime as dt
import io
import math
from dataclasses import dataclass

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session, col, select

from models import Assignment, AuditLog, Campaign, Company, LetterRecipient, PledgeKelurahan, Role
from services import insight
from services.insight.forecast import weekly_table
from services.platform import history
from services.platform.authz import Actor
from services.platform.errors import AccessDenied, ValidationError
from tests import factories as f

TODAY = dt.date(2025, 3, 31)
SUKARASA, KARANG_MULYA, KREO = "36.71.01.1001", "36.71.12.1002", "36.71.13.1004"
A_SITE = (-6.17, 106.63)
E_SITE = (-6.17, 106.64)


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=dt.UTC)


@dataclass
class World:
    campaign: Campaign
    viewer: Actor
    company_user: Actor


def _recipient(session: Session, campaign: Campaign, sector: str, kel: str, site: tuple[float, float], **dates: str):
    company = f.company(session, sector=sector, kelurahan_code=kel, site_lat=site[0], site_lon=site[1])
    session.add(
        LetterRecipient(
            campaign_id=campaign.id,
            company_id=company.id,
            sent_at=at("2024-10-15"),
            **{k: at(v) for k, v in dates.items()},
        )
    )
    return company


def _assign(session: Session, worker_id: int, pledge_id: int, status: str, created: str, updated: str, **kw: object):
    session.add(
        Assignment(
            worker_id=worker_id,
            pledge_id=pledge_id,
            status=status,
            created_at=at(created),
            updated_at=at(updated),
            **kw,
        )
    )


@pytest.fixture
def world(session: Session) -> World:
    c = f.campaign(session, target_workers=100, letter_date=dt.date(2024, 10, 14))
    cid = c.id
    a = _recipient(session, c, "Alas kaki", SUKARASA, A_SITE, first_login_at="2024-10-20", responded_at="2024-10-25")
    b = _recipient(
        session, c, "Tekstil", KARANG_MULYA, (-6.21, 106.70), first_login_at="2024-11-01", responded_at="2024-11-15"
    )
    _recipient(session, c, "Tekstil", SUKARASA, (-6.171883, 106.631721), first_login_at="2024-10-18")
    _recipient(session, c, "Alas kaki", KARANG_MULYA, (-6.201743, 106.717384))
    e = _recipient(session, c, "Logam", SUKARASA, E_SITE, first_login_at="2024-10-16", responded_at="2024-10-17")
    f_ = _recipient(session, c, "Logam", KREO, (-6.229977, 106.739823), first_login_at="2025-03-19")
    session.flush()
    session.exec(select(LetterRecipient).where(LetterRecipient.company_id == f_.id)).one().responded_at = at(
        "2025-03-20"
    )
    nov = dt.date(2024, 11, 1)
    p1 = f.pledge(
        session, company_id=a.id, campaign_id=cid, workers=4, start_month=nov, radius_km=1.0, status="active",
        created_at=at("2024-10-25"),
    )  # fmt: skip
    p2 = f.pledge(
        session, company_id=b.id, campaign_id=cid, workers=2, start_month=dt.date(2025, 1, 1), radius_km=None,
        status="matched", created_at=at("2024-11-15"),
    )  # fmt: skip
    p4 = f.pledge(
        session, company_id=e.id, campaign_id=cid, workers=1, months=1, start_month=nov, radius_km=0.5,
        status="renewed", created_at=at("2024-10-17"),
    )  # fmt: skip
    p5 = f.pledge(
        session, company_id=e.id, campaign_id=cid, workers=1, months=5, start_month=dt.date(2024, 12, 1),
        radius_km=0.5, status="active", renewed_from_id=p4.id, created_at=at("2024-11-20"),
    )  # fmt: skip
    p6 = f.pledge(
        session, company_id=f_.id, campaign_id=cid, workers=4, start_month=dt.date(2025, 5, 1), radius_km=None,
        status="submitted", created_at=at("2025-03-20"),
    )  # fmt: skip
    session.add_all(
        [
            PledgeKelurahan(pledge_id=p2.id, kelurahan_code=KARANG_MULYA),
            PledgeKelurahan(pledge_id=p6.id, kelurahan_code=KARANG_MULYA),
        ]
    )
    w = {}
    for name, kel, lat, lon, extra in [
        ("w1", SUKARASA, *A_SITE, {}),
        ("w2", SUKARASA, *A_SITE, {}),
        ("w3", SUKARASA, *A_SITE, {}),
        ("w4", KARANG_MULYA, -6.201743, 106.717384, {}),
        ("w5", SUKARASA, *E_SITE, {}),
        ("w6", SUKARASA, -6.171, 106.631, {}),
        ("w7", SUKARASA, -6.12, 106.63, {}),
        ("w8", KARANG_MULYA, None, None, {}),
        ("w9", SUKARASA, -6.12, 106.63, {"covered_elsewhere": True}),
        ("w10", KREO, None, None, {}),
        ("w11", SUKARASA, *A_SITE, {}),
    ]:
        w[name] = f.worker(session, kelurahan_code=kel, lat=lat, lon=lon, created_at=at("2024-10-01"), **extra).id
    year1 = {"coverage_start": nov, "coverage_end": dt.date(2025, 10, 31), "kpj_number": "1"}
    _assign(session, w["w1"], p1.id, "active", "2024-10-26", "2024-10-28", **year1)
    _assign(session, w["w2"], p1.id, "active", "2024-10-26", "2024-10-28", **year1)
    _assign(session, w["w3"], p1.id, "registered", "2024-10-26", "2024-11-30", registered_at=at("2024-10-30"))
    _assign(
        session, w["w11"], p1.id, "active", "2025-03-05", "2025-03-08",
        coverage_start=dt.date(2025, 3, 10), coverage_end=dt.date(2026, 2, 28), kpj_number="2",
    )  # fmt: skip
    _assign(session, w["w4"], p2.id, "assigned", "2024-11-16", "2024-11-16")
    _assign(
        session, w["w5"], p4.id, "renewed", "2024-10-18", "2024-11-20",
        coverage_start=nov, coverage_end=dt.date(2024, 11, 30), kpj_number="3",
    )  # fmt: skip
    _assign(
        session, w["w5"], p5.id, "active", "2024-11-20", "2024-11-20",
        coverage_start=dt.date(2024, 12, 1), coverage_end=dt.date(2025, 4, 30), kpj_number="3",
    )  # fmt: skip
    viewer = f.actor_of(f.user(session, role=Role.VIEWER))
    company_user = f.actor_of(f.user(session, role=Role.COMPANY, company_id=a.id))
    session.flush()
    history.backfill(session.connection())  # the rows above were written with their dates, not by commands
    session.commit()
    return World(campaign=c, viewer=viewer, company_user=company_user)


def test_headline_now_and_30_days_ago(session: Session, world: World) -> None:
    h = insight.headline(session=session, actor=world.viewer, today=TODAY)
    assert h is not None
    assert (h.protected.now, h.protected.before) == (4, 3)  # w11's cover started 10 Mar
    assert (h.in_process.now, h.in_process.before) == (2, 2)  # w3, w4
    assert (h.pledged.now, h.pledged.before) == (11, 7)  # P6 (4) came on 20 Mar; P4 carried over to P5
    assert (h.rupiah.now, h.rupiah.before) == (2_116_800, 1_310_400)
    assert (h.companies_participating.now, h.companies_participating.before) == (4, 3)
    assert (h.letters_sent.now, h.letters_sent.before) == (6, 6)
    assert h.progress == pytest.approx(0.04)


def test_funnel_by_step_sector_and_kecamatan(session: Session, world: World) -> None:
    fun = insight.funnel(session=session, actor=world.viewer, as_of=TODAY)
    assert fun is not None
    assert fun.steps["companies"].tolist() == [6, 5, 4, 3, 2, 2, 1]
    assert fun.steps["conversion"].tolist()[1:] == pytest.approx([5 / 6, 4 / 5, 3 / 4, 2 / 3, 1.0, 0.5])
    assert fun.median_days_to_answer == pytest.approx(20.5)  # of 2, 10, 31, 156
    sector = fun.by_sector.set_index("sector")
    assert sector.loc["Logam", ["sent", "pledged", "renewed"]].tolist() == [2, 2, 1]
    assert sector.loc["Logam", "median_days"] == pytest.approx(79.0)
    assert sector.loc["Alas kaki", "response_rate"] == pytest.approx(0.5)
    kec = fun.by_kecamatan.set_index("kecamatan")
    assert kec.loc["Tangerang", ["sent", "logged_in", "pledged", "active"]].tolist() == [3, 3, 2, 2]
    assert kec.loc["Tangerang", "median_days"] == pytest.approx(6.0)
    assert kec.loc["Larangan", ["sent", "pledged", "matched"]].tolist() == [1, 1, 0]


def test_funnel_rebuilt_as_of_a_past_day(session: Session, world: World) -> None:
    fun = insight.funnel(session=session, actor=world.viewer, as_of=dt.date(2024, 10, 31))
    assert fun is not None
    assert fun.steps["companies"].tolist() == [6, 3, 2, 2, 1, 0, 0]


def test_map_numbers_per_kelurahan(session: Session, world: World) -> None:
    cov = insight.coverage_by_kelurahan(session=session, actor=world.viewer, as_of=TODAY).set_index("kelurahan_code")
    assert len(cov) == 104
    cols = ["workers", "eligible", "protected", "in_process", "unprotected", "gap"]
    assert cov.loc[SUKARASA, cols].tolist() == [8, 7, 4, 1, 2, 1]
    assert cov.loc[SUKARASA, "share_protected"] == pytest.approx(4 / 7)
    assert cov.loc[KARANG_MULYA, cols].tolist() == [2, 2, 0, 1, 1, 0]
    assert cov.loc[KREO, cols].tolist() == [1, 1, 0, 0, 1, 1]
    empty = cov.drop(index=[SUKARASA, KARANG_MULYA, KREO])
    assert (empty["workers"] == 0).all() and empty["share_protected"].isna().all()
    features = insight.kelurahan_features(cov.reset_index())
    sukarasa = next(x for x in features if x["properties"]["kelurahan_code"] == SUKARASA)
    assert sukarasa["properties"]["gap"] == 1 and sukarasa["geometry"]["type"] == "Polygon"
    kec = insight.by_kecamatan(cov.reset_index()).set_index("kecamatan")
    assert kec.loc["Tangerang", "eligible"] == 7 and len(kec) == 13
    # The gap split: w6 is inside P1's radius but P1 and P5 have no free place (b), w7 no pledge reaches (c);
    # w8 is in Karang Mulya, the kelurahan of P2 (1 free place) and P6 (4): (a); w10 in Kreo: (c).
    parts = ["open_places", "beyond_places", "gap"]
    assert cov.loc[SUKARASA, parts].tolist() == [0, 1, 1]
    assert cov.loc[KARANG_MULYA, parts].tolist() == [1, 0, 0]
    assert cov.loc[KREO, parts].tolist() == [0, 0, 1]
    # The same day asked through the history now and through today's statuses agree (one definition).
    assert (cov[parts].sum(axis=1) == cov["unprotected"]).all()


def test_gaps_budget_and_who_to_ask_next(session: Session, world: World) -> None:
    g = insight.gaps(session=session, actor=world.viewer, as_of=TODAY)
    assert g is not None
    assert (g.workers, g.budget) == (2, 2 * 12 * 16_800)
    assert g.parts == {"open_places": 1, "beyond_places": 1, "gap": 2} and g.unprotected == 4
    assert [g.cost(p) for p in ("open_places", "beyond_places", "gap")] == [201_600, 201_600, 403_200]
    # Largest need beyond open places ((b) + (c)) first; Karang Mulya's worker fits P2's or P6's free place.
    assert g.by_kelurahan["kelurahan_code"].tolist() == [SUKARASA, KREO, KARANG_MULYA]
    assert g.by_kelurahan["gap_cost"].tolist() == [201_600, 201_600, 0]
    assert g.by_kelurahan["beyond_places_cost"].tolist() == [201_600, 0, 0]
    assert g.by_kelurahan["open_places_cost"].tolist() == [0, 0, 201_600]
    near = g.nearest.set_index(["kelurahan_code", "rank"])
    # C (no answer, site at Sukarasa's inside point) first for Sukarasa; D (Karang Mulya) first for Kreo.
    assert near.loc[(SUKARASA, 1), "distance_km"] == pytest.approx(0.0, abs=1e-9)
    assert near.loc[(SUKARASA, 1), "sector"] == "Tekstil"
    assert near.loc[(KREO, 1), "sector"] == "Alas kaki"
    assert len(g.nearest) == 4  # only two companies have not answered


def test_forecast_counts_the_pipeline_renewals_and_what_ifs(session: Session, world: World) -> None:
    fc = insight.forecast(session=session, actor=world.viewer, today=TODAY)
    assert fc is not None
    # Protected w1 w2 w11 w5; in process w3 (registered) and w4 (assigned); w5's renewal is the one renewal
    # decision seen (rate 100 %); w11 is the one worker whose first assignment is in the last 8 weeks.
    assert (fc.protected_now, fc.in_process) == (4, 2)
    assert (fc.renewal_rate, fc.renewals_observed) == (1.0, 1)
    assert fc.pace_per_month == pytest.approx(1 / 8 * 52 / 12)
    series = fc.series.set_index("month_end")["baseline"]
    assert series.iloc[0] == 4 and series.iloc[1] == 6  # the pipeline's cover starts next month
    assert series.iloc[2] == pytest.approx(6 + fc.pace_per_month)
    # 6 + 0,54 x (m - 1) reaches 100 only after 10 years: not reached; by 31 Dec 2026 (21 months on) it takes
    # ceil((100 - 6 - 0,54 x 20) / 20) = 5 more workers a month.
    assert fc.baseline.remaining == 94 and fc.baseline.reached_on is None
    assert fc.by_date == dt.date(2026, 12, 31) and fc.needed_per_month == 5
    budget = insight.forecast(session=session, actor=world.viewer, city_budget_per_year=50 * 12 * 16_800, today=TODAY)
    assert budget is not None and budget.budget_workers == 50
    assert budget.what_if.months == 83 and budget.what_if.reached_on == dt.date(2032, 2, 29)
    one = insight.forecast(session=session, actor=world.viewer, extra_companies=1, today=TODAY)
    assert one is not None and one.extra_workers == 100 and one.what_if.remaining == 0
    assert one.what_if.months == 1 and one.what_if.reached_on == dt.date(2025, 4, 30)
    soon = insight.forecast(session=session, actor=world.viewer, by_date=dt.date(2025, 6, 30), today=TODAY)
    assert soon is not None and soon.needed_per_month == math.ceil((100 - 6 - 2 * soon.pace_per_month) / 2)
    for bad in (
        {"extra_companies": -1},
        {"city_budget_per_year": -100},
        {"extra_companies": 10**9},
        {"by_date": dt.date(2025, 3, 15)},  # this month
        {"by_date": dt.date(2025, 4, 30)},  # next month: a new worker's cover cannot start in time
    ):
        with pytest.raises(ValidationError, match="[A-Za-z]"):
            insight.forecast(session=session, actor=world.viewer, today=TODAY, **bad)


def test_weekly_progress(session: Session, world: World) -> None:
    weekly = insight.weekly_progress(session=session, actor=world.viewer, today=TODAY)
    assert weekly["week_start"].iloc[0] == pd.Timestamp("2024-10-14") and len(weekly) == 25
    last = weekly.iloc[-1]
    # Registered counts workers: w5's renewal is not a second worker (w1 w2 w3 w5 w11).
    assert (last["pledged"], last["registered"], last["active"]) == (11, 5, 4)
    first_week = weekly.iloc[0]  # 14-20 Oct: only E's first pledge (1 worker), live then (renewed only in Nov)
    assert (first_week["pledged"], first_week["active"]) == (1, 0)
    assert weekly["active"].max() == 4
    # Week 3 (28 Oct - 3 Nov): w1, w2, w5 by cover start 1 Nov, w3 by its registration file's date 30 Oct (its
    # last status change, 30 Nov, is not its registration).
    assert (weekly.iloc[1]["registered"], weekly.iloc[2]["registered"]) == (0, 4)


def test_weekly_table_is_pure_and_counts_periods_in_force() -> None:
    pledged = pd.DataFrame(
        {"since": ["2024-10-15", "2024-10-30"], "until": ["2024-10-28", None], "workers": [10, 5]}
    )  # the first pledge stopped counting on 28 Oct (cancelled or renewed)
    registered = pd.DataFrame({"day": ["2024-10-22"], "n": [7]})
    cover = pd.DataFrame(
        {"since": ["2024-10-20"], "until": [None], "start": [dt.date(2024, 10, 20)], "end": [dt.date(2024, 10, 31)],
         "n": [7]}
    )  # fmt: skip
    out = weekly_table(dt.date(2024, 10, 14), dt.date(2024, 11, 5), pledged, registered, cover)
    assert out["pledged"].tolist() == [10, 10, 5, 5]
    assert out["registered"].tolist() == [0, 7, 7, 7]
    assert out["active"].tolist() == [7, 7, 0, 0]  # running on the weeks' last days 20 Oct, 27 Oct


def test_expiring_cover_per_company(session: Session, world: World) -> None:
    df = insight.expiring_cover(session=session, actor=world.viewer, today=TODAY)
    assert len(df) == 1
    row = df.iloc[0]
    assert (row["within_7"], row["within_30"], row["within_60"]) == (0, 1, 1)
    assert row["first_end"] == dt.date(2025, 4, 30)


def test_quarterly_report_files_and_audit(session: Session, world: World) -> None:
    report = insight.quarterly_report(session=session, actor=world.viewer, year=2025, quarter=1, today=TODAY)
    table = report.headline_table().set_index("Ukuran")
    assert table.iloc[0].tolist() == [4, 1]  # protected at the end of Q1, +1 in the quarter (3 on 31 Dec)
    assert len(report.companies) == 4 and report.gap_workers == 2
    pdf = insight.quarterly_file(session=session, actor=world.viewer, year=2025, quarter=1, kind="pdf", today=TODAY)
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 3  # headline and funnel; map and kecamatan; companies
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Triwulan 1 2025" in text and "Perusahaan yang berpartisipasi (4)" in text
    xlsx = insight.quarterly_file(session=session, actor=world.viewer, year=2025, quarter=1, kind="xlsx", today=TODAY)
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None, header=2)
    assert list(sheets) == [
        "Ringkasan",
        "Penanggung",
        "Corong",
        "Corong per sektor",
        "Corong per kecamatan",
        "Kecamatan",
        "Kelurahan",
        "Celah per kelurahan",
        "Perusahaan",
        "Santunan",
        "Definisi angka",
    ]
    assert sheets["Corong"]["Perusahaan"].tolist() == [6, 5, 4, 3, 2, 2, 1]
    assert "Terlindungi saat ini" in set(sheets["Definisi angka"]["Angka"])
    assert "Definisi angka dalam laporan ini" in text and "Pernah dilindungi" in text
    assert len(sheets["Perusahaan"]) == 4 and "NIK" not in "".join(map(str, sheets["Perusahaan"].columns))
    audits = session.exec(select(AuditLog).where(AuditLog.action == "report.quarterly")).all()
    assert sorted(a.detail["format"] for a in audits) == ["pdf", "xlsx"]
    assert all(a.detail["quarter"] == "2025-Q1" and a.user_id == world.viewer.user_id for a in audits)


def test_quarterly_excel_text_cells_are_inert_without_a_visible_apostrophe(session: Session, world: World) -> None:
    """Issue 22: the CSV guard's apostrophe ("'-3") showed in Excel cells, where a text cell is already inert. Every
    text cell of every sheet: as typed, a text cell, Excel's own quote prefix where it looks like a formula."""
    names = ["-3 Jaya Abadi", '=HYPERLINK("http://x","klik")']
    report = insight.quarterly_report(session=session, actor=world.viewer, year=2025, quarter=1, today=TODAY)
    for company, name in zip(session.exec(select(Company).order_by(col(Company.id))).all(), names, strict=False):
        company.name = name
        session.add(company)
    session.commit()
    assert len(report.companies) >= 2
    xlsx = insight.quarterly_file(session=session, actor=world.viewer, year=2025, quarter=1, kind="xlsx", today=TODAY)
    texts = [c for ws in load_workbook(io.BytesIO(xlsx)).worksheets for row in ws.iter_rows() for c in row]
    texts = [c for c in texts if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in texts)
    assert not [c.value for c in texts if c.value.startswith("'")]  # no visible guard anywhere
    shown = {c.value: c for c in texts}
    assert set(names) <= set(shown) and all(shown[n].quotePrefix for n in names)


@pytest.mark.parametrize(
    ("year", "quarter", "kind"), [(2025, 5, "pdf"), (2024, 3, "pdf"), (2025, 2, "pdf"), (2025, 1, "docx")]
)
def test_quarterly_report_refuses_bad_choices(
    session: Session, world: World, year: int, quarter: int, kind: str
) -> None:
    with pytest.raises(ValidationError):
        insight.quarterly_file(session=session, actor=world.viewer, year=year, quarter=quarter, kind=kind, today=TODAY)
    assert session.exec(select(AuditLog).where(AuditLog.action == "report.quarterly")).all() == []


def test_company_users_are_refused_and_audited(session: Session, world: World) -> None:
    calls = [
        lambda: insight.headline(session=session, actor=world.company_user),
        lambda: insight.funnel(session=session, actor=world.company_user),
        lambda: insight.gaps(session=session, actor=world.company_user),
        lambda: insight.forecast(session=session, actor=world.company_user),
        lambda: insight.expiring_cover(session=session, actor=world.company_user),
        lambda: insight.quarterly_file(session=session, actor=world.company_user, year=2025, quarter=1, kind="pdf"),
    ]
    for call in calls:
        with pytest.raises(AccessDenied):
            call()
    denied = session.exec(select(AuditLog).where(col(AuditLog.action) == "access.denied")).all()
    assert len(denied) == len(calls)
