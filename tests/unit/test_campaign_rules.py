"""Pure rules of the campaign desk: usernames, passwords, letter values, states, filters, audit labels."""

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from services import campaign
from services.campaign.accounts import company_username, one_time_password
from services.campaign.chasing import filter_frame
from services.campaign.responses import status_of
from services.platform import audit_log

ROOT = Path(__file__).resolve().parents[2]


def test_company_usernames_are_short_readable_and_unique() -> None:
    taken = {"majujaya"}
    assert company_username("PT Maju Jaya", taken) == "majujaya2"
    assert company_username("PT. Maju Jaya Tbk", taken) == "majujaya3"
    assert company_username("CV =HYPERLINK(x)", set()) == "hyperlinkx"
    assert company_username("PT", set()) == "ptpt"


def test_one_time_passwords_are_long_and_free_of_look_alikes() -> None:
    passwords = {one_time_password() for _ in range(200)}
    assert len(passwords) == 200
    assert all(len(p) == 14 and not set(p) & set("0O1lI5S") for p in passwords)


def test_new_password_rules() -> None:
    assert campaign.check_new_password("Baru-2025-ok", "Baru-2025-ok", username="siti") == []
    problems = campaign.check_new_password("siti", "sitx", username="siti", current="siti")
    assert len(problems) == 5  # repeat differs, too short, same as current, holds the username, letters only
    assert campaign.check_new_password("é" * 40, "é" * 40) == [
        "Kata sandi baru maksimal 72 byte (huruf beraksen dihitung 2 byte).",
        "Campurkan huruf dengan angka atau tanda baca.",
    ]


def test_states_and_filters() -> None:
    t = pd.Timestamp("2025-01-07", tz="UTC")
    assert status_of(None, None, None, None) == "not_sent"
    assert status_of(t, None, None, None) == "sent"
    assert status_of(t, t, None, None) == "opened"
    assert status_of(t, t, None, t) == "declined"
    assert status_of(t, t, t, t) == "pledged"
    frame = pd.DataFrame(
        {
            "company": ["PT A", "PT B", "PT C"],
            "kecamatan": ["Cibodas", "Karawaci", "Cibodas"],
            "sector": ["Logistik", "Logistik", "Tekstil"],
            "status": ["sent", "opened", "not_sent"],
            "days_since_letter": pd.array([30, 5, None], dtype="Int64"),
        }
    )
    chase = campaign.ChaseFilter(kecamatan=["Cibodas"], min_days=10)
    assert list(filter_frame(frame, chase)["company"]) == ["PT A"]
    assert list(filter_frame(frame, campaign.ChaseFilter(query="pt b"))["company"]) == ["PT B"]


def test_reminder_text_and_whatsapp_link() -> None:
    subject, body = campaign.reminder_text(
        company="PT A", contact="Ibu Sari", letter_number="SE 1", subject="Perlindungan", deadline=dt.date(2025, 3, 31)
    )
    assert subject == "Pengingat: Perlindungan" and "Yth. Ibu Sari (PT A)" in body and "31 Maret 2025" in body
    assert campaign.whatsapp_url("0812 3456 7890", body).startswith("https://wa.me/6281234567890?text=Yth.%20Ibu")


def test_every_audited_campaign_action_has_a_readable_label() -> None:
    codes = set()
    for path in (ROOT / "services" / "campaign").glob("*.py"):
        codes |= set(re.findall(r'action="([a-z_.]+)"', path.read_text(encoding="utf-8")))
    audited = {c for c in codes if c in audit_log.ACTION_LABELS or "." in c}
    missing = sorted(
        c
        for c in audited
        if audit_log.action_label(c) == c
        and c not in {"letter.list", "recipients.view", "letter.answer.view", "recipient.contacts", "user.list"}
        and c not in {"chasing.view", "escalation.view", "reminder.send"}  # only ever the `attempted` of a denial
    )
    assert missing == []
