"""Issue 21: every page writes numbers, shares and dates the Indonesian way, whatever the browser: no "None", "NaN",
dot decimal or English month in its text, nor in the cells of its tables (the display values the server's Styler
sends; the browser only draws them). Each page is run as a user who may open it, on the demo."""

import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from models import Role, User
from services import insight
from services.platform.authz import Actor
from tests.ui import surfaces
from ui import state

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(str(p.relative_to(ROOT / "pages")) for p in (ROOT / "pages").rglob("*.py"))
ROLE_OF = {"public": None, "company": Role.COMPANY, "city": Role.ADMIN}
BAD_WORD = re.compile(r"\b(None|NaN|nan|NaT|<NA>)\b")
ENGLISH_MONTH = re.compile(r"\b(January|February|March|May|June|July|August|October|December|Dec|Aug|Oct)\b")
DOT_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d{1,2}(?![\d.])")  # 76.62 or 1.92 (1.234 is a thousands dot)


def problems(text: str) -> list[str]:
    """Every fragment of `text` that is not written the Indonesian way."""
    return [m.group(0) for rx in (BAD_WORD, ENGLISH_MONTH, DOT_DECIMAL) for m in rx.finditer(text)]


def table_cells(at: AppTest) -> str:
    """The text of every table cell as the browser shows it (Styler display values, or the raw cells)."""
    out = []
    for frame in at.dataframe:
        shown = frame.proto.arrow_data.styler.display_values
        if shown:
            out.append(pa.ipc.open_stream(shown).read_all().to_pandas().to_csv(index=False))
        elif frame.proto.editing_mode:  # an input grid (st.data_editor): its numbers are typed, shown as "%d"
            out.append(frame.value.to_csv(index=False))
        else:  # no Styler: only text cells may pass (numbers would be formatted by the browser's locale)
            df = frame.value
            numeric = df.select_dtypes("number").columns
            assert list(numeric) == [], f"numbers formatted by the browser: {list(numeric)}"
            out.append(df.to_csv(index=False))
    for table in at.table:
        out.append(table.value.to_csv(index=False))
    return "\n".join(out)


def test_the_checker_catches_what_the_issue_saw() -> None:
    assert problems("76.62% · 747.667 hari · 31 Dec 2026 · None · 1.92 km") == ["None", "Dec", "76.62", "1.92"]
    assert problems("76,6% · 748 hari · 31 Des 2026 · – · 1,9 km · 1.234 · 36.71.02.1001 · Rp16.800") == []


@pytest.mark.parametrize("name", PAGES)
def test_every_page_writes_the_indonesian_way(name: str, demo_env: str, actor_for: Callable[[str], Actor]) -> None:
    role = ROLE_OF[name.split("/")[0]]
    actor = None
    if role is not None:
        with state.db() as s:
            user = s.exec(select(User).where(User.role == role).order_by(col(User.id))).first()
            assert user is not None
        actor = actor_for(user.username)
    query = {}
    if name == "public/company.py":
        with state.db() as s:
            query = {"id": str(insight.public_board(session=s).rows["slug"].iloc[0])}
    at = surfaces.run_page(name, actor, query)
    text = surfaces.page_text(at) + "\n" + table_cells(at)
    assert problems(text) == [], name
