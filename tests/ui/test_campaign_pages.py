"""AppTest of the campaign desk pages over the small seeded demo (letter, import, responses, chasing, escalation,
outbox, users, audit, change password, and the company's decline on its home)."""

from collections.abc import Callable

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import AuditLog, Company, LetterRecipient, User
from services import campaign
from services.platform.authz import SYSTEM, Actor
from tests.ui.conftest import all_text
from ui import state


def _silent_company_user() -> str:
    """A company that has not answered (not the README's 'benteng', which must stay silent)."""
    with state.db() as s:
        frame = campaign.recipients(session=s, actor=SYSTEM)
        ids = frame[(frame["status"] == "opened") & (frame["company"] != "PT Benteng Logistik Nusantara")]["company_id"]
        return s.exec(select(User.username).where(User.company_id == int(ids.iloc[-1]))).one()


def test_letter_page_shows_the_active_letter_and_admins_can_create_one(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/letter.py", actor_for("admin"))
    assert not at.exception
    assert "SE No. 14422/2024" in all_text(at) and "Rp16.800" in all_text(at)
    form = [t for t in at.text_input if t.label == "Nomor surat"]
    assert len(form) == 2  # edit + new
    form[-1].set_value("")
    next(b for b in at.button if b.label == "Simpan surat" and "baru" in str(b.form_id)).click().run()
    assert at.error and "Nomor surat wajib diisi" in at.error[0].value  # bad input: message, nothing saved
    viewer = page("city/letter.py", actor_for("walikota"))
    assert not viewer.exception and "SE No. 14422/2024" in all_text(viewer)
    assert not [t for t in viewer.text_input if t.label == "Nomor surat"], "viewers do not edit letters"


def test_import_page_asks_for_a_file(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/recipients.py", actor_for("admin"))
    assert not at.exception and "NIB (13 angka) harus berformat Teks" in all_text(at)
    assert page("city/recipients.py", actor_for("walikota")).error


def test_responses_page_shows_every_state_and_the_declines(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/responses.py", actor_for("admin"))
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert all(int(labels[label].replace(".", "")) > 0 for label in campaign.STATUS_LABELS.values()), labels
    declines = at.table[0].value
    assert len(declines) >= 6 and declines["Keterangan"].str.len().min() > 0  # the city sees every reason
    table = at.dataframe[0].value
    assert table["Hari sejak surat"].dtype.kind in "iuf" and table["Terkirim"].dtype.kind == "M"  # sortable values
    at.button[-1].click().run()  # log a contact with the defaults
    assert not at.exception and "dicatat" in all_text(at)


def test_chasing_page_filters_and_prepares_a_whatsapp_reminder(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/chasing.py", actor_for("admin"))
    assert not at.exception
    everyone = len(at.dataframe[0].value)
    assert everyone > 10
    at.text_input[0].set_value("Benteng").run()
    assert len(at.dataframe[0].value) == 1
    next(b for b in at.button if b.label == "Siapkan pesan WhatsApp").click().run()
    assert not at.exception, at.exception
    assert "wa.me/62" in str(at.session_state["wa_link"][1])
    next(b for b in at.button if b.label == "Kirim email pengingat").click().run()
    assert not at.exception and "Kotak keluar" in all_text(at)
    assert page("city/chasing.py", actor_for("walikota")).error


def test_escalation_page_is_open_to_viewers(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/escalation.py", actor_for("walikota"))
    assert not at.exception
    assert "14 hari" in all_text(at) and len(at.dataframe[0].value) > 0


def test_outbox_page_shows_the_demo_emails(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/outbox.py", actor_for("admin"))
    assert not at.exception and len(at.expander) >= 4
    assert "Tidak dikirim (demo)" in at.expander[0].label


def test_users_page_creates_a_viewer_with_a_one_time_password(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/users.py", actor_for("admin"))
    assert not at.exception
    at.text_input[0].set_value("bpjs.cikokol")
    at.text_input[1].set_value("BPJS Cabang Cikokol")
    next(s for s in at.selectbox if s.label == "Peran" and s.value is None).set_value("viewer")
    next(b for b in at.button if b.label == "Buat akun").click().run()
    assert not at.exception
    assert "bpjs.cikokol" in all_text(at)
    assert [p.username for p in campaign.waiting_passwords(owner="admin")] == ["bpjs.cikokol"]
    assert any(t.value is not None for t in at.table)
    again = page("city/users.py", actor_for("admin"))  # a reload: a new browser session of the same admin
    assert "1 kata sandi sekali pakai menunggu diunduh" in all_text(again)
    assert any("bpjs.cikokol" in t.value.to_string() for t in again.table)
    denied = page("city/users.py", actor_for("walikota"))
    assert denied.error and not denied.dataframe, "viewers cannot open user management"


def test_audit_page_filters_and_paginates(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/audit.py", actor_for("admin"))
    assert not at.exception and "terbaru lebih dulu" in all_text(at)
    at.selectbox[1].set_value("sistem").run()
    assert not at.exception
    assert set(at.dataframe[0].value["Pengguna"]) <= {"sistem"}


def test_company_declines_with_a_reason_the_city_sees(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    username = _silent_company_user()
    at = page("company/home.py", actor_for(username))
    assert not at.exception and at.expander[-1].label == "Kami belum dapat ikut serta saat ini"
    assert at.radio[0].value is None  # no reason chosen for the company
    next(b for b in at.button if b.label == "Lanjut").click().run()
    assert at.error and "Pilih salah satu alasan" in at.error[0].value  # one click records nothing
    at.radio[0].set_value("other")
    next(b for b in at.button if b.label == "Lanjut").click().run()
    assert at.error and "tuliskan alasannya" in at.error[0].value  # bad input: nothing saved
    at.text_area[0].set_value("Menunggu RUPS bulan depan")
    next(b for b in at.button if b.label == "Lanjut").click().run()
    assert "Kirim jawaban" in all_text(at) and "Lainnya" in all_text(at)  # the confirmation repeats the choice
    company_id = actor_for(username).company_id
    with state.db() as s:
        assert s.exec(select(LetterRecipient).where(LetterRecipient.company_id == company_id)).one().declined_at is None
    next(b for b in at.button if b.label == "Ya, kirim jawaban").click().run()
    assert not at.exception and "belum dapat ikut serta" in all_text(at)
    with state.db() as s:
        recipient = s.exec(select(LetterRecipient).where(LetterRecipient.company_id == company_id)).one()
        assert recipient.decline_reason == "other" and recipient.decline_note == "Menunggu RUPS bulan depan"
    next(b for b in at.button if b.label == "Tarik jawaban ini").click().run()  # the company takes it back
    assert not at.exception and at.expander[-1].label == "Kami belum dapat ikut serta saat ini"
    with state.db() as s:
        recipient = s.exec(select(LetterRecipient).where(LetterRecipient.company_id == company_id)).one()
        assert recipient.declined_at is not None and recipient.decline_withdrawn_at is not None


def test_profile_says_when_the_site_is_approximate(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    with state.db() as s:
        company_id = s.exec(select(Company.id).where(Company.site_approximate)).first()
        username = s.exec(select(User.username).where(User.company_id == company_id)).one()
    at = page("company/profile.py", actor_for(username))
    assert not at.exception and any("perkiraan" in w.value for w in at.warning)


def test_password_page_changes_the_password_and_keeps_this_session(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    with state.db() as s:
        otp = campaign.create_city_user(
            session=s, actor=actor_for("admin"), username="ganti.sandi", display_name="Uji", email="", role="viewer"
        )
    me = actor_for("ganti.sandi")
    at = page("public/password.py", me)
    assert not at.exception and "kata sandi sekali pakai" in all_text(at)
    at.text_input[0].set_value(otp.password)
    at.text_input[1].set_value("pendek")
    at.text_input[2].set_value("pendek")
    at.button[0].click().run()
    assert at.error and "minimal 10" in at.error[0].value
    at.text_input[0].set_value(otp.password)
    at.text_input[1].set_value("Sandi-Baru-2025")
    at.text_input[2].set_value("Sandi-Baru-2025")
    at.button[0].click().run()
    assert not at.exception and "sudah diganti" in all_text(at)
    assert at.session_state[state.VERSION_KEY] == 1 and at.session_state[state.REISSUE_COOKIE_KEY]
    with Session(state.engine()) as s:
        user = s.exec(select(User).where(User.username == "ganti.sandi")).one()
        assert not user.must_change_password and user.session_version == 1
        assert s.exec(select(AuditLog).where(AuditLog.action == "password.change", AuditLog.user_id == user.id)).one()
