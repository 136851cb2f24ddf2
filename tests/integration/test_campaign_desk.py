"""The campaign desk's services on SQLite and PostgreSQL: letters, accounts, responses, chasing, reminders, audit."""

import datetime as dt
import io
import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from fpdf import FPDF
from openpyxl import load_workbook
from sqlmodel import Session, select

from models import AuditLog, LetterRecipient, OutboxMessage, Pledge, RecipientContact, Role, User
from services import campaign as desk
from services.platform import audit_log, auth
from services.platform.audit_log import AuditQuery
from services.platform.errors import AccessDenied, NotFound, ValidationError
from services.platform.settings import get_settings
from services.pledges import PledgeDraft, create_pledge
from tests import factories as f


def pdf_bytes(text: str = "Surat edaran") -> bytes:
    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    doc.cell(text=text)
    return bytes(doc.output())


DRAFT = desk.LetterDraft(
    letter_number="SE No. 500/2025",
    letter_date=dt.date(2025, 1, 6),
    subject="Perlindungan pekerja rentan 2025",
    body="Mohon dukungan perusahaan.",
    response_deadline=dt.date(2025, 3, 31),
    target_workers=20_000,
    escalation_days=10,
)


@pytest.fixture
def admin(session: Session):  # type: ignore[no-untyped-def]
    actor = f.actor_of(f.user(session, role=Role.ADMIN))
    session.commit()
    return actor


