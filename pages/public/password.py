"""Change password (every signed-in role, any time; required after a one-time password). Ends other sessions."""

import streamlit as st

from models import Role
from services import campaign
from ui import login, state

actor = state.require(Role.COMPANY, Role.ADMIN, Role.VIEWER)
st.title("Ganti kata sandi")
if state.load(campaign.must_change_password, user_id=actor.user_id):
    st.warning(
        "Anda masuk dengan kata sandi sekali pakai. Buat kata sandi Anda sendiri dulu untuk membuka menu lainnya."
    )
st.caption(
    "Minimal 10 karakter, campuran huruf dengan angka atau tanda baca, tidak memuat nama pengguna. "
    "Setelah diganti, sesi Anda di perangkat lain berakhir."
)
with st.form("ganti_sandi", clear_on_submit=True):
    current = st.text_input("Kata sandi saat ini", type="password")
    new = st.text_input("Kata sandi baru", type="password")
    repeat = st.text_input("Ulangi kata sandi baru", type="password")
    submitted = st.form_submit_button("Ganti kata sandi", type="primary")
if submitted:
    changed = state.act(
        campaign.change_password,
        actor=actor,
        current=current,
        new=new,
        repeat=repeat,
        client=login.this_client(),
    )
    if changed is not None:
        state.sign_in(actor, *changed)  # this session goes on; the others end
        st.session_state[state.REISSUE_COOKIE_KEY] = True
        st.session_state["password_flash"] = True
        st.rerun()
if st.session_state.pop("password_flash", False):
    st.success("Kata sandi sudah diganti. Sesi di perangkat lain telah diakhiri.")
