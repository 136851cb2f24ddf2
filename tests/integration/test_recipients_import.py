"""Recipients import on SQLite and PostgreSQL: the corpus of bad files, duplicates, one transaction, the CLI twin."""

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import pytest
from openpyxl import load_workbook
from sqlmodel import Session, col, func, select

from models import AuditLog, Company, LetterRecipient, Role, User
from services.campaign import import_recipients, password_sheet
from services.platform.errors import ValidationError
from services.platform.sheets import errors_report_xlsx
from tests import factories, recipient_corpus
from tests.recipient_corpus import corpus, row, xlsx

ROOT = Path(__file__).resolve().parents[2]
FILES = corpus()


@pytest.fixture
def admin(session: Session):  # type: ignore[no-untyped-def]
    factories.campaign(session)
    actor = factories.actor_of(factories.user(session, role=Role.ADMIN))
    session.commit()
    return actor


def _run(session: Session, admin, name: str, dry_run: bool = False):  # type: ignore[no-untyped-def]
    return import_recipients(session=session, actor=admin, content=FILES[name], filename=name, dry_run=dry_run)


def _count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("empty.csv", "kosong"),
        ("header_only.xlsx", "hanya berisi judul"),
        ("header_only.csv", "hanya berisi judul"),
        ("wrong_columns.csv", "Kolom wajib tidak ditemukan"),
        ("renamed_binary.xlsx", "bukan berkas Excel"),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(session: Session, admin, name: str, words: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match=words):
        _run(session, admin, name)
    assert _count(session, Company) == 0


