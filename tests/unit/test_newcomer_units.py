"""Typed numbers read as people type them (never silently rounded), per-field pledge messages, the audit log in
readable Indonesian and WIB, the demo letter dates."""

import datetime as dt

import pandas as pd
import pytest

from services import pledges
from services.demo import timeline
from services.platform import audit_log, fmt


@pytest.mark.parametrize(("text", "value"), [("148", 148), (" 1.000 ", 1000), ("10.000", 10_000), ("-5", -5)])
def test_whole_numbers_as_typed(text: str, value: int) -> None:
    assert fmt.parse_whole(text) == value


@pytest.mark.parametrize("text", ["12.5", "12,5", "1.00", "abc", "", "1e3", "12 5x", "--1"])
def test_not_whole_numbers_are_refused_not_rounded(text: str) -> None:
    with pytest.raises(ValueError):
        fmt.parse_whole(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("2,5", 2.5), ("2.5", 2.5), ("3", 3.0), ("-6,173065", -6.173065), ("-6.173065", -6.173065), ("1.000,5", 1000.5)],
)
def test_decimals_indonesian_or_dot(text: str, value: float) -> None:
    assert fmt.parse_decimal(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "2,5,1", "", "3 km"])
def test_bad_decimals_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        fmt.parse_decimal(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12.5", "bilangan bulat"),
        ("0", "minimal 1"),
        ("-5", "minimal 1"),
        ("999999999", "paling banyak 10.000"),
        ("seratus", "bilangan bulat"),
    ],
)
def test_bad_worker_counts_get_a_message_for_their_field(text: str, message: str) -> None:
    with pytest.raises(pledges.DraftError) as err:
        pledges.read_workers(text)
    assert set(err.value.fields) == {"workers"} and message in err.value.fields["workers"]


@pytest.mark.parametrize(("radius", "message"), [(-1.0, "tidak boleh negatif"), (30.0, "paling jauh 25 km")])
def test_bad_radius_gets_a_message_for_its_field(radius: float, message: str) -> None:
    today = dt.date(2026, 11, 30)
    draft = pledges.PledgeDraft(workers=100, months=12, start_month=dt.date(2026, 12, 1), radius_km=radius)
    from services.pledges.rules import draft_problems

    assert message in draft_problems(draft, today=today)["radius_km"]
    assert pledges.read_radius("2,5") == 2.5 and pledges.read_radius("") is None and pledges.read_radius("0") is None
    with pytest.raises(pledges.DraftError):
        pledges.read_radius("jauh")


def test_audit_rows_read_in_indonesian_and_wib() -> None:
    rows = pd.DataFrame(
        [
            (
                dt.datetime(2026, 11, 30, 2, 5),
                "graha",
                "company.profile.update",
                "company",
                "7",
                True,
                {"fields": ["employees", "contact_name"]},
            ),
            (
                dt.datetime(2026, 11, 30, 20, 0),
                "panarub",
                "pledge.workers.export",
                "pledge",
                "41",
                True,
                {"format": "csv", "rows": 1480},
            ),
            (dt.datetime(2026, 11, 30, 1, 0), "x", "something.new", "", "", False, {"via": "cookie"}),
        ],
        columns=["at", "username", "action", "entity", "entity_id", "success", "detail"],
    )
    shown = audit_log.readable(rows)
    assert list(shown["Kegiatan"]) == ["Mengubah profil perusahaan", "Mengunduh daftar pekerja", "something.new"]
    assert shown["Rincian"][0] == "isian diubah: jumlah karyawan, nama kontak"
    assert shown["Rincian"][1] == "format: CSV; baris: 1.480"
    assert shown["Rincian"][2] == "lewat: sesi tersimpan (cookie)"
    wib = shown["Waktu (WIB)"]
    assert str(wib.dt.tz) == "Asia/Jakarta" and wib[0].hour == 9 and wib[1].day == 1  # 20:00 UTC is 03:00 next day
    assert shown["Objek"][1] == "ikrar 41"
    every_code = {"auth.login", "auth.logout", "pledge.renew", "access.denied", "audit.view", "matching.full"}
    assert all(audit_log.action_label(c) != c for c in every_code)


def test_letter_dates_follow_the_day_of_seeding() -> None:
    dates = timeline.letter_dates(dt.date(2026, 11, 1))
    assert dates.letter_date == dt.date(2024, 10, 14) and dates.response_deadline == dt.date(2024, 12, 31)
    later = timeline.letter_dates(dt.date(2031, 3, 1))
    assert later.letter_date == dt.date(2029, 2, 14) and later.sent_at.date() == dt.date(2029, 2, 16)


def test_the_form_reports_every_bad_number_at_once_under_its_field() -> None:
    with pytest.raises(pledges.DraftError) as err:
        pledges.read_form_numbers("12.5", "30", ())
    assert set(err.value.fields) == {"workers", "radius_km"} and "paling jauh 25 km" in err.value.fields["radius_km"]
    with pytest.raises(pledges.DraftError) as err:
        pledges.read_form_numbers("148", "", ())
    assert "Tentukan area" in err.value.fields["radius_km"]
    assert pledges.read_form_numbers("1.000", "2,5", ()) == (1000, 2.5)
    assert pledges.read_form_numbers("148", "0", ("36.71.01.1001",)) == (148, None)
