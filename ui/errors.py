"""Unexpected errors: the user sees a generic Indonesian message with a reference number; the detail (type,
message, traceback, which may hold SQL, parameters and paths) goes only to the server log under that number."""

import logging
import secrets

import streamlit as st

from ui import state

log = logging.getLogger("payung.errors")


def reference() -> str:
    return secrets.token_hex(4).upper()


def show_unexpected(exc: BaseException, *, where: str = "") -> str:
    ref = reference()
    current = state.actor()
    log.error("unexpected error ref=%s page=%s user=%s", ref, where, current.username if current else "-", exc_info=exc)
    st.error(
        "Maaf, terjadi kesalahan yang tidak terduga dan permintaan Anda tidak selesai. Coba lagi sebentar lagi; "
        f"jika terulang, hubungi admin Disnaker dan sebutkan kode rujukan **{ref}**.",
        icon=":material/error:",
    )
    return ref