def test_latin1_and_semicolon_csv_and_english_headers_are_read(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    assert recipient_corpus.latin1_is_latin1()
    latin = _run(session, admin, "latin1.csv")
    assert (latin.read, latin.inserted, latin.rejected) == (2, 2, 0)
    assert session.exec(select(Company).where(Company.name == "PT Kopi Ñusantara Café")).one()
    semi = import_recipients(
        session=session,
        actor=admin,
        content=recipient_corpus.csv_bytes([row(11), row(12), row(13)], delimiter=";"),
        filename="semicolon.csv",
        dry_run=False,
    )
    assert (semi.read, semi.inserted) == (3, 3), semi.errors
    english = import_recipients(
        session=session,
        actor=admin,
        content=xlsx([row(21), row(22)], headers=recipient_corpus.HEADERS_EN),
        filename="en.xlsx",
        dry_run=False,
    )
    assert english.inserted == 2 and english.errors == []


def test_bad_rows_are_reported_with_row_column_value_reason_and_the_good_rows_kept(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    formula = _run(session, admin, "formula_injection.csv")
    assert (formula.read, formula.inserted, formula.rejected) == (3, 1, 2)
    assert {e.row for e in formula.errors} == {3, 4}
    assert all(e.column == "Nama Perusahaan" and "rumus" in e.reason for e in formula.errors)
    report = load_workbook(io.BytesIO(errors_report_xlsx(formula.errors))).active
    assert report is not None
    cells = [c for r in report.iter_rows() for c in r]
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(("=", "@"))]
    # Shown as typed, neutralised as Excel does it: a text cell with the quote prefix, never a formula (issue 22).
    assert risky and all(c.data_type == "s" and c.quotePrefix for c in risky), "report cells are neutralised"
    assert not any(c.data_type == "f" for c in cells)

    number = _run(session, admin, "nib_as_number.xlsx")
    assert number.rejected == 1 and number.duplicates == 1  # row 2 was imported above
    refused = next(e for e in number.errors if e.row == 3)
    assert refused.column == "NIB" and "Format kolom NIB sebagai Teks" in refused.reason

    unknown = _run(session, admin, "unknown_kelurahan.csv")
    refused = next(e for e in unknown.errors if e.row == 3)
    assert unknown.rejected == 1 and refused.column == "Kelurahan" and "tidak dikenal" in refused.reason


def test_duplicates_in_the_file_and_in_the_database_are_reported_not_merged(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    dupes = _run(session, admin, "duplicates.xlsx")
    assert (dupes.read, dupes.inserted, dupes.duplicates) == (4, 3, 1)
    assert "sama dengan baris 2" in dupes.errors[0].reason
    again = _run(session, admin, "duplicates.xlsx")
    assert (again.inserted, again.duplicates) == (0, 4), "the same file twice adds nothing"
    assert "sudah terdaftar" in again.errors[-1].reason
    assert _count(session, Company) == 3 and _count(session, LetterRecipient) == 3


def test_dry_run_saves_nothing_and_a_commit_makes_accounts_that_must_change_their_password(
    session: Session, admin
) -> None:  # type: ignore[no-untyped-def]
    preview = _run(session, admin, "five_one_bad.xlsx", dry_run=True)
    assert (preview.read, preview.inserted, preview.rejected, len(preview.preview)) == (5, 0, 1, 4)
    assert _count(session, Company) == 0 and _count(session, User) == 1
    result = _run(session, admin, "five_one_bad.xlsx")
    assert result.inserted == 4 and len(result.passwords) == 4
    users = session.exec(select(User).where(User.role == Role.COMPANY)).all()
    assert len(users) == 4 and all(u.must_change_password for u in users)
    first = result.passwords[0]
    user = next(u for u in users if u.username == first.username)
    assert bcrypt.checkpw(first.password.encode(), user.password_hash.encode())
    companies = session.exec(select(Company).order_by(Company.nib)).all()
    # companies 2 and 4 have coordinates; 1 and 5 get the kelurahan's inside point, marked approximate (3 is bad)
    assert [c.site_approximate for c in companies] == [True, False, False, True]
    assert all(c.site_lat is not None for c in companies)
    sheet = load_workbook(io.BytesIO(password_sheet(session=session, actor=admin, passwords=result.passwords))).active
    assert sheet is not None and sheet.max_row == 3 + 4
    assert session.exec(select(AuditLog).where(AuditLog.action == "password.download")).one().detail["accounts"] == 4


def test_a_site_far_from_tangerang_is_refused(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    far = row(1)
    far[6], far[7] = "-6,9", "107,6"  # Bandung
    result = import_recipients(
        session=session, actor=admin, content=xlsx([far, row(2)]), filename="far.xlsx", dry_run=False
    )
    assert (
        result.inserted == 1
        and result.errors[0].column == "Lintang"
        and "km dari Kota Tangerang" in result.errors[0].reason
    )


def test_company_users_and_viewers_cannot_import(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    viewer = factories.actor_of(factories.user(session, role=Role.VIEWER))
    with pytest.raises(Exception, match="tidak berhak"):
        import_recipients(session=session, actor=viewer, content=FILES["semicolon.csv"], filename="x.csv")


def test_ten_thousand_rows_are_all_checked_and_a_large_list_commits_in_one_transaction(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    dry = import_recipients(session=session, actor=admin, content=recipient_corpus.ten_thousand(), filename="10k.xlsx")
    checked = time.perf_counter() - started
    assert (dry.read, dry.inserted, dry.rejected, dry.duplicates, len(dry.preview)) == (10_000, 0, 0, 0, 10_000)
    assert checked < 30, f"checking 10,000 rows took {checked:.1f} s"
    # The commit of 10,000 is dominated by 10,000 bcrypt hashes (~25 s, measured in docs/campaign.md); 2,000 here
    # exercise the same bulk path on both databases.
    content = xlsx([row(i) for i in range(1, 2_001)])
    result = import_recipients(session=session, actor=admin, content=content, filename="2k.xlsx", dry_run=False)
    assert (result.read, result.inserted) == (2_000, 2_000)
    assert _count(session, Company) == 2_000 and _count(session, LetterRecipient) == 2_000
    assert session.exec(select(func.count()).select_from(User).where(col(User.must_change_password))).one() == 2_000
    again = import_recipients(session=session, actor=admin, content=content, filename="2k.xlsx", dry_run=False)
    assert (again.inserted, again.duplicates) == (0, 2_000)


def test_cli_prints_json_and_exits_zero_when_the_file_could_be_read(
    db_url: str, tmp_path: Path, session: Session, admin
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "five.xlsx"
    path.write_bytes(FILES["five_one_bad.xlsx"])
    args = [
        sys.executable,
        "-m",
        "services.campaign",
        "import-recipients",
        str(path),
        "--json",
        "--database-url",
        db_url,
    ]
    dry = subprocess.run([*args, "--dry-run"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert dry.returncode == 0, dry.stderr
    out = json.loads(dry.stdout)
    assert (out["read"], out["inserted"], out["rejected"], out["duplicates"]) == (5, 0, 1, 0)
    assert set(out["errors"][0]) == {"row", "column", "value", "reason"} and out["errors"][0]["row"] == 4
    sheet = tmp_path / "pw.xlsx"
    real = subprocess.run([*args, "--passwords", str(sheet)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert real.returncode == 0 and json.loads(real.stdout)["inserted"] == 4
    assert sheet.exists() and (sheet.stat().st_mode & 0o077) == 0
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    bad = subprocess.run(
        [*args[:4], str(empty), "--json", "--database-url", db_url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert bad.returncode == 2 and "kosong" in json.loads(bad.stdout)["error"]
