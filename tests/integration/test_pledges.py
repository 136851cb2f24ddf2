"""Pledge use cases on SQLite and PostgreSQL: create + match, double submit, bad input, raise, renew, cancel."""

import datetime as dt
import io
import re
from dataclasses import dataclass

import pytest
from pypdf import PdfReader
from sqlmodel import Session, col, select

from models import Assignment, AssignmentStatus, AuditLog, Campaign, LetterRecipient, Pledge, PledgeStatus, Role, Worker
from services import pledges
from services.campaign import companies
from services.platform import fmt
from services.platform.authz import Actor
from services.platform.dates import add_months, cover_end, month_start
from services.platform.errors import ConflictError, ValidationError
from tests import factories as f

TODAY = dt.date.today()
NEXT_MONTH = add_months(TODAY, 1)
SITE = (-6.2010, 106.5738)  # Jatake, Jatiuwung


@dataclass
class World:
    campaign_id: int
    company_id: int
    actor: Actor
    worker_ids: list[int]


def make_world(session: Session, *, workers: int = 30, name: str = "PT Uji") -> World:
    campaign = _campaign(session)
    company = f.company(
        session, campaign_id=campaign, name=name, site_lat=SITE[0], site_lon=SITE[1], kelurahan_code="36.71.02.1002"
    )
    user = f.user(session, role=Role.COMPANY, company_id=company.id)
    ids = []
    for i in range(workers):
        w = f.worker(
            session,
            kelurahan_code="36.71.02.1002",
            lat=SITE[0] + 0.001 * (i % 10),
            lon=SITE[1] + 0.001 * (i // 10),
            desil=1 + i % 5,
        )
        ids.append(w.id)
    session.commit()
    return World(campaign, company.id or 0, f.actor_of(user), ids)


def _campaign(session: Session) -> int:
    existing = session.exec(select(Campaign)).first()
    if existing is not None:
        return existing.id or 0
    return f.campaign(session).id or 0


def draft(**kw: object) -> pledges.PledgeDraft:
    values: dict = dict(workers=10, months=12, start_month=NEXT_MONTH, radius_km=3.0)
    values.update(kw)
    return pledges.PledgeDraft(**values)


def holding(session: Session, pledge_id: int) -> list[Assignment]:
    return list(
        session.exec(
            select(Assignment).where(
                Assignment.pledge_id == pledge_id, col(Assignment.status).in_(["assigned", "registered", "active"])
            )
        ).all()
    )


def audit_actions(session: Session) -> list[str]:
    return [a.action for a in session.exec(select(AuditLog).order_by(col(AuditLog.id))).all()]


def test_create_prices_matches_and_records_the_response(session: Session) -> None:
    w = make_world(session)
    q = pledges.quote(session=session, actor=w.actor, company_id=w.company_id, draft=draft(workers=148))
    assert (q.per_month, q.total) == (148 * 16_800, 29_836_800)
    assert q.eligible_in_area == 30 and any("baru ada 30" in n for n in q.notes)
    out = pledges.create_pledge(
        session=session, actor=w.actor, company_id=w.company_id, draft=draft(), submission_key="k1"
    )
    assert out.created and out.match.assigned == 10 and out.match.shortfall == 0
    pledge = session.get(Pledge, out.pledge_id)
    assert pledge is not None and pledge.status == PledgeStatus.MATCHED and pledge.premium_per_worker_month == 16_800
    recipient = session.exec(select(LetterRecipient).where(LetterRecipient.company_id == w.company_id)).one()
    assert recipient.responded_at is not None
    assert "pledge.create" in audit_actions(session)
    summary = pledges.get_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id)
    assert summary.total == 10 * 12 * 16_800 and summary.assigned == 10 and summary.can_cancel


def test_jht_raises_the_premium(session: Session) -> None:
    w = make_world(session, workers=2)
    q = pledges.quote(session=session, actor=w.actor, company_id=w.company_id, draft=draft(include_jht=True))
    assert q.premium_per_worker_month == 36_800


def test_same_submission_twice_creates_one_pledge(session: Session) -> None:
    w = make_world(session)
    first = pledges.create_pledge(
        session=session, actor=w.actor, company_id=w.company_id, draft=draft(), submission_key="n"
    )
    again = pledges.create_pledge(
        session=session, actor=w.actor, company_id=w.company_id, draft=draft(), submission_key="n"
    )
    assert first.pledge_id == again.pledge_id and not again.created and again.match.assigned == 10
    assert len(session.exec(select(Pledge)).all()) == 1


