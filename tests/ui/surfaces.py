"""Read catalogued figures off every surface, as a user reads them (issue 21's consistency test): page text through
AppTest, the quarterly PDF's text (pypdf), its Excel cells (openpyxl), the CLI's JSON, the company impact PDF.
Each reader returns {catalogue key: the text shown}, so the test can compare one figure across surfaces."""

import contextlib
import datetime as dt
import io
import json
import re
from html import unescape
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from services import insight, pledges
from services.insight import catalogue
from services.insight.__main__ import main as insight_cli
from services.insight.payers import PAYER_FIGURES
from services.insight.quarterly import HEADLINE_ROWS, OUTLOOK_KEYS
from services.insight.report_pdf import PAYERS_HEADING
from services.platform.authz import Actor
from ui import leaderboard as lb
from ui import state

ROOT = Path(__file__).resolve().parents[2]
CITY_KEYS = [k for _, k in HEADLINE_ROWS]
PAYER_KEYS = list(PAYER_FIGURES)  # the split by payer: pages, quarterly PDF and Excel, CLI
FORECAST_KEYS = list(OUTLOOK_KEYS)  # with and without next year's allocation: dashboard, quarterly page/PDF/Excel
BOARD_KEYS = dict(lb.CATALOGUED_COLUMNS)  # board column -> catalogue key


def metrics_by_key(at: AppTest, keys: list[str]) -> dict[str, str]:
    """The value of each st.metric whose label and tooltip are a catalogued figure's (its definition in help)."""
    out: dict[str, str] = {}
    for m in at.metric:
        for key in keys:
            f = catalogue.figure(key)
            if m.label == f.label and f.definition in (m.proto.help or ""):
                out[key] = m.value
    return out


def run_page(name: str, actor: Actor | None = None, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=60)
    if actor is not None:
        at.session_state[state.ACTOR_KEY] = actor
        at.session_state[state.VERSION_KEY] = 0
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def page_text(at: AppTest) -> str:
    parts = [
        str(el.value) for kind in ("markdown", "caption", "info", "title", "subheader") for el in getattr(at, kind)
    ]
    bodies = [re.sub(r"<style>.*?</style>", " ", str(h.proto.body), flags=re.S) for h in at.html]
    parts += [unescape(re.sub(r"<[^>]+>", " ", b)) for b in bodies]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def city_pages(viewer: Actor, admin: Actor) -> dict[str, dict[str, str]]:
    city_keys = [f.key for f in catalogue.figures() if "." not in f.key]
    home = run_page("public/home.py")
    overview = run_page("city/overview.py", viewer)
    responses = run_page("city/responses.py", admin)
    report = run_page("city/report.py", viewer)
    caption = " ".join(str(c.value) for c in home.caption)
    shown_in_caption = {
        key: m.group(1)
        for key in city_keys
        if (m := re.search(re.escape(catalogue.figure(key).label) + r": ([^·\[]+?) ·", caption))
    }
    return {
        "Beranda": {**metrics_by_key(home, city_keys), **shown_in_caption},
        "Ringkasan kota": metrics_by_key(overview, city_keys),
        "Tanggapan": metrics_by_key(responses, city_keys),
        "Laporan triwulan (halaman)": metrics_by_key(report, city_keys),
    }


