"""Downloads of personal data, made only when the user clicks and audited then.

`st.download_button(data=bytes)` puts the file in Streamlit's media store when the page *renders*: anyone with
its URL can fetch it without a cookie, nobody has clicked, nothing is audited. Here `data` is a callable, which
Streamlit 1.67 runs on the click (in a server thread, outside the script run: it must not touch
`st.session_state`, so everything it needs is captured now). The callable builds the file, writes the audit
row in its own Session and commits, then returns the bytes; a failed build or audit yields no file.
"""

import inspect
import logging
from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlmodel import Session

from services.platform.text import safe_filename
from ui import server_guard, state

log = logging.getLogger("payung.downloads")


def audited_download(
    where: Any,
    label: str,
    *,
    build: Callable[[], bytes],
    record: Callable[..., None],
    file_name: str,
    mime: str,
    key: str | None = None,
    icon: str | None = ":material/download:",
) -> None:
    """A download button whose file is built and audited on the click.

    `build` makes the bytes (from data already loaded for the page, or by a service call of its own);
    `record(session=…)` writes the audit row (typically a service such as `pledges.record_download`) — it runs in
    a fresh Session that is committed here. Pass `where` = `st` or a column/container.
    """
    engine = state.engine()  # captured now: the click runs outside the script, where st.cache_* is not safe
    file_name = safe_filename(file_name)
    username = _username()

    def _on_click() -> bytes:
        data = build()
        server_guard.expect(data, username)  # only this user's cookie may fetch it, once
        with Session(engine, expire_on_commit=False) as session:
            record(session=session)
            session.commit()
        log.info("download built file=%s bytes=%d", file_name, len(data))
        return data

    where.download_button(label, data=_on_click, file_name=file_name, mime=mime, key=key, icon=icon, on_click="ignore")


def _username() -> str:
    actor = state.actor()
    return actor.username if actor is not None else ""


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def service_download(
    label: str,
    service: Callable[..., bytes],
    file_name: str,
    *,
    key: str,
    where: Any = st,
    on_click: Callable[[], None] | str = "ignore",
    **kwargs: Any,
) -> None:
    """A download whose file one service call makes (and audits) when the user clicks, not when the page renders.
    `on_click` runs in the page's rerun after the click (default: no rerun, so other buttons keep their files).

    Streamlit 1.67 runs the callable outside the script run, where `st.cache_resource` is not safe: the engine is
    captured now. Services that need no database (`sheets.errors_report_xlsx`) are called without a session."""
    engine = state.engine()
    file_name = safe_filename(file_name)
    needs_session = "session" in inspect.signature(service).parameters
    username = _username()

    def _on_click() -> bytes:
        if not needs_session:
            data = service(**kwargs)
        else:
            with Session(engine, expire_on_commit=False) as session:
                data = service(session=session, **kwargs)
        server_guard.expect(data, username)
        return data

    where.download_button(
        label,
        data=_on_click,
        file_name=file_name,
        mime=XLSX if file_name.endswith(".xlsx") else "application/pdf",
        icon=":material/download:",
        key=key,
        on_click=on_click,
    )
