"""The circular letter (city): the active letter and earlier ones; admins create, edit and activate letters."""

import datetime as dt

import streamlit as st

from models import Role
from services import campaign
from services.platform import fmt
from ui import campaign as campaign_ui
from ui import state

actor = state.require(Role.ADMIN, Role.VIEWER)
st.title("Surat edaran")
st.caption(
    "Satu surat aktif pada satu waktu; surat sebelumnya tetap dapat dibaca. Ikrar yang sudah dibuat tidak "
    "berubah bila iuran diubah: iurannya dibekukan saat ikrar dibuat."
)
campaign_ui.show_done()
letters = state.load(campaign.list_letters, actor=actor)


def letter_form(
    key: str, draft: campaign.LetterDraft | None
) -> tuple[campaign.LetterDraft, tuple[str, bytes] | None] | None:
    """The letter's fields; returns (draft, attachment) when submitted."""
    today = dt.date.today()
    with st.form(key):
        number = st.text_input(
            "Nomor surat", value=draft.letter_number if draft else "", placeholder="SE No. 14422/2024"
        )
        c1, c2 = st.columns(2)
        letter_date = c1.date_input("Tanggal surat", value=draft.letter_date if draft else today, format="DD/MM/YYYY")
        deadline = c2.date_input(
            "Batas tanggapan",
            value=draft.response_deadline if draft else today + dt.timedelta(days=60),
            format="DD/MM/YYYY",
        )
        subject = st.text_input("Perihal", value=draft.subject if draft else "")
        body = st.text_area("Isi surat", value=draft.body if draft else "", height=150)
        c3, c4, c5 = st.columns(3)
        target = c3.number_input("Target pekerja kota", value=draft.target_workers if draft else 20_000, step=1000)
        minimum = c4.number_input(
            "Imbauan minimal per perusahaan", value=draft.suggested_min_workers if draft else 100, step=10
        )
        escalation = c5.number_input("Eskalasi setelah (hari)", value=draft.escalation_days if draft else 14, step=1)
        c6, c7 = st.columns(2)
        jkk = c6.number_input(
            "Iuran JKK + JKM (Rp/pekerja/bulan)", value=draft.premium_jkk_jkm if draft else 16_800, step=100
        )
        jht = c7.number_input(
            "Iuran JHT opsional (Rp/pekerja/bulan)", value=draft.premium_jht if draft else 20_000, step=100
        )
        upload = st.file_uploader("Lampiran PDF (maks. 10 MB)", type=["pdf"], key=f"{key}_pdf")
        if not st.form_submit_button("Simpan surat", type="primary"):
            return None
    values = campaign.LetterDraft(
        letter_number=number,
        letter_date=letter_date,
        subject=subject,
        body=body,
        response_deadline=deadline,
        target_workers=int(target),
        suggested_min_workers=int(minimum),
        premium_jkk_jkm=int(jkk),
        premium_jht=int(jht),
        escalation_days=int(escalation),
    )
    return values, ((upload.name, upload.getvalue()) if upload is not None else None)


if not letters:
    st.info("Belum ada surat edaran.")
else:
    labels = {
        ltr.id: f"{ltr.letter_number} · {fmt.date(ltr.letter_date)}" + (" (aktif)" if ltr.is_active else "")
        for ltr in letters
    }
    chosen = st.selectbox("Surat", list(labels), format_func=labels.__getitem__)
    letter = next(ltr for ltr in letters if ltr.id == chosen)
    st.subheader(letter.subject)
    st.markdown(
        f"**{letter.letter_number}** · {fmt.long_date(letter.letter_date)} · batas tanggapan "
        f"{fmt.long_date(letter.response_deadline)} · {'**aktif**' if letter.is_active else 'tidak aktif'}"
    )
    st.write(letter.body)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Target pekerja", fmt.number(letter.target_workers))
    c2.metric("Imbauan minimal", fmt.number(letter.suggested_min_workers))
    c3.metric("Iuran JKK + JKM", fmt.rupiah(letter.premium_jkk_jkm))
    c4.metric("Penerima", fmt.number(letter.recipients))
    st.caption(
        f"JHT opsional {fmt.rupiah(letter.premium_jht)} · eskalasi {letter.escalation_days} hari setelah surat dikirim."
    )
    if letter.attachment_name:
        campaign_ui.download(
            f"Unduh lampiran ({letter.attachment_name})",
            campaign.letter_file,
            letter.attachment_name,
            key=f"att_{letter.id}",
            actor=actor,
            campaign_id=letter.id,
        )
    if actor.is_admin:
        activate = not letter.is_active and st.button("Jadikan surat aktif")
        if activate and state.act(campaign.activate_letter, actor=actor, campaign_id=letter.id):
            campaign_ui.done(f"{letter.letter_number} sekarang surat aktif.")
        with st.expander("Ubah surat ini"):
            submitted = letter_form(f"ubah_{letter.id}", letter.draft())
            if submitted and state.act(
                campaign.update_letter, actor=actor, campaign_id=letter.id, draft=submitted[0], attachment=submitted[1]
            ):
                campaign_ui.done("Perubahan surat disimpan.")

if actor.is_admin:
    with st.expander("Buat surat baru", expanded=not letters):
        submitted = letter_form("baru", None)
        if submitted and state.act(campaign.create_letter, actor=actor, draft=submitted[0], attachment=submitted[1]):
            campaign_ui.done(f"Surat {submitted[0].letter_number.strip()} disimpan dan menjadi surat aktif.")
