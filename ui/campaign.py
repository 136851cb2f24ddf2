"""Streamlit helpers of the campaign desk pages: downloads made on the click, the one-time password block, the
company's decline action. No business rules: each calls one service."""

import datetime as dt

import streamlit as st

from services import campaign
from services.platform import fmt
from services.platform.authz import Actor
from services.platform.errors import ValidationError
from ui import state, text
from ui.downloads import service_download as download  # noqa: F401  (the pages' name for it)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FLASH_KEY = "campaign_flash"  # one message carried over the rerun that follows a successful command


def done(message: str) -> None:
    """Keep the message for the next run and rerun (the page redraws with the saved data)."""
    st.session_state[FLASH_KEY] = message
    st.rerun()


def show_done() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message)


def keep_passwords(actor: Actor, passwords: list[campaign.OneTimePassword]) -> None:
    """Keep the new passwords for the admin who made them (in the server's memory, not the browser session): a
    reload or a new browser session of the same admin finds them until one download takes them."""
    campaign.keep_passwords(owner=actor.username, passwords=passwords)


def passwords_block(actor: Actor) -> None:
    """The one-time passwords this admin made and has not downloaded yet: downloadable once (audited) for the mail
    merge, then gone. They wait an hour at most, in memory only; a server restart loses them."""
    passwords = campaign.waiting_passwords(owner=actor.username)
    if not passwords:
        return
    with st.container(border=True):
        st.markdown(f"**{fmt.number(len(passwords))} kata sandi sekali pakai menunggu diunduh.**")
        st.caption(
            "Unduh daftarnya untuk surat (mail merge); pengguna wajib menggantinya saat pertama masuk. Daftar ini "
            "tetap ada jika halaman dimuat ulang, sampai diunduh satu kali (lalu hilang) atau paling lama 60 menit. "
            "Daftar hanya disimpan di memori server: jika server dimulai ulang, buat kata sandi sekali pakai baru "
            "untuk akun-akun itu lewat menu Pengguna."
        )
        if len(passwords) <= 5:
            st.table({"Nama pengguna": [p.username for p in passwords], "Kata sandi": [p.password for p in passwords]})
        c1, c2 = st.columns(2)
        username = actor.username
        download(  # on the click, in a server thread: takes the list from memory, audited
            "Unduh daftar kata sandi (Excel)",
            campaign.waiting_password_sheet,
            f"kata-sandi-sekali-pakai-{dt.date.today():%d-%m-%Y}.xlsx",
            key="dl_passwords",
            where=c1,
            on_click=lambda: campaign.claim_passwords(owner=username),  # the page redraws without the list
            actor=actor,
        )
        if c2.button("Buang daftar kata sandi", icon=":material/delete:"):
            campaign.discard_passwords(owner=username)
            st.rerun()


DECLINE_DRAFT = "decline_draft"  # the reason chosen, waiting for the company's confirmation


def decline_block(actor: Actor, company_id: int) -> None:
    """Company home: "Kami belum dapat ikut serta saat ini" with a reason the company chooses itself (nothing is
    chosen for it), a confirmation before it is sent, and a way to take it back."""
    answer = state.load(campaign.company_answer, actor=actor, company_id=company_id)
    if answer.recipient_id is None or answer.responded_at is not None:
        return
    if answer.declined:
        reason = campaign.DECLINE_REASONS.get(answer.decline_reason or "", answer.decline_reason)
        st.info(
            f"Anda menyatakan belum dapat ikut serta ({reason}). Disnaker sudah menerima jawaban ini; "
            "Anda tetap dapat membuat ikrar kapan saja, atau menarik jawaban ini."
        )
        withdraw = st.button("Tarik jawaban ini", icon=":material/undo:", key="decline_withdraw")
        if withdraw and state.act(campaign.withdraw_decline, actor=actor, company_id=company_id) is not None:
            st.rerun()
        return
    draft = st.session_state.get(DECLINE_DRAFT)
    if draft is not None:
        _confirm_decline(actor, company_id, draft)
        return
    with st.expander("Kami belum dapat ikut serta saat ini"), st.form("tolak"):
        reason = st.radio(
            "Alasan",
            list(campaign.DECLINE_REASONS),
            index=None,
            format_func=campaign.DECLINE_REASONS.__getitem__,
        )
        note = st.text_area("Keterangan (wajib untuk 'Lainnya')", max_chars=500)
        if st.form_submit_button("Lanjut"):
            try:
                st.session_state[DECLINE_DRAFT] = {"reason": reason, "note": campaign.check_decline(reason, note)}
            except ValidationError as exc:
                st.error(str(exc))
            else:
                st.rerun()


def _confirm_decline(actor: Actor, company_id: int, draft: dict[str, str]) -> None:
    label = campaign.DECLINE_REASONS[draft["reason"]]
    with st.container(border=True):
        st.markdown(f'**Kirim jawaban "belum dapat ikut serta" ke Disnaker?**  \nAlasan: {text.md(label)}')
        if draft["note"].strip():
            st.caption(f"Keterangan: {text.md(draft['note'].strip())}")
        c1, c2 = st.columns(2)
        if c1.button("Ya, kirim jawaban", type="primary", key="decline_confirm"):
            done = state.act(campaign.decline_letter, actor=actor, company_id=company_id, **draft)
            if done is not None:
                st.session_state.pop(DECLINE_DRAFT, None)
                st.rerun()
        if c2.button("Batal", key="decline_cancel"):
            st.session_state.pop(DECLINE_DRAFT, None)
            st.rerun()
