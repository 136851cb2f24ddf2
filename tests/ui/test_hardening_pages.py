"""Hardening seen through the pages (AppTest): an unexpected error shows a reference number and nothing of its
detail; a company name is never Markdown in its page title; a tampered pledge pick is refused and audited.

Bad inputs tried: a database error carrying SQL, parameters and a file path raised inside a page; a company
named `[klik](javascript:alert(1))` with `:red[...]` and `**`; another company's pledge id put in session state."""

import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlmodel import Session, select
from streamlit.navigation.page import StreamlitPage
from streamlit.testing.v1 import AppTest

from models import AuditLog, Company
from services import pledges
from services.platform.authz import Actor
from services.platform.db import make_engine
from tests.ui.conftest import all_text
from ui import state, text

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
LEAK = re.compile(r"Traceback|SELECT|INSERT|psycopg|DataError|/work/|\.py|line \d+|%\(", re.IGNORECASE)


def _fault(*_args: object, **_kwargs: object) -> None:
    raise psycopg.DataError(
        "PostgreSQL text fields cannot contain NUL (0x00) bytes\n[SQL: SELECT company.name FROM company WHERE "
        "company.id = %(id_1)s]\n[parameters: {'id_1': 7}]\n(file /work/main/services/insight/dashboard.py)"
    )


def test_an_unexpected_error_shows_a_reference_and_no_detail(
    demo_env: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    original = StreamlitPage.run

    def run(self: StreamlitPage) -> None:  # the page the frame runs fails like this, whatever its code
        if str(getattr(self, "_page", "")).endswith("home.py"):
            _fault()
        original(self)

    monkeypatch.setattr(StreamlitPage, "run", run)
    with caplog.at_level(logging.ERROR, logger="payung.errors"):
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception  # no Streamlit exception box with a traceback
    shown = all_text(at)
    found = re.search(r"kode rujukan \*\*([0-9A-F]{8})\*\*", shown)
    assert found, shown
    assert not LEAK.search(shown), shown
    assert at.sidebar  # the frame (navigation, sidebar) still stands
    logged = [r for r in caplog.records if found.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info and "NUL" in str(logged[0].exc_info[1])  # the detail is in the log


def test_markdown_is_escaped_in_helpers() -> None:
    hostile = "[klik](javascript:alert(1)) **tebal** :red[merah] $x$ :material/home: <b>"
    escaped = text.md(hostile)
    assert "](" not in escaped.replace("\\]\\(", "")
    assert re.fullmatch(r"(?:[^!-/:-@\[-`{-~]|\\[!-/:-@\[-`{-~])*", escaped)  # every punctuation mark escaped
    assert text.md("PT Maju\nJaya") == "PT Maju Jaya"


@pytest.fixture
def renamed_company(demo_db_url: str, actor_for: Callable[[str], Actor]) -> Iterator[Actor]:
    actor = actor_for("graha")
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        company = s.get(Company, actor.company_id)
        assert company is not None
        original = company.name
        company.name = "[klik](javascript:alert(1)) :red[**PT Jahat**]"
        s.add(company)
        s.commit()
    yield actor
    with Session(engine) as s:
        company = s.get(Company, actor.company_id)
        assert company is not None
        company.name = original
        s.add(company)
        s.commit()
    engine.dispose()


def test_a_company_name_is_not_markdown_in_its_page_title(page: Callable[..., AppTest], renamed_company: Actor) -> None:
    at = page("company/home.py", renamed_company)
    assert not at.exception
    title = at.title[0].value
    assert title == text.md("[klik](javascript:alert(1)) :red[**PT Jahat**]")
    assert "](" not in title.replace("\\]\\(", "") and "\\*\\*" in title


def test_a_tampered_pledge_pick_is_refused_and_audited(demo_env: str, actor_for: Callable[[str], Actor]) -> None:
    panarub, graha = actor_for("panarub"), actor_for("graha")
    with state.db() as s:
        theirs = pledges.list_pledges(session=s, actor=panarub, company_id=panarub.company_id or 0)[0]
        before = len(s.exec(select(AuditLog).where(AuditLog.action == "access.denied")).all())
    at = AppTest.from_file(str(ROOT / "pages" / "company" / "pledges.py"), default_timeout=30)
    at.session_state[state.ACTOR_KEY] = graha
    at.session_state[state.VERSION_KEY] = 0
    at.session_state["pledge_pick"] = theirs.pledge_id
    at.run()
    assert not at.exception
    assert at.selectbox[0].value != theirs.pledge_id
    with state.db() as s:
        denied = s.exec(
            select(AuditLog).where(AuditLog.action == "access.denied").order_by(AuditLog.id.desc())  # type: ignore[union-attr]
        ).all()
    assert len(denied) == before + 1
    assert denied[0].username == "graha" and denied[0].detail.get("attempted") == "pledge.workers.view"
