"""Outbox (admin): the reminder e-mails — sent through SMTP, or, in demo mode, kept here instead of sent."""

import streamlit as st

from models import Role
from services import campaign
from services.platform import fmt
from services.platform.settings import get_settings
from ui import state

actor = state.require(Role.ADMIN)
st.title("Kotak keluar email")
settings = get_settings()
if settings.smtp_configured:
    st.caption(f"Email dikirim lewat server {settings.smtp_host}. Di bawah: yang sudah dikirim dan yang gagal.")
else:
    st.info("Mode demo / SMTP belum diatur: email pengingat tidak dikirim, melainkan disimpan di sini.")
box = state.load(campaign.outbox, actor=actor)
STATUS = {"sent": "Terkirim", "outbox": "Tidak dikirim (demo)", "failed": "Gagal"}
if box.empty:
    st.write("Belum ada email pengingat.")
    st.stop()
for row in box.itertuples(index=False):
    with st.expander(f"{fmt.date(row.created_at)} · {row.to} · {STATUS.get(row.status, row.status)}"):
        st.markdown(f"**Perihal:** {row.subject}  \n**Oleh:** {row.by}")
        st.text(row.body)
        if row.error:
            st.error(row.error)
