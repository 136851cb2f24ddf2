"""The public leaderboard on SQLite and PostgreSQL, against a small fixture whose every figure is computed by hand
in the comments below."""

import datetime as dt

import pandas as pd
import pytest
from sqlmodel import Session, select

from models import Assignment, AssignmentStatus, Company, LetterRecipient, PledgeStatus, Role
from services import insight
from services.platform.errors import AccessDenied, NotFound
from tests import factories as f

LETTER = dt.date(2024, 10, 14)
UTC = dt.UTC


def _answered(session: Session, campaign_id: int, company_id: int, at: dt.datetime) -> None:
    recipient = session.get(LetterRecipient, _recipient_id(session, campaign_id, company_id))
    assert recipient is not None
    recipient.responded_at = at
    session.add(recipient)


def _recipient_id(session: Session, campaign_id: int, company_id: int) -> int:
    row = session.exec(
        select(LetterRecipient).where(
            LetterRecipient.campaign_id == campaign_id, LetterRecipient.company_id == company_id
        )
    ).one()
    return int(row.id or 0)


def _assign(
    session: Session, pledge_id: int, n: int, status: str, start: dt.date | None = None, **kw: object
) -> list[int]:
    ids = []
    for _ in range(n):
        w = f.worker(session, **kw)
        session.add(Assignment(worker_id=w.id, pledge_id=pledge_id, status=status, coverage_start=start))
        ids.append(int(w.id or 0))
    session.flush()
    return ids


@pytest.fixture
def board_fixture(session: Session) -> dict[str, int]:
    """Five recipients of the letter (14 Oct 2024), four participate:

    | company | employees | answered (UTC)    | days | pledges                                  | cards | rupiah     |
    | Alpha   | 11.000    | 21 Oct 2024 10:00 | 7    | 148x12 renewed -> 148x12 active          | 148   | 59.673.600 |
    | Beta    | 2.600     | 31 Oct 2024 18:00 | 18*  | 260x12 active, 260 active                | 260   | hidden     |
    | Gamma   | 40        | 5 Nov 2024 08:00  | 22   | 30x6 registered (30 registered, no card) | 0     | 3.024.000  |
    | Delta   | (unset)   | 1 Dec 2024 09:00  | 48   | 95x3 expired (60 cards); 50 cancelled    | 60    | 4.788.000  |
    | Silent  | 300       | never             |      | none                                     |       |            |

    Alpha: 2 x 148 x 12 x 16.800 = 59.673.600 (the renewed year was paid too); months 24 (Nov 2024 - Oct 2026).
    Delta: 95 x 3 x 16.800 = 4.788.000 (the cancelled pledge costs nothing).
    * 31 Oct 18:00 UTC is 1 Nov 01:00 WIB: 18 days on the city's calendar.
    """
    c = f.campaign(session, letter_date=LETTER, suggested_min_workers=100)
    cid = int(c.id or 0)
    alpha = f.company(session, campaign_id=cid, name="PT Alpha Sepatu", employees=11_000, sector="Alas kaki")
    beta = f.company(
        session,
        campaign_id=cid,
        name="PT Beta Tekstil",
        employees=2_600,
        sector="Tekstil & garmen",
        show_amount=False,
        kelurahan_code="36.71.07.1001",
    )
    gamma = f.company(session, campaign_id=cid, name="PT Gamma Kecil", employees=40, sector="Alas kaki")
    delta = f.company(session, campaign_id=cid, name="PT Delta Tanpa Ukuran", employees=None, sector="Logistik")
    f.company(session, campaign_id=cid, name="PT Silent", employees=300)
    for company, at in (
        (alpha, dt.datetime(2024, 10, 21, 10, tzinfo=UTC)),
        (beta, dt.datetime(2024, 10, 31, 18, tzinfo=UTC)),
        (gamma, dt.datetime(2024, 11, 5, 8, tzinfo=UTC)),
        (delta, dt.datetime(2024, 12, 1, 9, tzinfo=UTC)),
    ):
        _answered(session, cid, int(company.id or 0), at)

    first = f.pledge(
        session,
        company_id=alpha.id,
        campaign_id=cid,
        workers=148,
        months=12,
        start_month=dt.date(2024, 11, 1),
        status=PledgeStatus.RENEWED,
    )
    renewal = f.pledge(
        session,
        company_id=alpha.id,
        campaign_id=cid,
        workers=148,
        months=12,
        start_month=dt.date(2025, 11, 1),
        status=PledgeStatus.ACTIVE,
        renewed_from_id=first.id,
    )
    alpha_workers = _assign(session, int(first.id or 0), 148, AssignmentStatus.RENEWED, dt.date(2024, 11, 1))
    for wid in alpha_workers:  # the same workers carried into the renewal, card still running
        session.add(Assignment(worker_id=wid, pledge_id=renewal.id, status=AssignmentStatus.ACTIVE))
    beta_pledge = f.pledge(
        session, company_id=beta.id, campaign_id=cid, workers=260, months=12, status=PledgeStatus.ACTIVE
    )
    _assign(
        session,
        int(beta_pledge.id or 0),
        260,
        AssignmentStatus.ACTIVE,
        dt.date(2025, 1, 1),
        kelurahan_code="36.71.07.1001",
    )
    gamma_pledge = f.pledge(
        session, company_id=gamma.id, campaign_id=cid, workers=30, months=6, status=PledgeStatus.REGISTERED
    )
    _assign(session, int(gamma_pledge.id or 0), 30, AssignmentStatus.REGISTERED)
    delta_pledge = f.pledge(
        session,
        company_id=delta.id,
        campaign_id=cid,
        workers=95,
        months=3,
        start_month=dt.date(2025, 1, 1),
        status=PledgeStatus.EXPIRED,
    )
    _assign(
        session,
        int(delta_pledge.id or 0),
        60,
        AssignmentStatus.EXPIRED,
        dt.date(2025, 1, 1),
        occupation="Pengemudi ojek",
    )
    f.pledge(session, company_id=delta.id, campaign_id=cid, workers=50, status=PledgeStatus.CANCELLED)
    session.commit()
    return {"alpha": int(alpha.id or 0), "beta": int(beta.id or 0), "gamma": int(gamma.id or 0)} | {
        "delta": int(delta.id or 0)
    }


