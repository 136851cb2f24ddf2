"""Pure pledge rules: price, validation messages, derived 'expiring', reminders, renewal window, timeline."""

import datetime as dt

import pytest

from services import pledges
from services.campaign.companies import ProfileUpdate, validate_profile
from services.pledges import PledgeDraft

TODAY = dt.date(2026, 11, 22)


def test_price_of_panarub_pledge() -> None:
    premium = pledges.premium_per_worker_month(premium_jkk_jkm=16_800, premium_jht=20_000, include_jht=False)
    assert pledges.pledge_cost(workers=148, months=12, premium=premium) == (2_486_400, 29_836_800)
    assert pledges.premium_per_worker_month(premium_jkk_jkm=16_800, premium_jht=20_000, include_jht=True) == 36_800


def _draft(**kw: object) -> PledgeDraft:
    values: dict = dict(workers=100, months=12, start_month=dt.date(2026, 12, 1), radius_km=3.0)
    values.update(kw)
    return PledgeDraft(**values)


def test_a_good_draft_has_no_errors() -> None:
    assert pledges.validate_draft(_draft(), today=TODAY) == []
    assert pledges.validate_draft(_draft(workers=5), today=TODAY) == []  # fewer than 100 is allowed
    assert pledges.validate_draft(_draft(start_month=dt.date(2026, 11, 1)), today=TODAY) == []  # this month
    assert pledges.validate_draft(_draft(radius_km=None, kelurahan_codes=("36.71.02.1001",)), today=TODAY) == []


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"workers": 0}, "minimal 1"),
        ({"workers": -1}, "minimal 1"),
        ({"workers": 10_001}, "paling banyak 10.000"),
        ({"months": 0}, "1 sampai 24"),
        ({"months": 25}, "1 sampai 24"),
        ({"start_month": dt.date(2026, 10, 1)}, "sudah lewat"),
        ({"start_month": dt.date(2028, 1, 1)}, "paling lambat"),
        ({"radius_km": -2.0}, "negatif"),
        ({"radius_km": 25.5}, "paling jauh 25"),
        ({"radius_km": 0.0}, "Tentukan area"),
        ({"radius_km": None}, "Tentukan area"),
    ],
)
def test_each_bad_value_gets_its_own_indonesian_message(changes: dict, fragment: str) -> None:
    errors = pledges.validate_draft(_draft(**changes), today=TODAY)
    assert len(errors) == 1 and fragment in errors[0]


def test_several_problems_are_reported_together() -> None:
    errors = pledges.validate_draft(_draft(workers=0, months=30, radius_km=None), today=TODAY)
    assert len(errors) == 3


@pytest.mark.parametrize(
    ("end", "level"),
    [
        (TODAY + dt.timedelta(days=90), None),
        (TODAY + dt.timedelta(days=60), 60),
        (TODAY + dt.timedelta(days=31), 60),
        (TODAY + dt.timedelta(days=30), 30),
        (TODAY + dt.timedelta(days=8), 30),
        (TODAY + dt.timedelta(days=7), 7),
        (TODAY, 7),
        (TODAY - dt.timedelta(days=1), None),
    ],
)
def test_reminder_levels(end: dt.date, level: int | None) -> None:
    assert pledges.reminder_level(end, TODAY) == level


def test_expiring_is_derived_from_active_and_the_end_date() -> None:
    assert pledges.derived_status("active", TODAY + dt.timedelta(days=61), TODAY) == "active"
    assert pledges.derived_status("active", TODAY + dt.timedelta(days=60), TODAY) == "expiring"
    assert pledges.derived_status("active", TODAY - dt.timedelta(days=1), TODAY) == "expired"
    assert pledges.derived_status("matched", TODAY, TODAY) == "matched"


def test_renewal_window_opens_60_days_before_the_end() -> None:
    end = dt.date(2026, 12, 31)
    assert pledges.renewal_opens(end) == dt.date(2026, 11, 1)
    assert pledges.can_renew("active", end, dt.date(2026, 11, 1), already_renewed=False)
    assert not pledges.can_renew("active", end, dt.date(2026, 10, 31), already_renewed=False)
    assert pledges.can_renew("expired", end, dt.date(2027, 3, 1), already_renewed=False)
    assert not pledges.can_renew("active", end, dt.date(2026, 12, 1), already_renewed=True)
    assert not pledges.can_renew("matched", end, dt.date(2026, 12, 1), already_renewed=False)


def test_timeline_marks_done_current_and_todo() -> None:
    steps = pledges.timeline("active", "expiring")
    assert [s.state for s in steps] == ["done", "done", "done", "done", "current", "todo"]
    assert [s.state for s in pledges.timeline("renewed", "renewed")][-1] == "current"
    assert pledges.timeline("renewed", "renewed")[-1].label == "Diperpanjang"
    assert [s.label for s in pledges.timeline("cancelled", "cancelled")] == ["Terkirim", "Dibatalkan"]
    assert pledges.timeline("submitted", "submitted")[0].state == "current"


def test_profile_validation_messages() -> None:
    good = ProfileUpdate(
        site_lat=-6.18,
        site_lon=106.63,
        sector="Logistik",
        employees=10,
        contact_name="Sari",
        contact_email="csr@contoh.co.id",
        contact_phone="+62 21-555 1234",
        show_amount=True,
    )
    assert validate_profile(good) == []
    bad = ProfileUpdate(
        site_lat=-6.18,
        site_lon=None,
        sector="",
        employees=-1,
        contact_name="",
        contact_email="x@",
        contact_phone="abc",
        show_amount=True,
    )
    assert len(validate_profile(bad)) == 6
