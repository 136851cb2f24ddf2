"""The catalogued figures of a campaign in every state (tests/factories.py `RICH_CAMPAIGN`), computed by hand below,
on SQLite and PostgreSQL: the city figures, each company's figures on the board, its public page and its impact
report, and the quarterly report's headline — the same numbers from every service that shows them.

    A: 11.000 employees, letter sent, pledged: renewed 4×12 (4 cards ended, carried on into an active renewal
       4×12), active 3×6 (3 cards running), cancelled 2×3 (released)
    B: size unknown, hides its amount, sent, pledged: expired 6×12 (3 cards ended), registered 2×24 (1 registered)
    C: 40 employees, letter never sent, pledged: matched 5×12 (5 matched), submitted 1×1
    D: sent, declined
"""

import datetime as dt

import pandas as pd
from sqlmodel import Session, select

from models import Company
from services import insight, pledges
from services.insight import figures as fig
from services.insight.__main__ import figures_payload
from tests import factories

PREMIUM = 16_800


def _months(first: dt.date, last_end: dt.date) -> int:
    return (last_end.year * 12 + last_end.month) - (first.year * 12 + first.month)


def test_every_service_gives_the_hand_computed_figures(session: Session) -> None:
    today = dt.date.today()
    viewer, _admin, accounts = factories.campaign_world(session, factories.RICH_CAMPAIGN, today)
    progress = insight.campaign_progress(session=session)
    assert progress is not None
    assert progress.figures == {
        "target": 50,
        "protected_now": 7,  # A: 4 renewed workers running again + 3
        "protected_ever": 10,  # A 7 + B 3 ended
        "in_process": 6,  # B 1 registered + C 5 matched
        "remaining_to_target": 43,  # 50 - 7: workers in process are not protected yet
        "progress": 7 / 50,
        "workers_pledged": 7 + 8 + 6,  # renewed pledge counted once (its renewal), cancelled not at all
        "rupiah_committed": (4 * 12 + 4 * 12 + 3 * 6 + 6 * 12 + 2 * 24 + 5 * 12 + 1) * PREMIUM,
        "companies_invited": 4,
        "letters_sent": 3,  # C's letter was never sent
        "companies_answered": 3,  # A and B pledged, D declined: a refusal is an answer; C's letter was not sent
        "companies_pledged": 3,
        "response_rate": 1.0,
        "premium": PREMIUM,
    }
    assert figures_payload(progress.figures)["rupiah_committed"]["text"] == fig.show("rupiah_committed", 295 * PREMIUM)
    head = insight.headline(session=session, actor=viewer)
    assert head is not None
    assert (head.protected.now, head.in_process.now, head.pledged.now, head.letters_sent.now) == (7, 6, 21, 3)
    report = insight.quarterly_report(
        session=session, actor=viewer, year=today.year, quarter=(today.month - 1) // 3 + 1, today=today
    )
    ends = {key: end for key, (end, _change) in report.headline_values().items()}
    assert ends == {k: progress.figures[k] for k in ends}
    companies = report.companies.set_index("company")
    board = insight.public_board(session=session).rows.set_index("company_id")
    names = dict(session.exec(select(Company.id, Company.name)).all())
    a, b, c = sorted(accounts)[:3]
    start = today - dt.timedelta(days=30)
    expected = {
        a: {"company.protected_now": 7, "company.protected_ever": 7, "company.workers_pledged": 7,
            "company.cover_months": _months(start, dt.date(today.year + 1, today.month, 1)),
            "company.rupiah_committed": 114 * PREMIUM, "worker_months": 4 * 12 + 4 * 12 + 3 * 6,
            "badges": ("perintis", "tuntas", "konsisten", "saran"), "per_100": "0,1"},
        b: {"company.protected_now": 0, "company.protected_ever": 3, "company.workers_pledged": 8,
            "company.rupiah_committed": None, "worker_months": 3 * 12 + 1 * 24, "badges": ("perintis",),
            "per_100": "–"},
        c: {"company.protected_now": 0, "company.protected_ever": 0, "company.workers_pledged": 6,
            "company.rupiah_committed": 61 * PREMIUM, "worker_months": 5 * 12, "badges": ("perintis",),
            "per_100": "0"},
    }  # fmt: skip
    for company_id, want in expected.items():
        row = board.loc[company_id]
        shown = insight.public_company(session=session, slug=str(row["slug"])).figures
        report_row = companies.loc[names[company_id]]
        impact = pledges.impact_report(session=session, actor=accounts[company_id], company_id=company_id).figures()
        for key, value in want.items():
            if key.startswith("company."):
                assert shown[key] == value, (company_id, key)
        assert (report_row["workers_protected"], report_row["workers_protected_ever"]) == (
            want["company.protected_now"],
            want["company.protected_ever"],
        )
        assert impact["company.protected_now"] == want["company.protected_now"]
        assert impact["company.protected_ever"] == want["company.protected_ever"]
        assert impact["company.worker_months"] == want["worker_months"]  # supported workers, not places pledged
        assert impact["company.cover_months"] == shown["company.cover_months"]
        assert want["company.rupiah_committed"] in (None, impact["company.rupiah_committed"])
        assert tuple(row["badges"]) == want["badges"]
        assert fig.show("company.per_100", shown["company.per_100"]) == want["per_100"]
        assert not pd.isna(row["workers_pledged"])