def test_board_figures_match_the_hand_computed_fixture(session: Session, board_fixture: dict[str, int]) -> None:
    board = insight.public_board(session=session)
    rows = board.rows.set_index("company")
    assert list(board.rows["company"]) == [
        "PT Beta Tekstil",
        "PT Alpha Sepatu",
        "PT Delta Tanpa Ukuran",
        "PT Gamma Kecil",
    ]
    assert "PT Silent" not in rows.index  # received the letter, never pledged
    a, b, d, g = (rows.loc[n] for n in rows.index.sort_values())
    assert (a.workers_protected, a.workers_pledged, a.months, a.renewals, bool(a.renewed)) == (148, 148, 24, 1, True)
    assert (a.days_to_answer, a.answer_order, a.rupiah) == (7, 1, 59_673_600)
    assert (b.workers_protected, b.workers_pledged, b.days_to_answer, b.answer_order) == (260, 260, 18, 2)
    assert bool(b.hidden) and b.rupiah is pd.NA
    assert board.hidden_amounts == 1
    assert (g.workers_protected, g.workers_registered, g.share_fulfilled, g.rupiah) == (0, 30, 0.0, 3_024_000)
    assert (d.workers_protected, d.workers_pledged, d.months, d.rupiah) == (60, 95, 3, 4_788_000)
    assert d.share_fulfilled == pytest.approx(60 / 95)
    assert board.kecamatan == sorted(set(board.rows["kecamatan"]))


