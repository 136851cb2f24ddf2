"""Typed text from forms and files: refuse invisible control characters with a clear message.

A NUL byte cannot be stored by PostgreSQL at all (the driver raises a DataError that used to reach the page
with its SQL); CR, LF and other control characters break CSV rows and confuse readers of the audit log. Tab
and line breaks are allowed only where a field is multi-line (`multiline=True`).
"""

import re
import unicodedata
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from services.platform.errors import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def control_character_problem(value: str | None, *, label: str, multiline: bool = False) -> str | None:
    """The Indonesian message for a text holding control characters, or None if it is clean."""
    if not value:
        return None
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    if pattern.search(value):
        return (
            f"{label} berisi karakter tak terlihat (karakter kontrol, misalnya NUL atau ganti baris) yang tidak dapat "
            "disimpan. Ketik ulang isiannya, jangan menempel dari dokumen lain."
        )
    return None


def require_clean(value: str | None, *, label: str, multiline: bool = False) -> str | None:
    """`value` unchanged if clean; otherwise a ValidationError with the message above."""
    problem = control_character_problem(value, label=label, multiline=multiline)
    if problem:
        raise ValidationError(problem)
    return value


def without_control_characters(value: str) -> str:
    """`value` with every control character (and U+2028/9) as a space: for cells of imported files."""
    return _CONTROL_SINGLE_LINE.sub(" ", value)


# --- one escaping function per output context (issue 23): the standard library's, after the characters the
# context cannot carry at all are removed. Every output of a name goes through one of these.

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not allowed in XML 1.0 at all


def xml_text(value: object) -> str:
    """Element text of an XML/SVG document: characters XML 1.0 cannot hold become spaces, then `& < >` escaped."""
    return xml_escape(_NOT_XML.sub(" ", str(value)))


def xml_attr(value: object) -> str:
    """A whole XML attribute value, quotes included (`quoteattr`: `"` and `'` cannot break out)."""
    return quoteattr(_NOT_XML.sub(" ", str(value)).replace("\n", " ").replace("\r", " ").replace("\t", " "))


def header_text(value: object, *, limit: int = 200) -> str:
    """One line for a mail header (a subject): control characters as spaces, so no header can be added."""
    return " ".join(without_control_characters(str(value)).split())[:limit]


_FILENAME_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")


def safe_filename(name: object, *, fallback: str = "berkas", limit: int = 100) -> str:
    """A download's file name from any text: ASCII letters, digits, '.', '_' and '-' only (no quote, slash, CR,
    RTL override or leading dot can reach Content-Disposition or the user's disk); keeps the extension."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    stem = _FILENAME_UNSAFE.sub("-", stem).strip("-._")[:limit] or fallback
    ext = _FILENAME_UNSAFE.sub("", ext)[:10]
    return f"{stem}.{ext}" if ext else stem


def pdf_text(value: object) -> str:
    """Text for the core PDF fonts (Latin-1): typographic characters folded to plain ones, control characters as
    spaces, anything else outside Latin-1 (emoji, RTL override, zero-width) as '?' — shown, never interpreted."""
    s = str(value).replace("–", "-").replace("—", "-").replace("→", "->").replace("·", "-").replace("…", "...")
    s = s.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    s = without_control_characters(unicodedata.normalize("NFKC", s)).replace("\t", " ")
    return s.encode("latin-1", "replace").decode("latin-1")
