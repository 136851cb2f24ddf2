"""Chasing (admin): the companies that have not answered — longest waiting first, filterable, as an Excel call
list — and a reminder by e-mail (SMTP, or the outbox in demo mode) or WhatsApp. Every reminder is logged."""

import streamlit as st

from models import Channel, Role
from services import campaign
from services.platform import fmt
from ui import campaign as campaign_ui
from ui import state
from ui.tables import indonesian_styler

actor = state.require(Role.ADMIN)
st.title("Belum menjawab")
campaign_ui.show_done()
everyone = state.load(campaign.non_responders, actor=actor)
c1, c2, c3 = st.columns(3)
kecamatan = c1.multiselect("Kecamatan", sorted(everyone["kecamatan"].dropna().unique()), placeholder="Semua")
sectors = c2.multiselect("Sektor", sorted(everyone["sector"].dropna().unique()), placeholder="Semua")
min_days = c3.number_input("Minimal hari sejak surat", min_value=0, value=0, step=7)
query = st.text_input("Cari nama perusahaan")
chase = campaign.ChaseFilter(kecamatan=kecamatan, sectors=sectors, min_days=int(min_days), query=query)
shown = state.load(campaign.non_responders, actor=actor, chase=chase)
st.caption(f"{fmt.number(len(shown))} dari {fmt.number(len(everyone))} penerima belum menjawab.")
st.dataframe(
    indonesian_styler(shown, campaign.CALL_LIST_COLUMNS, days=("days_since_letter",)),
    hide_index=True,
    width="stretch",
)
campaign_ui.download(
    "Unduh daftar telepon (Excel)",
    campaign.call_list_xlsx,
    "daftar-telepon.xlsx",
    key="dl_calls",
    actor=actor,
    chase=chase,
)

st.subheader("Kirim pengingat")
names = {int(k): str(v) for k, v in zip(shown["recipient_id"], shown["company"], strict=True)}
if not names:
    st.info("Tidak ada penerima yang perlu diingatkan dengan saringan ini.")
    st.stop()
rid = st.selectbox("Perusahaan", list(names), format_func=names.__getitem__, key="remind_pick")
c1, c2 = st.columns(2)
if c1.button("Kirim email pengingat", icon=":material/mail:"):
    sent = state.act(campaign.send_reminder, actor=actor, recipient_id=rid, channel=Channel.EMAIL)
    if sent is not None:
        campaign_ui.done(sent.message)
if c2.button("Siapkan pesan WhatsApp", icon=":material/chat:"):
    wa = state.act(campaign.send_reminder, actor=actor, recipient_id=rid, channel=Channel.WHATSAPP)
    if wa is not None and wa.whatsapp_url:
        st.session_state["wa_link"] = (names[rid], wa.whatsapp_url)
link = st.session_state.get("wa_link")
if link:
    st.success(f"Pengingat WhatsApp untuk {link[0]} dicatat. Buka tautan di ponsel atau WhatsApp Web Anda:")
    st.link_button("Buka WhatsApp", link[1], icon=":material/open_in_new:")