def test_badges_bands_and_fair_ranks(session: Session, board_fixture: dict[str, int]) -> None:
    rows = insight.public_board(session=session).rows.set_index("company")
    badges = rows["badges"].map(tuple).to_dict()
    # Perintis: all four are among the first ten to answer. Tuntas: protected now >= pledged (Alpha 148/148,
    # Beta 260/260; Gamma registered 30/30 but no card yet, Delta 60/95: no). Konsisten: Alpha renewed.
    # 100+: cards >= 100 (Alpha, Beta).
    assert badges == {
        "PT Alpha Sepatu": ("perintis", "tuntas", "konsisten", "saran"),
        "PT Beta Tekstil": ("perintis", "tuntas", "saran"),
        "PT Gamma Kecil": ("perintis",),
        "PT Delta Tanpa Ukuran": ("perintis",),
    }
    assert rows["size_band"].to_dict() == {
        "PT Alpha Sepatu": "Besar",
        "PT Beta Tekstil": "Besar",
        "PT Gamma Kecil": "Menengah",
        "PT Delta Tanpa Ukuran": insight.UNKNOWN_BAND,
    }
    # per 100 employees: Beta 260/2600 = 10,0; Alpha 148/11000 = 1,35; Gamma 0/40 = 0; Delta unknown (last).
    assert rows["per_100"].round(2).fillna(-1).to_dict() == {
        "PT Alpha Sepatu": 1.35,
        "PT Beta Tekstil": 10.0,
        "PT Gamma Kecil": 0.0,
        "PT Delta Tanpa Ukuran": -1,
    }
    assert rows["rank"].to_dict() == {
        "PT Beta Tekstil": 1,
        "PT Alpha Sepatu": 2,
        "PT Delta Tanpa Ukuran": 3,
        "PT Gamma Kecil": 4,
    }
    assert rows["rank_per100"].to_dict() == {
        "PT Beta Tekstil": 1,
        "PT Alpha Sepatu": 2,
        "PT Gamma Kecil": 3,
        "PT Delta Tanpa Ukuran": 4,
    }
    assert rows["rank_in_band"].to_dict() == {
        "PT Beta Tekstil": 1,
        "PT Alpha Sepatu": 2,
        "PT Gamma Kecil": 1,
        "PT Delta Tanpa Ukuran": 1,
    }


def test_sort_filter_and_views_are_numeric_and_stable(session: Session, board_fixture: dict[str, int]) -> None:
    rows = insight.public_board(session=session).rows
    pledged = insight.board_view(rows, sort_by="workers_pledged", descending=True)
    assert list(pledged["workers_pledged"]) == [260, 148, 95, 30]  # numbers, not text ("95" > "260")
    fastest = insight.board_view(rows, sort_by="days_to_answer")
    assert list(fastest["days_to_answer"]) == [7, 18, 22, 48]
    hidden_last = insight.board_view(rows, sort_by="rupiah", descending=True)
    assert list(hidden_last["company"])[-1] == "PT Beta Tekstil"  # a hidden amount never ranks
    shoes = insight.board_view(rows, sector="Alas kaki")
    assert list(shoes["company"]) == ["PT Alpha Sepatu", "PT Gamma Kecil"]
    assert list(shoes["peringkat"]) == [2, 4]  # the city-wide rank, not renumbered by the filter
    by_size = insight.board_view(rows, view="ukuran")
    assert list(by_size["size_band"]) == ["Besar", "Besar", "Menengah", insight.UNKNOWN_BAND]
    assert insight.board_view(rows, kecamatan="Tidak ada").empty


def test_public_company_page_is_aggregates_only(session: Session, board_fixture: dict[str, int]) -> None:
    slug = insight.slug_for(board_fixture["delta"], "PT Delta Tanpa Ukuran")
    assert slug == f"pt-delta-tanpa-ukuran-{board_fixture['delta']}"
    page = insight.public_company(session=session, slug=slug)
    assert (page.name, page.workers_protected, page.workers_protected_now, page.months) == (
        "PT Delta Tanpa Ukuran",
        60,
        0,
        3,
    )
    assert page.by_occupation.to_dict("records") == [{"pekerjaan": "Pengemudi ojek", "pekerja": 60, "tampil": "60"}]
    assert int(page.by_kecamatan["pekerja"].sum()) == 60
    assert set(page.by_kecamatan.columns) == {"kecamatan", "pekerja", "tampil"}
    beta = insight.public_company(session=session, slug=str(board_fixture["beta"]))
    assert beta.rupiah is None and beta.rank == 1


