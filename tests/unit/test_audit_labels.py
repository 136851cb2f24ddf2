"""Guard: every audit action the code can write has a readable Indonesian label in the log viewer.

Scans services/, ui/ and app.py for action codes (`action="x.y"` and quoted `"auth.…"`-style literals) so a new
action without a label fails here instead of showing a raw code to the city's staff."""

import re
from pathlib import Path

from services.platform.audit_log import ACTION_LABELS

ROOT = Path(__file__).resolve().parents[2]
_ACTION = re.compile(r"""action=["']([a-z_]+(?:\.[a-z_]+)+)["']""")
_LITERAL = re.compile(r"""["']((?:auth|access|page)\.[a-z_]+)["']""")


def _codes() -> set[str]:
    found: set[str] = set()
    for path in [*(ROOT / "services").rglob("*.py"), *(ROOT / "ui").rglob("*.py"), ROOT / "app.py"]:
        text = path.read_text(encoding="utf-8")
        found.update(_ACTION.findall(text))
        found.update(_LITERAL.findall(text))
    return found


def test_every_audit_action_has_an_indonesian_label() -> None:
    codes = _codes()
    assert len(codes) > 40  # the scan sees the whole code base
    missing = sorted(codes - set(ACTION_LABELS))
    assert missing == [], f"add these to ACTION_LABELS in services/platform/audit_log.py: {missing}"