def test_fewer_workers_than_pledged_explains_the_shortfall(session: Session) -> None:
    w = make_world(session, workers=5)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft(workers=20))
    assert out.match.assigned == 5 and out.match.shortfall == 15 and out.match.explanation


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"workers": 0}, "minimal 1"),
        ({"workers": -5}, "minimal 1"),
        ({"workers": 10_000_000}, "paling banyak"),
        ({"months": 0}, "1 sampai 24"),
        ({"months": 25}, "1 sampai 24"),
        ({"start_month": month_start(add_months(TODAY, -1))}, "sudah lewat"),
        ({"start_month": add_months(TODAY, 14)}, "paling lambat"),
        ({"radius_km": -1.0}, "tidak boleh negatif"),
        ({"radius_km": 30.0}, "paling jauh 25"),
        ({"radius_km": None}, "Tentukan area"),
        ({"radius_km": None, "kelurahan_codes": ("36.71.99.9999",)}, "tidak dikenal"),
        ({"occupations": ("Astronot",)}, "Pekerjaan tidak dikenal"),
    ],
)
def test_bad_input_is_refused_in_indonesian_and_nothing_is_saved(session: Session, changes: dict, message: str) -> None:
    w = make_world(session, workers=2)
    with pytest.raises(ValidationError, match=message) as err:
        pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft(**changes))
    assert session.exec(select(Pledge)).all() == []
    # The form shows each message under its field: the error says which field it is about.
    assert isinstance(err.value, pledges.DraftError)
    assert [field for field, text in err.value.fields.items() if message in text] != []


def test_kelurahan_only_area_works(session: Session) -> None:
    w = make_world(session, workers=4)
    d = draft(radius_km=None, kelurahan_codes=("36.71.02.1002",), workers=3)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=d)
    assert out.match.assigned == 3


def test_raise_fills_the_extra_and_refuses_lowering_and_stale_forms(session: Session) -> None:
    w = make_world(session)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft())
    with pytest.raises(ValidationError, match="lebih besar dari 10"):
        pledges.raise_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id, workers=8)
    with pytest.raises(ConflictError, match="baru saja diubah"):
        pledges.raise_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id, workers=20, expected_workers=7)
    raised = pledges.raise_pledge(
        session=session, actor=w.actor, pledge_id=out.pledge_id, workers=15, expected_workers=10
    )
    assert raised.match.assigned == 15 and len(holding(session, out.pledge_id)) == 15
    assert "pledge.raise" in audit_actions(session)


def test_cancel_releases_workers_back_to_the_pool(session: Session) -> None:
    w = make_world(session, workers=10)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft())
    released = pledges.cancel_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id)
    assert released == 10 and holding(session, out.pledge_id) == []
    assert session.get(Pledge, out.pledge_id).status == PledgeStatus.CANCELLED  # type: ignore[union-attr]
    again = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft())
    assert again.match.assigned == 10  # the released workers are free again
    assert "pledge.cancel" in audit_actions(session)
    with pytest.raises(ValidationError, match="sudah dibatalkan"):
        pledges.cancel_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id)


def test_cancel_is_refused_once_registered(session: Session) -> None:
    w = make_world(session, workers=5)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft(workers=5))
    for a in holding(session, out.pledge_id)[:1]:
        a.status = AssignmentStatus.REGISTERED
        session.add(a)
    session.commit()
    with pytest.raises(ValidationError, match="sudah didaftarkan"):
        pledges.cancel_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id)


def _activate(session: Session, pledge_id: int, start: dt.date, months: int) -> None:
    pledge = session.get(Pledge, pledge_id)
    assert pledge is not None
    pledge.start_month, pledge.months, pledge.status = start, months, PledgeStatus.ACTIVE
    for i, a in enumerate(holding(session, pledge_id)):
        a.status, a.kpj_number = AssignmentStatus.ACTIVE, f"KPJ{i:08d}"
        a.coverage_start, a.coverage_end = start, cover_end(start, months)
        session.add(a)
    session.add(pledge)
    session.commit()


def test_renew_keeps_the_same_workers_and_cards(session: Session) -> None:
    w = make_world(session, workers=12)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft())
    start = add_months(month_start(TODAY), -11)  # cover ends at the end of this month
    _activate(session, out.pledge_id, start, 12)
    before = {a.worker_id: a.kpj_number for a in holding(session, out.pledge_id)}
    summary = pledges.get_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id)
    assert summary.shown_status == "expiring" and summary.can_renew and summary.reminder_days in (7, 30)
    renewal = pledges.renew_pledge(
        session=session, actor=w.actor, pledge_id=out.pledge_id, months=6, submission_key="r"
    )
    new = session.get(Pledge, renewal.pledge_id)
    assert new is not None and new.renewed_from_id == out.pledge_id and new.status == PledgeStatus.ACTIVE
    assert new.start_month == add_months(month_start(TODAY), 1) and new.workers == 10
    after = holding(session, renewal.pledge_id)
    assert {a.worker_id: a.kpj_number for a in after} == before
    assert all(a.status == "active" and a.coverage_end == cover_end(new.start_month, 6) for a in after)
    assert session.get(Pledge, out.pledge_id).status == PledgeStatus.RENEWED  # type: ignore[union-attr]
    again = pledges.renew_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id, months=6, submission_key="r")
    assert again.pledge_id == renewal.pledge_id and not again.created
    with pytest.raises(ValidationError, match="sudah diperpanjang"):
        pledges.renew_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id, months=6)
    assert "pledge.renew" in audit_actions(session)