# --- the letter -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "kosong"),
        (b"PK\x03\x04 a renamed docx", "bukan PDF"),
        (b"\x89PNG\r\n\x1a\n", "bukan PDF"),
        (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "terpotong"),
        (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\nstartxref\n3\n%%EOF\n", "rusak"),
        (b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "terlalu besar"),
    ],
)
def test_attachment_must_really_be_a_pdf(content: bytes, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        desk.check_pdf(content)


def test_a_real_pdf_passes() -> None:
    desk.check_pdf(pdf_bytes())


def test_one_letter_is_active_earlier_ones_stay_readable(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    old = f.campaign(session)
    session.commit()
    new = desk.create_letter(session=session, actor=admin, draft=DRAFT, attachment=("se.pdf", pdf_bytes()))
    letters = desk.list_letters(session=session, actor=admin)
    assert [ltr.is_active for ltr in letters] == [True, False]
    assert letters[0].id == new.id and letters[1].id == old.id and new.attachment_name == "se.pdf"
    with pytest.raises(ValidationError, match="sudah ada"):
        desk.create_letter(session=session, actor=admin, draft=replace(DRAFT, letter_number="se no. 500/2025"))
    with pytest.raises(ValidationError, match="bukan PDF"):
        desk.update_letter(session=session, actor=admin, campaign_id=new.id, draft=DRAFT, attachment=("x.pdf", b"MZ"))
    bad = replace(DRAFT, letter_number="", response_deadline=dt.date(2024, 1, 1), premium_jkk_jkm=-1, escalation_days=0)
    with pytest.raises(ValidationError) as caught:
        desk.create_letter(session=session, actor=admin, draft=bad)
    assert str(caught.value).count("\n- ") == 4
    desk.activate_letter(session=session, actor=admin, campaign_id=old.id or 0)
    assert [ltr.id for ltr in desk.list_letters(session=session, actor=admin) if ltr.is_active] == [old.id]
    name, content = desk.letter_file(session=session, actor=admin, campaign_id=new.id)
    assert name == "se.pdf" and content.startswith(b"%PDF-")


def test_changing_a_rate_never_changes_a_pledge_already_made(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    letter = desk.create_letter(session=session, actor=admin, draft=DRAFT)
    company = f.company(session, campaign_id=letter.id)
    for i in range(12):
        f.worker(session, nik=f"36710215019{i:05d}")
    company_user = f.actor_of(f.user(session, role=Role.COMPANY, company_id=company.id))
    session.commit()
    draft = PledgeDraft(workers=10, months=12, start_month=dt.date.today().replace(day=1), radius_km=3.0)
    pledge_id = create_pledge(session=session, actor=company_user, company_id=company.id or 0, draft=draft).pledge_id
    desk.update_letter(
        session=session, actor=admin, campaign_id=letter.id, draft=replace(DRAFT, premium_jkk_jkm=25_000)
    )
    session.expire_all()
    assert session.get(Pledge, pledge_id).premium_per_worker_month == 16_800  # type: ignore[union-attr]
    assert desk.company_home(session=session, actor=company_user, company_id=company.id or 0).premium_jkk_jkm == 25_000


def test_viewers_and_companies_cannot_write_letters(session: Session) -> None:
    viewer = f.actor_of(f.user(session, role=Role.VIEWER))
    with pytest.raises(AccessDenied):
        desk.create_letter(session=session, actor=viewer, draft=DRAFT)
    assert session.exec(select(AuditLog).where(AuditLog.action == "access.denied")).first() is not None


# --- accounts ---------------------------------------------------------------------------------------------------


def test_city_user_lifecycle_and_sessions(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    otp = desk.create_city_user(
        session=session, actor=admin, username="Siti.Dinsos", display_name="Siti", email="siti@x.go.id", role="viewer"
    )
    user = session.exec(select(User).where(User.username == "siti.dinsos")).one()
    assert user.must_change_password and len(otp.password) == 14
    grant = auth.start_session(session=session, username="siti.dinsos", via_cookie=False)
    assert desk.must_change_password(session=session, user_id=user.id)
    for bad, words in [("pendek1", "minimal"), ("siti.dinsos-2025", "nama pengguna"), ("abcdefghijkl", "Campurkan")]:
        with pytest.raises(ValidationError, match=words):
            desk.change_password(session=session, actor=grant.actor, current=otp.password, new=bad, repeat=bad)
    with pytest.raises(ValidationError, match="saat ini salah"):
        desk.change_password(
            session=session, actor=grant.actor, current="salah", new="Baru-2025-x", repeat="Baru-2025-x"
        )
    version, fingerprint = desk.change_password(
        session=session, actor=grant.actor, current=otp.password, new="Baru-2025-x", repeat="Baru-2025-x"
    )
    assert version == grant.session_version + 1 and not desk.must_change_password(session=session, user_id=user.id)
    assert auth.session_is_valid(
        session=session, user_id=user.id, session_version=version, password_fingerprint=fingerprint
    )
    assert not auth.session_is_valid(session=session, user_id=user.id, session_version=grant.session_version)

    with pytest.raises(ValidationError, match="konfirmasi"):
        desk.change_role(session=session, actor=admin, user_id=user.id or 0, role="admin")
    assert session.get(User, user.id).role == "viewer"  # type: ignore[union-attr]
    desk.change_role(session=session, actor=admin, user_id=user.id or 0, role="admin", confirm_admin=True)
    assert session.get(User, user.id).role == "admin"  # type: ignore[union-attr]
    desk.set_active(session=session, actor=admin, user_id=user.id or 0, active=False)
    assert not auth.session_is_valid(session=session, user_id=user.id, session_version=version + 1)
    with pytest.raises(AccessDenied):
        auth.start_session(session=session, username="siti.dinsos", via_cookie=False)
    desk.set_active(session=session, actor=admin, user_id=user.id or 0, active=True)
    reset = desk.reset_password(session=session, actor=admin, user_id=user.id or 0)
    assert reset.password != otp.password and session.get(User, user.id).must_change_password  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="sendiri"):
        desk.set_active(session=session, actor=admin, user_id=admin.user_id, active=False)
    with pytest.raises(ValidationError, match="sudah dipakai"):
        desk.create_city_user(
            session=session, actor=admin, username="siti.dinsos", display_name="S", email="", role="viewer"
        )
    for role, words in [(None, "Pilih peran"), ("", "Pilih peran"), ("admin", "konfirmasi")]:
        with pytest.raises(ValidationError, match=words):
            desk.create_city_user(session=session, actor=admin, username="baru", display_name="B", email="", role=role)
    with pytest.raises(ValidationError, match="Peran"):
        desk.create_city_user(session=session, actor=admin, username="baru", display_name="B", email="", role="company")
    actions = set(session.exec(select(AuditLog.action).where(AuditLog.entity == "user")).all())
    assert {
        "user.create",
        "password.change",
        "user.role",
        "user.deactivate",
        "user.reactivate",
        "user.reset",
        "user.admin_grant",
    } <= actions


def test_only_admins_manage_users(session: Session) -> None:
    viewer = f.actor_of(f.user(session, role=Role.VIEWER))
    with pytest.raises(AccessDenied):
        desk.list_users(session=session, actor=viewer)
    with pytest.raises(AccessDenied):
        desk.reset_password(session=session, actor=viewer, user_id=1)


# --- responses, chasing, reminders ------------------------------------------------------------------------------


@pytest.fixture
def letter_with_recipients(session: Session, admin):  # type: ignore[no-untyped-def]
    letter = desk.create_letter(session=session, actor=admin, draft=DRAFT)
    companies = [
        f.company(
            session,
            campaign_id=letter.id,
            name=f"PT Penerima {i}",
            contact_email=f"csr{i}@x.co.id",
            contact_phone="0812-3456-789" if i else "",
        )
        for i in range(4)
    ]
    session.commit()
    return letter, companies


def test_tracking_sent_declined_contacts_and_escalation(session: Session, admin, letter_with_recipients) -> None:  # type: ignore[no-untyped-def]
    letter, companies = letter_with_recipients
    ids = session.exec(select(LetterRecipient.id).order_by(LetterRecipient.id)).all()
    assert (
        desk.mark_sent(session=session, actor=admin, sent_on=dt.date(2025, 1, 7), channel="post", recipient_ids=ids[:3])
        == 3
    )
    with pytest.raises(ValidationError, match="masa depan"):
        desk.mark_sent(session=session, actor=admin, sent_on=dt.date.today() + dt.timedelta(days=1), channel="post")
    with pytest.raises(ValidationError, match="cara pengiriman"):
        desk.mark_sent(session=session, actor=admin, sent_on=dt.date(2025, 1, 7), channel="merpati")

    company_user = f.actor_of(f.user(session, role=Role.COMPANY, company_id=companies[1].id))
    with pytest.raises(ValidationError, match="tuliskan alasannya"):
        desk.decline_letter(session=session, actor=company_user, company_id=companies[1].id, reason="other")
    with pytest.raises(ValidationError, match="salah satu alasan"):
        desk.decline_letter(session=session, actor=company_user, company_id=companies[1].id, reason="malas")
    with pytest.raises(AccessDenied):
        desk.decline_letter(session=session, actor=company_user, company_id=companies[2].id, reason="budget")
    answer = desk.decline_letter(
        session=session, actor=company_user, company_id=companies[1].id, reason="budget", note="Tahun depan"
    )
    assert answer.declined_at is not None and answer.decline_reason == "budget"
    again = desk.decline_letter(session=session, actor=company_user, company_id=companies[1].id, reason="approval")
    assert again.decline_reason == "budget", "a repeated click changes nothing"

    desk.log_contact(
        session=session,
        actor=admin,
        recipient_id=ids[0],
        contacted_on=dt.date(2025, 1, 20),
        channel="phone",
        outcome="Berjanji menjawab",
        note="Bu Sari, HRD",
    )
    with pytest.raises(ValidationError, match="masa depan"):
        desk.log_contact(
            session=session,
            actor=admin,
            recipient_id=ids[0],
            contacted_on=dt.date.today() + dt.timedelta(days=2),
            channel="phone",
            outcome="x",
        )
    frame = desk.recipients(session=session, actor=admin, today=dt.date(2025, 1, 27))
    by_name = frame.set_index("company")
    assert by_name.loc["PT Penerima 1", "status"] == "declined"
    assert by_name.loc["PT Penerima 1", "decline_note"] == "Tahun depan"
    assert by_name.loc["PT Penerima 3", "status"] == "not_sent"
    assert by_name.loc["PT Penerima 0", "reminders"] == 1 and by_name.loc["PT Penerima 0", "days_since_letter"] == 20
    log = desk.contacts(session=session, actor=admin, recipient_id=ids[0])
    assert log.iloc[0]["Hasil"] == "Berjanji menjawab" and log.iloc[0]["Oleh"] == admin.username

    chase = desk.non_responders(session=session, actor=admin, today=dt.date(2025, 1, 27))
    assert set(chase["company"]) == {"PT Penerima 0", "PT Penerima 2", "PT Penerima 3"}
    narrowed = desk.non_responders(
        session=session, actor=admin, today=dt.date(2025, 1, 27), chase=desk.ChaseFilter(min_days=15)
    )
    assert set(narrowed["company"]) == {"PT Penerima 0", "PT Penerima 2"}
    viewer = f.actor_of(f.user(session, role=Role.VIEWER))
    days, late = desk.escalation(session=session, actor=viewer, today=dt.date(2025, 1, 27))
    assert days == 10 and set(late["company"]) == {"PT Penerima 0", "PT Penerima 2"}
    with pytest.raises(AccessDenied):
        desk.non_responders(session=session, actor=viewer)
    sheet = load_workbook(io.BytesIO(desk.call_list_xlsx(session=session, actor=admin))).active
    assert sheet is not None and sheet.cell(row=3, column=1).value == "Perusahaan" and sheet.max_row == 3 + 3
    assert session.exec(select(AuditLog).where(AuditLog.action == "chasing.export")).one()


def test_a_pledge_answers_the_letter_even_after_a_decline(session: Session, admin, letter_with_recipients) -> None:  # type: ignore[no-untyped-def]
    _, companies = letter_with_recipients
    recipient = session.exec(select(LetterRecipient).where(LetterRecipient.company_id == companies[0].id)).one()
    recipient.declined_at = dt.datetime(2025, 1, 10, tzinfo=dt.UTC)
    recipient.responded_at = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    session.add(recipient)
    session.commit()
    frame = desk.recipients(session=session, actor=admin)
    assert frame.set_index("company").loc["PT Penerima 0", "status"] == "pledged"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list]]:
    """A real SMTP server on a free loopback port, started by the test run (aiosmtpd)."""
    received: list = []

    class Keep(Message):
        def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
            received.append(message)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_email_reminder_goes_through_smtp_and_is_logged(
    session: Session, admin, letter_with_recipients, smtp_server
) -> None:  # type: ignore[no-untyped-def]
    port, received = smtp_server
    _, companies = letter_with_recipients
    settings = replace(
        get_settings(), demo=False, smtp_host="127.0.0.1", smtp_port=port, smtp_from="Disnaker <d@x.go.id>"
    )
    rid = session.exec(select(LetterRecipient.id).where(LetterRecipient.company_id == companies[2].id)).one()
    sent = desk.send_reminder(session=session, actor=admin, recipient_id=rid, settings=settings)
    assert sent.status == "sent" and len(received) == 1
    message = received[0]
    assert message["To"] == "csr2@x.co.id" and message["From"] == "Disnaker <d@x.go.id>"
    assert "SE No. 500/2025" in message.get_payload(decode=True).decode()
    assert message["Subject"].startswith("Pengingat:")
    contact = session.exec(select(RecipientContact).where(RecipientContact.recipient_id == rid)).one()
    assert contact.channel == "email" and contact.outcome == "Email pengingat terkirim"
    assert session.exec(select(OutboxMessage)).one().status == "sent"

    wa = desk.send_reminder(session=session, actor=admin, recipient_id=rid, channel="whatsapp", settings=settings)
    assert wa.whatsapp_url and wa.whatsapp_url.startswith("https://wa.me/628123456789?text=")
    assert session.get(LetterRecipient, rid).reminders_sent == 2  # type: ignore[union-attr]

    no_phone = session.exec(select(LetterRecipient.id).where(LetterRecipient.company_id == companies[0].id)).one()
    with pytest.raises(ValidationError, match="WhatsApp"):
        desk.send_reminder(session=session, actor=admin, recipient_id=no_phone, channel="whatsapp", settings=settings)
    dead = replace(settings, smtp_port=1)  # nothing listens there
    with pytest.raises(ValidationError, match="gagal"):
        desk.send_reminder(session=session, actor=admin, recipient_id=rid, settings=dead)
    assert session.exec(select(OutboxMessage).where(OutboxMessage.status == "failed")).one()


def test_demo_mode_keeps_the_email_in_the_outbox(session: Session, admin, letter_with_recipients) -> None:  # type: ignore[no-untyped-def]
    _, companies = letter_with_recipients
    rid = session.exec(select(LetterRecipient.id).where(LetterRecipient.company_id == companies[3].id)).one()
    demo = replace(get_settings(), demo=True, smtp_host="")
    result = desk.send_reminder(session=session, actor=admin, recipient_id=rid, settings=demo)
    assert result.status == "outbox" and "Kotak keluar" in result.message
    box = desk.outbox(session=session, actor=admin)
    assert list(box["to"]) == ["csr3@x.co.id"] and list(box["status"]) == ["outbox"]
    with pytest.raises(ValidationError, match="SMTP_HOST"):
        desk.send_reminder(session=session, actor=admin, recipient_id=rid, settings=replace(demo, demo=False))


def test_whatsapp_links() -> None:
    assert desk.whatsapp_url("+62 812-3456-7890", "halo a&b") == "https://wa.me/6281234567890?text=halo%20a%26b"
    assert desk.whatsapp_url("021 5551234", "x") == "https://wa.me/62215551234?text=x"
    assert desk.whatsapp_url("", "x") is None and desk.whatsapp_url("12345", "x") is None


# --- audit log viewer -------------------------------------------------------------------------------------------


def test_audit_search_filters_and_paginates_in_sql_and_the_export_is_audited(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    from services.platform import audit

    other = f.actor_of(f.user(session, role=Role.VIEWER, username="budi"))
    for i in range(25):
        audit.record(
            session=session,
            actor=other if i % 5 == 0 else admin,
            action=f"letter.{'view' if i % 2 else 'edit'}",
            entity="campaign",
            entity_id=i,
        )
    session.commit()
    page1, total = audit_log.search(
        session=session, actor=admin, query=AuditQuery(action_prefix="letter."), page=1, page_size=10
    )
    page3, _ = audit_log.search(
        session=session, actor=admin, query=AuditQuery(action_prefix="letter."), page=3, page_size=10
    )
    assert total == 25 and len(page1) == 10 and len(page3) == 5
    mine, n = audit_log.search(session=session, actor=admin, query=AuditQuery(username="budi"))
    assert n == 5 and set(mine["username"]) == {"budi"}
    edits, n_edits = audit_log.search(
        session=session, actor=admin, query=AuditQuery(action_prefix="letter.edit", entity="campaign")
    )
    assert n_edits == 13
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    _, none = audit_log.search(session=session, actor=admin, query=AuditQuery(since=future))
    assert none == 0
    users, entities = audit_log.filter_options(session=session, actor=admin)
    assert "budi" in users and "campaign" in entities
    sheet = load_workbook(
        io.BytesIO(audit_log.export_xlsx(session=session, actor=admin, query=AuditQuery(username="budi")))
    ).active
    assert sheet is not None and sheet.max_row == 3 + 5
    # As the screen shows it: Indonesian labels, WIB wall-clock times as real date-times, no raw codes.
    assert [c.value for c in sheet[3]] == ["Waktu (WIB)", "Pengguna", "Kegiatan", "Objek", "Berhasil", "Rincian"]
    first = list(sheet[4])
    shown = audit_log.readable(mine).iloc[0]
    assert abs(first[0].value - shown["Waktu (WIB)"].tz_localize(None).to_pydatetime()) < dt.timedelta(seconds=1)
    assert first[0].number_format == "d mmm yyyy hh:mm"
    assert first[2].value == shown["Kegiatan"]
    assert first[4].value in ("Ya", "Tidak") and all(c.value not in (None, "None", "nan") for c in first)
    exported = session.exec(select(AuditLog).where(AuditLog.action == "audit.export")).one()
    assert exported.detail["rows"] == 5 and exported.detail["username_filter"] == "budi"
    with pytest.raises(AccessDenied):
        audit_log.search(session=session, actor=other, query=AuditQuery())


def test_not_found_is_clear(session: Session, admin) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        desk.recipients(session=session, actor=admin)
