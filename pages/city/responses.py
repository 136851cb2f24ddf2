"""Responses (admin): every recipient of the active letter and its answer — sent, logged in, pledged or declined
(with the company's reason) — the letter's dispatch, and the reminders and calls logged per company."""

import datetime as dt

import pandas as pd
import streamlit as st

from models import Role
from services import campaign, insight
from services.platform import fmt
from ui import campaign as campaign_ui
from ui import state, widgets
from ui.tables import indonesian_styler

actor = state.require(Role.ADMIN)
st.title("Tanggapan penerima surat")
campaign_ui.show_done()
frame = state.load(campaign.recipients, actor=actor)
progress = state.load(insight.campaign_progress)  # the catalogued figures: the same values as the dashboard
if progress is not None:
    for column, key in zip(st.columns(3), ["letters_sent", "companies_answered", "response_rate"], strict=True):
        widgets.metric(column, key, progress[key])
counts = frame["status"].value_counts()
cols = st.columns(len(campaign.STATUS_LABELS))
for col, (status, label) in zip(cols, campaign.STATUS_LABELS.items(), strict=True):
    col.metric(label, fmt.number(int(counts.get(status, 0))))

declined = frame[frame["declined_at"].notna()]  # a withdrawn decline stays listed: the city sees both events
if not declined.empty:
    st.subheader("Belum dapat ikut serta — alasan perusahaan")
    st.table(
        {
            "Perusahaan": list(declined["company"]),
            "Alasan": [campaign.DECLINE_REASONS.get(r, r) for r in declined["decline_reason"]],
            "Keterangan": list(declined["decline_note"]),
            "Tanggal": [fmt.date(t) for t in declined["declined_at"]],
            "Ditarik": [fmt.date(t) if pd.notna(t) else "–" for t in declined["decline_withdrawn_at"]],
            "Sekarang": [campaign.STATUS_LABELS[s] for s in declined["status"]],
        }
    )

status_filter = st.multiselect(
    "Status", list(campaign.STATUS_LABELS), format_func=campaign.STATUS_LABELS.__getitem__, placeholder="Semua status"
)
shown = frame[frame["status"].isin(status_filter)] if status_filter else frame
table = shown.assign(
    Status=shown["status"].map(campaign.STATUS_LABELS),
    Terkirim=campaign.as_dates(shown["sent_at"]),
)
headers = {
    "company": "Perusahaan",
    "Status": "Status",
    "Terkirim": "Terkirim",
    "days_since_letter": "Hari sejak surat",
    "reminders": "Pengingat",
    "kecamatan": "Kecamatan",
    "sector": "Sektor",
}
st.dataframe(indonesian_styler(table, headers, days=("days_since_letter",)), hide_index=True, width="stretch")

with st.expander("Catat pengiriman surat"), st.form("kirim"):
    st.caption("Berlaku untuk semua penerima yang belum tercatat menerima surat.")
    c1, c2 = st.columns(2)
    sent_on = c1.date_input("Tanggal kirim", value=dt.date.today(), format="DD/MM/YYYY")
    channel = c2.selectbox("Cara kirim", list(campaign.SEND_CHANNELS), format_func=campaign.SEND_CHANNELS.__getitem__)
    if st.form_submit_button("Catat terkirim"):
        n = state.act(campaign.mark_sent, actor=actor, sent_on=sent_on, channel=channel)
        if n is not None:
            campaign_ui.done(f"Pengiriman surat dicatat untuk {fmt.number(n)} penerima.")

st.subheader("Riwayat kontak satu perusahaan")
names = {int(k): str(v) for k, v in zip(frame["recipient_id"], frame["company"], strict=True)}
if names:
    rid = st.selectbox("Perusahaan", list(names), format_func=names.__getitem__, key="contact_pick")
    st.dataframe(
        state.load(campaign.contacts, actor=actor, recipient_id=rid),
        column_config={"Tanggal": st.column_config.DateColumn(format="DD/MM/YYYY")},
        hide_index=True,
        width="stretch",
    )
    with st.form("kontak"):
        c1, c2, c3 = st.columns(3)
        on = c1.date_input("Tanggal", value=dt.date.today(), format="DD/MM/YYYY")
        via = c2.selectbox(
            "Saluran", list(campaign.CONTACT_CHANNELS), format_func=campaign.CONTACT_CHANNELS.__getitem__
        )
        outcome = c3.selectbox("Hasil", campaign.OUTCOMES)
        note = st.text_input("Catatan", max_chars=500)
        if st.form_submit_button("Catat kontak"):
            done = state.act(
                campaign.log_contact,
                actor=actor,
                recipient_id=rid,
                contacted_on=on,
                channel=via,
                outcome=outcome,
                note=note,
            )
            if done is not None:
                campaign_ui.done(f"Kontak dengan {names[rid]} dicatat.")
