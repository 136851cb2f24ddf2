"""Indonesian text where Streamlit's own widget text cannot be changed (1.67): the file uploader's "Upload"
button and its "30MB per file • XLSX, CSV" line. CSS hides Streamlit's words (invisible and without size, so
neither the eye nor the page's text meets them) and shows ours in their place, whatever the browser's language.
Static CSS only: no data goes into it."""

import streamlit as st

DROPZONE = '[data-testid="stFileUploaderDropzone"]'
INPUT = '[data-testid="stFileUploaderDropzoneInput"]'
HINT = '[data-testid="stFileUploaderDropzoneInstructions"] span'
BUTTON_TEXT = "Pilih berkas"
DROP = "Tarik berkas ke sini atau klik Pilih berkas"
HINTS = {  # by the file types the uploader accepts (its input's accept attribute)
    "": f"{DROP} · maks. 30 MB per berkas",
    ".xlsx": f"{DROP} · Excel (.xlsx) atau CSV, maks. 30 MB",
    ".pdf": f"{DROP} · PDF, maks. 10 MB",
}


def _css() -> str:
    rules = [
        f'{DROPZONE} button [data-testid="stMarkdownContainer"] p {{ font-size: 0; visibility: hidden; }}',
        f'{DROPZONE} button [data-testid="stMarkdownContainer"] p::after '
        f'{{ content: "{BUTTON_TEXT}"; font-size: 0.875rem; visibility: visible; }}',
        f"{DROPZONE} {HINT} {{ font-size: 0; visibility: hidden; }}",
    ]
    for accept, hint in HINTS.items():
        scope = f'{INPUT}[accept*="{accept}"] ~ ' if accept else ""
        rules.append(
            f'{DROPZONE} {scope}{HINT}::after {{ content: "{hint}"; font-size: 0.875rem; visibility: visible; }}'
        )
    return "<style>" + "\n".join(rules) + "</style>"


CSS = _css()


def indonesian_widgets() -> None:
    """Call once per run from the frame, before the page draws its widgets."""
    st.html(CSS)
