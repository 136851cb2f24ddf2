"""One import flow for every spreadsheet import page: upload → preview (counts, refused rows with a report to
download, changes old → new) → confirm. The page and the CLI call the same service; the preview's token goes
back with the confirmation, so nothing the officer did not see is applied."""

import functools
import hashlib
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from services import registry
from services.platform import fmt, sheets
from services.platform.authz import Actor
from services.platform.text import safe_filename
from ui import state

COUNT_LABELS = {
    "read": "Dibaca",
    "inserted": "Baru",
    "updated": "Berubah",
    "unchanged": "Tetap",
    "rejected": "Ditolak",
    "duplicates": "Ganda",
    "blank": "Baris kosong",
}


def _report(errors: list[dict[str, Any]], filename: str) -> bytes:
    """Built when the officer clicks (not at render time): the refused rows with their reasons. The rows are
    bound here, not read from session state: the click may run outside the script's context."""
    return registry.errors_report([sheets.RowError(**e) for e in errors], filename)


def import_flow(
    key: str,
    service: Callable[..., registry.ImportResult],
    actor: Actor,
    *,
    upload_label: str,
    confirm_label: str,
    counts: tuple[str, ...] = tuple(COUNT_LABELS),
    with_token: bool = False,
    labels: dict[str, str] | None = None,
) -> registry.ImportResult | None:
    """Draw the flow; returns the committed result once, on the run that committed it."""
    upload = st.file_uploader(upload_label, type=["xlsx", "csv"], key=f"{key}_file")
    if upload is None:
        st.session_state.pop(key, None)
        return None
    content = upload.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    preview: dict[str, Any] | None = st.session_state.get(key)
    if preview is not None and preview["sha"] != digest:
        preview = None
        st.session_state.pop(key, None)
    if st.button("Periksa berkas", key=f"{key}_check", icon=":material/fact_check:"):
        bar = st.progress(0.0, text="Membaca berkas…")
        kwargs: dict[str, Any] = {"progress": lambda f, t: bar.progress(min(f, 1.0), text=t)} if with_token else {}
        result = state.act(service, actor=actor, content=content, filename=upload.name, **kwargs)
        bar.empty()
        if result is not None:
            preview = {
                "sha": digest,
                "name": upload.name,
                "token": result.token,
                "counts": {k: getattr(result, k) for k in COUNT_LABELS},
                "errors": [e.as_dict() for e in result.errors],
                "changes": result.changes,
            }
            st.session_state[key] = preview
    if preview is None:
        return None
    cols = st.columns(len(counts))
    names = {**COUNT_LABELS, **(labels or {})}
    for col, name in zip(cols, counts, strict=True):
        col.metric(names[name], fmt.number(preview["counts"][name]))
    if preview["errors"]:
        st.subheader("Baris yang ditolak atau ganda")
        errors = pd.DataFrame(preview["errors"]).rename(
            columns={"row": "Baris", "column": "Kolom", "value": "Nilai", "reason": "Alasan"}
        )
        st.dataframe(errors.head(1000), hide_index=True, width="stretch")
        st.download_button(
            "Unduh laporan baris yang ditolak",
            data=functools.partial(_report, preview["errors"], preview["name"]),
            file_name=safe_filename(f"ditolak-{preview['name'].rsplit('.', 1)[0]}.xlsx"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:",
            key=f"{key}_report",
            on_click="ignore",
        )
    if preview["changes"]:
        st.subheader("Perubahan data pekerja yang sudah ada (lama → baru)")
        changes = pd.DataFrame(preview["changes"])
        changes["old"], changes["new"] = changes["old"].map(str), changes["new"].map(str)
        st.dataframe(
            changes.rename(
                columns={"row": "Baris", "nik": "NIK", "name": "Nama", "field": "Kolom", "old": "Lama", "new": "Baru"}
            ).head(2000),
            hide_index=True,
            width="stretch",
        )
    pending = preview["counts"]["inserted"] + preview["counts"]["updated"]
    if not pending:
        st.info("Tidak ada yang perlu disimpan: semua baris yang diterima sudah sama dengan data di Payung.")
        return None
    if st.button(confirm_label, type="primary", key=f"{key}_confirm", icon=":material/save:"):
        bar = st.progress(0.0, text="Menyimpan…")
        kwargs = {"expected_token": preview["token"]} if with_token else {}
        if with_token:
            kwargs["progress"] = lambda f, t: bar.progress(min(f, 1.0), text=t)
        done = state.act(service, actor=actor, content=content, filename=upload.name, apply=True, **kwargs)
        bar.empty()
        if done is not None:
            st.session_state.pop(key, None)  # the cached figures follow by the data version the commit bumped
            summary = ", ".join(f"{fmt.number(getattr(done, n))} {names[n].lower()}" for n in counts if n != "read")
            st.success(f"Tersimpan (impor #{done.import_id}): {summary}.")
            return done
    return None
