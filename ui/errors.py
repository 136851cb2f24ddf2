"""Unexpected errors: the user sees a generic Indonesian message with a reference number; the detail (type,
message, traceback, which may hold SQL, parameters and paths) goes only to the server log under that number."""

import logging
import secrets

import streamlit as st

from services.platform.db import BUSY_MESSAGE, is_busy
from ui import state

log = logging.getLogger("payung.errors")


def reference() -> str:
    return secrets.token_hex(4).upper()


def show_unexpected(exc: BaseException, *, where: str = "") -> str:
    ref = reference()
    current = state.actor()
    if is_busy(exc):  # "database is locked" outside load/act (a page's own block): not a fault, a busy moment
        log.warning("database busy ref=%s page=%s: %s", ref, where, exc)
        st.warning(BUSY_MESSAGE, icon=":material/hourglass_top:")
        return ref
    log.error("unexpected error ref=%s page=%s user=%s", ref, where, current.username if current else "-", exc_info=exc)
    st.error(
        "Maaf, terjadi kesalahan yang tidak terduga dan permintaan Anda tidak selesai. Coba lagi sebentar lagi; "
        f"jika terulang, hubungi admin Disnaker dan sebutkan kode rujukan **{ref}**.",
        icon=":material/error:",
    )
    return ref
