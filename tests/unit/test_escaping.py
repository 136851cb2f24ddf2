"""Issue 23, item 2: escaping as a class. Every name of tests/hostile_names.py through every output — HTML, the SVG
badge (text and attributes), both PDFs, CSV, Excel, e-mail (subject and body), the WhatsApp link and download
file names — comes out literal (the reader sees the name) and inert (no new element, attribute, header, formula
or URL part). Before the fix a `"` broke the badge's aria-label out into an `onload` attribute."""

import csv
import email
import html
import io
import re
import urllib.parse
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from typing import Any

import pandas as pd
import pytest
from fpdf import FPDF
from openpyxl import load_workbook
from pypdf import PdfReader

from services.campaign import reminder_text, whatsapp_url
from services.insight import BADGES, badge_svg
from services.insight.report_pdf import _table
from services.platform import exports, text
from services.platform.mail import build_message
from tests.hostile_names import CORPUS, NUL
from ui import leaderboard as lb

NAMES = list(CORPUS.items())
IDS = [k for k, _ in NAMES]
BENIGN = "PT Maju Jaya"


class _Structure(HTMLParser):
    """Tags with their attribute names, and the text, of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(a for a, _ in attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(fragment: str) -> _Structure:
    parser = _Structure()
    parser.feed(fragment)
    parser.close()
    return parser


HTML_OUTPUTS: dict[str, Any] = {
    "company header": lambda n: lb.company_header_html(n, f"Sektor {n}"),
    "counts table": lambda n: lb.counts_html(
        pd.DataFrame({"pekerjaan": [n], "pekerja": [5]}), "pekerjaan", "Pekerjaan"
    ),
    "facts table": lambda n: lb.facts_html([("Perusahaan", n)]),
}


@pytest.mark.parametrize("output", list(HTML_OUTPUTS))
@pytest.mark.parametrize(("kind", "name"), NAMES, ids=IDS)
def test_html_outputs_keep_the_name_as_text(output: str, kind: str, name: str) -> None:
    build = HTML_OUTPUTS[output]
    hostile, benign = _parse(build(name)), _parse(build(BENIGN))
    assert hostile.tags == benign.tags  # no element or attribute added
    assert name in "".join(hostile.text)  # literal: the reader sees exactly the name


@pytest.mark.parametrize(("kind", "name"), NAMES, ids=IDS)
def test_the_svg_badge_keeps_the_name_in_text_and_attribute(kind: str, name: str) -> None:
    svg = badge_svg(next(iter(BADGES)), company=name, suggested_min=100, campaign=name)
    benign = ET.fromstring(badge_svg(next(iter(BADGES)), company=BENIGN, suggested_min=100, campaign=BENIGN))
    root = ET.fromstring(svg)  # well-formed: the probe's `CV "Sinar" Jaya` badge did not render
    assert [(e.tag, sorted(e.attrib)) for e in root.iter()] == [(e.tag, sorted(e.attrib)) for e in benign.iter()]
    short = name if len(name) <= 38 else name[:37] + "…"
    shown = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", short)
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert (
        title is not None
        and title.text is not None
        and title.text.endswith(shown.replace("\r\n", "\n").replace("\r", "\n"))
    )
    assert " ".join(shown.split()) in " ".join(root.attrib["aria-label"].split())


def test_a_nul_cannot_break_the_badge_either() -> None:
    ET.fromstring(badge_svg(next(iter(BADGES)), company=NUL, suggested_min=100, campaign="SE"))


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _inert_pdf(data: bytes) -> None:
    for marker in (b"/JavaScript", b"/JS ", b"/Launch", b"/URI", b"/SubmitForm"):  # fpdf's /OpenAction is a zoom
        assert marker not in data


@pytest.mark.parametrize(("kind", "name"), [*NAMES, ("nul", NUL)], ids=[*IDS, "nul"])
def test_both_pdfs_print_the_name_and_carry_no_action(kind: str, name: str) -> None:
    import datetime as dt

    from services.insight.benefits import Benefits
    from services.pledges.report import ImpactReport, impact_pdf

    frame = pd.DataFrame({"kecamatan": [name[:60]], "pekerja": [5]})
    report = ImpactReport(
        company_name=name,
        letter_number="SE 1/2024",
        generated_on=dt.date(2024, 11, 15),
        pledges=1,
        workers_pledged=100,
        workers_supported=5,
        workers_protected_now=5,
        cards_issued=5,
        rupiah_committed=1_680_000,
        worker_months=100,
        cover_months=12,
        first_cover=None,
        last_cover_end=None,
        by_kecamatan=frame,
        by_occupation=frame.rename(columns={"kecamatan": "pekerjaan"}),
        benefits=Benefits(by_programme={"JKM": (1, 1, 42_000_000)}, families=1, amount=42_000_000),
    )
    impact = impact_pdf(report, compress=False)
    _inert_pdf(impact)
    # The quarterly report prints every company name through its table.
    pdf = FPDF()
    pdf.add_page()
    _table(pdf, pd.DataFrame({"Perusahaan": [name], "Pekerja": [5]}), [150, 30])
    quarterly = bytes(pdf.output())
    _inert_pdf(quarterly)
    expected = " ".join(text.pdf_text(name).split())[:30]
    assert expected[:20] in " ".join(_pdf_text(impact).split())
    assert expected[:20] in " ".join(_pdf_text(quarterly).split())


@pytest.mark.parametrize(("kind", "name"), NAMES, ids=IDS)
def test_csv_and_excel_hold_the_name_as_inert_text(kind: str, name: str) -> None:
    df = pd.DataFrame({"Perusahaan": [name], "Pekerja": [5]})
    rows = list(csv.reader(io.StringIO(exports.to_csv(df).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert len(rows) == 2  # a CR or LF in the name never starts a row
    cell = rows[1][0]
    assert not cell.lstrip().startswith(("=", "+", "-", "@"))
    ws = load_workbook(io.BytesIO(exports.to_xlsx(df))).active
    assert ws is not None
    value = ws.cell(row=2, column=1)
    # Inert either way: no formula prefix, or Excel's own quote prefix (the cell reads as typed: '-3', not "'-3").
    assert value.data_type == "s"
    assert value.quotePrefix or not str(value.value).startswith(("=", "+", "-", "@"))
    core = " ".join(text.without_control_characters(name).split()).lstrip("=+-@ ")[:40]
    assert core.strip() in " ".join(cell.split()) and core.strip() in " ".join(str(value.value).split())


@pytest.mark.parametrize(("kind", "name"), NAMES, ids=IDS)
def test_email_subject_and_body_carry_the_name_and_add_no_header(kind: str, name: str) -> None:
    import datetime as dt

    subject, body = reminder_text(
        company=name, contact=name, letter_number="SE 1", subject=name, deadline=dt.date(2024, 12, 1)
    )
    msg = build_message(sender="payung@tangerangkota.go.id", to="hr@contoh.id", subject=subject, body=body)
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["Bcc"] is None and parsed["To"] == "hr@contoh.id"
    assert sorted(k.lower() for k in parsed) == sorted(
        ["from", "to", "subject", "message-id", "content-type", "content-transfer-encoding", "mime-version"]
    )
    assert "\n" not in str(parsed["Subject"]) and str(parsed["Subject"]) == text.header_text(subject)
    content = " ".join(parsed.get_content().split())
    assert " ".join(name.split())[:60] in content  # the body is plain text: the name as typed, no markup


@pytest.mark.parametrize(("kind", "name"), NAMES, ids=IDS)
def test_the_whatsapp_link_encodes_the_whole_text(kind: str, name: str) -> None:
    url = whatsapp_url("0812 3456 7890", f"Yth. {name}")
    assert url is not None
    parts = urllib.parse.urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me", "/6281234567890")
    assert re.fullmatch(r"text=[A-Za-z0-9%._~-]*", parts.query)  # one parameter, nothing raw
    assert urllib.parse.parse_qs(parts.query, keep_blank_values=True)["text"] == [f"Yth. {name}"]


@pytest.mark.parametrize(
    ("kind", "name"),
    [*NAMES, ("nul", NUL), ("dots", "../../etc/passwd"), ("empty", "")],
    ids=[*IDS, "nul", "dots", "empty"],
)
def test_download_file_names_are_plain(kind: str, name: str) -> None:
    safe = text.safe_filename(f"ditolak-{name}.xlsx")
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,110}\.xlsx", safe), safe
    assert text.safe_filename(name or "") == text.safe_filename(name or "")  # deterministic
    assert not text.safe_filename(name).startswith(".")


def test_every_download_button_names_its_file_safely() -> None:
    """Guard for the class: every `download_button(` in pages/ and ui/ passes a literal file name, one made by
    `safe_filename(...)`, or (in ui/downloads.py) the helper's own parameter, which it passes through safe_filename."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*(root / "pages").rglob("*.py"), *(root / "ui").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "download_button"):
                continue
            arg = next((k.value for k in node.keywords if k.arg == "file_name"), None)
            ok = (
                isinstance(arg, ast.Constant)
                or (
                    isinstance(arg, ast.Call)
                    and getattr(arg.func, "id", getattr(arg.func, "attr", "")) == "safe_filename"
                )
                or (path.name == "downloads.py" and isinstance(arg, ast.Name))
            )
            if not ok:
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []
    downloads = (root / "ui" / "downloads.py").read_text(encoding="utf-8")
    assert downloads.count("file_name = safe_filename(file_name)") == 2


def test_html_escape_is_the_standard_one() -> None:
    assert html.escape('"', quote=True) in lb.facts_html([("a", '"')])
