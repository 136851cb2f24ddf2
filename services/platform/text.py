"""Typed text from forms and files: refuse invisible control characters with a clear message.

A NUL byte cannot be stored by PostgreSQL at all (the driver raises a DataError that used to reach the page
with its SQL); CR, LF and other control characters break CSV rows and confuse readers of the audit log. Tab
and line breaks are allowed only where a field is multi-line (`multiline=True`).
"""

import re

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