def quarterly_files(session: Session, viewer: Actor, today: dt.date) -> dict[str, dict[str, str]]:
    """The running quarter's report: the headline rows of the PDF text and of the Excel summary sheet."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    pdf = insight.quarterly_file(session=session, actor=viewer, year=year, quarter=quarter, kind="pdf", today=today)
    xlsx = insight.quarterly_file(session=session, actor=viewer, year=year, quarter=quarter, kind="xlsx", today=today)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    in_pdf = {}
    for key in CITY_KEYS:
        match = re.search(re.escape(catalogue.figure(key).label) + r"\s+(\S+)\s+[+-]", text)
        if match:
            in_pdf[key] = match.group(1)
    payers_part = text[text.index(PAYERS_HEADING) :]  # the section by payer (a company may be called "Mandiri")
    for key in PAYER_KEYS + FORECAST_KEYS:
        value = r"(\d{1,2} \S+ \d{4}|[-–]|\S+)" if catalogue.figure(key).unit == "tanggal" else r"(\S+)"
        match = re.search(re.escape(catalogue.figure(key).label) + r"\s+" + value, payers_part)
        if match:
            in_pdf[key] = "–" if match.group(1) == "-" else match.group(1)  # the PDF's font has no en dash
    book = load_workbook(io.BytesIO(xlsx))
    by_label = {
        row[0].value: row[1]
        for sheet in ("Ringkasan", "Penanggung")
        for row in book[sheet].iter_rows(min_row=4)
        if row[0].value
    }
    in_excel = {}
    for key in FORECAST_KEYS:  # a date cell, or a dash when not reached within 10 years
        cell = by_label.get(catalogue.figure(key).label)
        assert cell is not None, key
        value = cell.value.date() if isinstance(cell.value, dt.datetime) else None if cell.value == "–" else cell.value
        in_excel[key] = catalogue.figure(key).format(value)
    for key in CITY_KEYS + PAYER_KEYS:
        cell = by_label.get(catalogue.figure(key).label)
        assert cell is not None and isinstance(cell.value, int), (key, cell)  # a real number, not text
        assert cell.number_format == ('"Rp"#,##0' if catalogue.figure(key).unit == "rupiah" else "#,##0")
        in_excel[key] = catalogue.figure(key).format(cell.value)
    definitions = load_workbook(io.BytesIO(xlsx))["Definisi angka"]
    defined = {row[0].value for row in definitions.iter_rows(min_row=4)}
    assert {catalogue.figure(k).label for k in CITY_KEYS} <= defined
    assert "Definisi angka dalam laporan ini" in text
    return {"Laporan triwulan (PDF)": in_pdf, "Laporan triwulan (Excel)": in_excel}


def cli(url: str) -> dict[str, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert insight_cli(["figures", "--json", "--database-url", url]) == 0
    return {key: item["text"] for key, item in json.loads(out.getvalue()).items()}


def board_row(home: AppTest, slug: str) -> dict[str, str]:
    """The public board's cells of one company, keyed by catalogue key."""
    html = "".join(str(h.proto.body) for h in home.html if "payung-ranking" in str(h.proto.body))
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S) if f'id={slug}"' in r)
    cells = [unescape(re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    columns = [c for c, _, _ in lb.BOARD_COLUMNS]
    return {BOARD_KEYS[c]: v for c, v in zip(columns, cells, strict=True) if c in BOARD_KEYS}


def company_surfaces(slug: str, company_actor: Actor | None, home: AppTest) -> dict[str, dict[str, str]]:
    keys = [f.key for f in catalogue.figures() if f.key.startswith("company.")]
    public = run_page("public/company.py", query={"id": slug})
    facts = page_text(public)
    on_public = metrics_by_key(public, keys)
    for key in ("company.share_fulfilled", "company.per_100", "company.answer_order", "company.rupiah_committed"):
        m = re.search(re.escape(catalogue.figure(key).label) + r"\s+(\S.*?) {2}", facts)
        if m:
            on_public[key] = m.group(1).strip()
    out = {"Papan peringkat": board_row(home, slug), "Halaman perusahaan": on_public}
    if company_actor is not None:
        report = run_page("company/report.py", company_actor)
        out["Laporan dampak"] = metrics_by_key(report, keys)
        with state.db() as s:
            rep = pledges.impact_report(session=s, actor=company_actor, company_id=company_actor.company_id or 0)
        text = PdfReader(io.BytesIO(pledges.impact_pdf(rep))).pages[0].extract_text()
        out["Laporan dampak (PDF)"] = {
            k: m.group(1)
            for k in rep.figures()
            if (m := re.search(re.escape(catalogue.figure(k).label) + r"\s+(\S+)", text))
        }
    return out


SUPPRESSED = "< 3"  # a public surface's small count (services/insight/suppression.py): 1 or 2 elsewhere


def _same(one: str, other: str) -> bool:
    """Two texts of one figure agree when equal, or when a public surface suppressed a count the company's own
    report shows (1 or 2)."""
    pair = {one, other}
    return one == other or (SUPPRESSED in pair and bool(pair & {"1", "2"}))


def disagreements(surfaces: dict[str, dict[str, str]]) -> list[str]:
    """Every figure shown with two different texts on two surfaces, as readable lines."""
    seen: dict[str, tuple[str, str]] = {}
    problems = []
    for surface, values in surfaces.items():
        for key, text in values.items():
            if key in seen and not _same(seen[key][1], text):
                problems.append(f"{key}: {seen[key][0]} {seen[key][1]!r} but {surface} {text!r}")
            seen.setdefault(key, (surface, text))
    return problems