@pytest.mark.parametrize(
    "slug", ["", "abc", "pt-alpha-sepatu-", "0", "pt-x-99999", "1;drop table company", "../../etc/passwd", "x" * 300]
)
def test_unknown_or_malformed_company_slugs_are_not_found(
    session: Session, board_fixture: dict[str, int], slug: str
) -> None:
    with pytest.raises(NotFound, match="tidak ada di papan peringkat"):
        insight.public_company(session=session, slug=slug)


def test_a_company_that_never_pledged_has_no_public_page(session: Session, board_fixture: dict[str, int]) -> None:
    sid = session.exec(select(Company.id).where(Company.name == "PT Silent")).one()
    with pytest.raises(NotFound, match="belum berikrar"):
        insight.public_company(session=session, slug=f"pt-silent-{sid}")


def test_company_badges_for_its_own_pages_only(session: Session, board_fixture: dict[str, int]) -> None:
    own = f.actor_of(f.user(session, role=Role.COMPANY, company_id=board_fixture["alpha"]))
    badges = insight.company_badges(session=session, actor=own, company_id=board_fixture["alpha"])
    assert [b.code for b in badges] == ["perintis", "tuntas", "konsisten", "saran"]
    assert badges[0].svg.startswith("<svg") and "PT Alpha Sepatu" in badges[0].svg
    assert badges[0].file_name.endswith(".svg")
    with pytest.raises(AccessDenied):
        insight.company_badges(session=session, actor=own, company_id=board_fixture["beta"])


def test_data_version_moves_on_commits_that_touch_the_board(session: Session, board_fixture: dict[str, int]) -> None:
    before = insight.data_version(session.get_bind())
    f.user(session, role=Role.VIEWER)  # a user row is not on the board
    session.commit()
    assert insight.data_version(session.get_bind()) == before
    company = session.get(Company, board_fixture["gamma"])
    assert company is not None
    company.show_amount = False
    session.add(company)
    session.commit()
    assert insight.data_version(session.get_bind()) > before
    assert insight.public_board(session=session).hidden_amounts == 2


def test_timeline_is_cumulative(session: Session, board_fixture: dict[str, int]) -> None:
    df = insight.board_timeline(session=session)
    pledged = df[df["series"] == "Pekerja diikrarkan"]
    # live pledges by answer month: Oct 148 + 260 (Beta answered 31 Oct UTC), Nov 30, Dec 95
    assert list(pledged["workers"]) == [408, 438, 533]
    protected = df[df["series"] == "Pernah dilindungi"]
    # first card per worker: Alpha's 148 in Nov 2024, Beta's 260 and Delta's 60 in Jan 2025 (Gamma has none)
    assert [(m.strftime("%Y-%m"), w) for m, w in zip(protected["month"], protected["workers"], strict=True)] == [
        ("2024-11", 148),
        ("2025-01", 468),
    ]


def test_empty_board_without_a_campaign(session: Session) -> None:
    board = insight.public_board(session=session)
    assert board.rows.empty and board.hidden_amounts == 0
    assert insight.board_timeline(session=session).empty


def test_public_company_from_the_cached_board_is_the_same(session: Session, board_fixture: dict[str, int]) -> None:
    rows = insight.public_board(session=session).rows
    for cid in board_fixture.values():
        alone = insight.public_company(session=session, slug=str(cid))
        cached = insight.public_company(session=session, slug=str(cid), rows=rows)
        assert (alone.rank, alone.badges, alone.workers_protected) == (
            cached.rank,
            cached.badges,
            cached.workers_protected,
        )
        assert alone.by_kecamatan.equals(cached.by_kecamatan)
