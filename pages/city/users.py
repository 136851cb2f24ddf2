"""User management (admin): city users (admin, viewer) — create, deactivate (ends their sessions at once),
reactivate, reset with a new one-time password, change role. Company accounts come from the recipients import."""

import streamlit as st

from models import Role
from services import campaign, coverage
from services.platform import fmt
from ui import campaign as campaign_ui
from ui import state

actor = state.require(Role.ADMIN)
st.title("Pengguna")
campaign_ui.show_done()
campaign_ui.passwords_block(actor)

ROLE_FILTER = {"": "Semua peran", **campaign.ROLE_LABELS}
role = st.selectbox("Peran", list(ROLE_FILTER), format_func=ROLE_FILTER.__getitem__)
users = state.load(campaign.list_users, actor=actor, role=role or None)
st.dataframe(
    users.assign(
        Peran=users["role"].map(campaign.ROLE_LABELS),
        Status=users["active"].map({True: "Aktif", False: "Nonaktif"}),
        Wajib_ganti=users["must_change"].map({True: "Ya", False: ""}),
        Login=users["last_login_at"].map(lambda t: fmt.date(t) if t is not None and t == t else ""),
    )[["username", "display_name", "Peran", "Status", "Wajib_ganti", "Login"]],
    column_config={
        "username": "Nama pengguna",
        "display_name": "Nama",
        "Wajib_ganti": "Wajib ganti sandi",
        "Login": "Login terakhir",
    },
    hide_index=True,
    width="stretch",
)

with st.expander("Tambah pengguna kota atau petugas cabang BPJS"), st.form("pengguna_baru", clear_on_submit=True):
    c1, c2 = st.columns(2)
    username = c1.text_input("Nama pengguna", placeholder="siti.disnaker")
    # No default role: the choice is explicit, and admin needs the box below ticked too (least privilege).
    new_role = c2.selectbox(
        "Peran",
        list(campaign.NEW_USER_ROLES),
        index=None,
        placeholder="Pilih peran",
        format_func=campaign.ROLE_LABELS.__getitem__,
    )
    branch = st.selectbox("Cabang BPJS (hanya untuk petugas cabang)", ["", *coverage.branches()])
    name = st.text_input("Nama lengkap")
    email = st.text_input("Email")
    grant = st.checkbox("Saya memberi peran Admin kota (akses penuh) dengan sengaja", key="grant_admin_new")
    if st.form_submit_button("Buat akun", type="primary"):
        otp = state.act(
            campaign.create_city_user,
            actor=actor,
            username=username,
            display_name=name,
            email=email,
            role=new_role,
            confirm_admin=grant,
            branch=branch or "",
        )
        if otp is not None:
            campaign_ui.keep_passwords(actor, [otp])
            campaign_ui.done(f"Akun {otp.username} dibuat dengan kata sandi sekali pakai.")

st.subheader("Ubah satu akun")
names = {int(i): f"{u} · {n}" for i, u, n in zip(users["id"], users["username"], users["display_name"], strict=True)}
if not names:
    st.stop()
uid = st.selectbox("Akun", list(names), format_func=names.__getitem__, key="user_pick")
picked = users[users["id"] == uid].iloc[0]


def apply(service: object, message: str, **kwargs: object) -> None:
    """One account change; on success a message after the rerun, on failure the service's message stays."""
    done = state.act(service, actor=actor, user_id=uid, **kwargs)  # type: ignore[arg-type]
    if done is not None:
        if isinstance(done, campaign.OneTimePassword):
            campaign_ui.keep_passwords(actor, [done])
        campaign_ui.done(message)


c1, c2, c3 = st.columns(3)
if picked["active"] and c1.button("Nonaktifkan", icon=":material/block:"):
    apply(campaign.set_active, f"{picked['username']} dinonaktifkan; sesinya langsung berakhir.", active=False)
if not picked["active"] and c1.button("Aktifkan lagi", icon=":material/check_circle:"):
    apply(campaign.set_active, f"{picked['username']} aktif kembali.", active=True)
if c2.button("Buat kata sandi sekali pakai baru", icon=":material/key:"):
    apply(campaign.reset_password, f"Kata sandi {picked['username']} diganti; sesinya berakhir.")
if picked["role"] in campaign.CITY_ROLES:
    other = Role.VIEWER if picked["role"] == Role.ADMIN else Role.ADMIN
    sure = other != Role.ADMIN or c3.checkbox("Ya, beri akses admin penuh", key="grant_admin_existing")
    if c3.button(f"Jadikan {campaign.ROLE_LABELS[other]}", icon=":material/swap_horiz:"):
        apply(
            campaign.change_role,
            f"{picked['username']} sekarang {campaign.ROLE_LABELS[other]}.",
            role=other,
            confirm_admin=bool(sure),
        )