def test_renew_with_more_workers_matches_the_extra(session: Session) -> None:
    w = make_world(session, workers=20)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft())
    _activate(session, out.pledge_id, add_months(month_start(TODAY), -11), 12)
    renewal = pledges.renew_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id, months=12, workers=14)
    assert renewal.match.assigned == 14
    with pytest.raises(ValidationError):
        pledges.renew_pledge(session=session, actor=w.actor, pledge_id=renewal.pledge_id, months=12)  # too early


def test_renew_too_early_and_fewer_workers_refused(session: Session) -> None:
    w = make_world(session, workers=12)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft())
    _activate(session, out.pledge_id, month_start(TODAY), 12)
    with pytest.raises(ValidationError, match="baru dibuka 60 hari"):
        pledges.renew_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id, months=12)
    summary = pledges.get_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id)
    assert not summary.can_renew and summary.shown_status == "active"
    late = TODAY + dt.timedelta(days=340)
    with pytest.raises(ValidationError, match="minimal 10"):
        pledges.renew_pledge(session=session, actor=w.actor, pledge_id=out.pledge_id, months=12, workers=5, today=late)


def test_matched_workers_list_is_masked_and_audited(session: Session) -> None:
    w = make_world(session, workers=3)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft(workers=3))
    df = pledges.pledge_workers(session=session, actor=w.actor, pledge_id=out.pledge_id)
    assert list(df.columns) == pledges.WORKER_COLUMNS and len(df) == 3
    assert all(re.fullmatch(r"\d{4}\*{8}\d{4}", v) for v in df["NIK"])
    assert "pledge.workers.view" in audit_actions(session)
    pledges.record_download(session=session, actor=w.actor, pledge_id=out.pledge_id, kind="csv", rows=3)
    assert "pledge.workers.export" in audit_actions(session)


def test_profile_update_checks_the_site(session: Session) -> None:
    w = make_world(session, workers=1)
    update = companies.ProfileUpdate(
        site_lat=-6.18,
        site_lon=106.63,
        sector="Logistik",
        employees=300,
        contact_name="Sari",
        contact_email="csr@contoh.co.id",
        contact_phone="021-5551234",
        show_amount=False,
    )
    prof = companies.update_profile(session=session, actor=w.actor, company_id=w.company_id, update=update)
    assert prof.show_amount is False and prof.site_lat == -6.18 and prof.updated_at is not None
    assert "company.profile.update" in audit_actions(session)
    far = companies.ProfileUpdate(**{**update.__dict__, "site_lat": -6.90, "site_lon": 107.60})  # Bandung
    with pytest.raises(ValidationError, match="km dari Kota Tangerang"):
        companies.update_profile(session=session, actor=w.actor, company_id=w.company_id, update=far)
    bad = companies.ProfileUpdate(**{**update.__dict__, "contact_email": "bukan-email", "sector": " "})
    with pytest.raises(ValidationError, match="email") as err:
        companies.update_profile(session=session, actor=w.actor, company_id=w.company_id, update=bad)
    assert "Sektor usaha wajib" in str(err.value)


def test_worker_months_count_the_workers_supported_not_the_places_pledged(session: Session) -> None:
    w = make_world(session, workers=6)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft(workers=9))
    _activate(session, out.pledge_id, month_start(TODAY), 12)
    rep = pledges.impact_report(session=session, actor=w.actor, company_id=w.company_id)
    matched = len(holding(session, out.pledge_id))
    assert matched <= 6 < 9
    assert rep.worker_months == matched * 12 != 9 * 12 and rep.cover_months == 12
    text = PdfReader(io.BytesIO(pledges.impact_pdf(rep))).pages[0].extract_text()
    assert f"Pekerja-bulan {fmt.number(matched * 12)}" in text and "Bulan perlindungan 12" in text


def test_impact_report_and_pdf_have_no_personal_data(session: Session) -> None:
    w = make_world(session, workers=6)
    out = pledges.create_pledge(session=session, actor=w.actor, company_id=w.company_id, draft=draft(workers=6))
    _activate(session, out.pledge_id, month_start(TODAY), 12)
    rep = pledges.impact_report(session=session, actor=w.actor, company_id=w.company_id)
    assert rep.workers_supported == 6 and rep.cards_issued == 6 and rep.rupiah_committed == 6 * 12 * 16_800
    assert rep.by_kecamatan.to_dict("records") == [{"kecamatan": "Jatiuwung", "pekerja": 6}]
    assert (rep.cover_months, rep.worker_months) == (12, 6 * 12)  # months vs worker-months, two figures
    assert pledges.impact_pdf(rep).startswith(b"%PDF")
    pdf = pledges.impact_pdf(rep, compress=False)
    assert b"Jatiuwung" in pdf  # the text is readable uncompressed, so the absence checks below mean something
    for worker in session.exec(select(Worker)).all():
        assert worker.name.encode("latin-1") not in pdf and worker.nik[-8:].encode() not in pdf
