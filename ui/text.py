"""Data shown inside Streamlit Markdown (titles, captions, st.markdown, alerts) must not be interpreted:
a company named `[klik](javascript:…)` would otherwise become a live link in its own page title."""

import re

# Every ASCII punctuation mark may be backslash-escaped in CommonMark; escaping all of them also stops
# Streamlit's extras (:material/…: icons, :red[…] colours, $…$ formulas, emoji short codes).
_SPECIAL = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")


def md(value: object) -> str:
    """`value` as literal text for a Markdown string (line breaks kept as spaces)."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(value).split()))
