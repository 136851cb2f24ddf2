"""Guard the class "a command changed a status and forgot the history" (issue 21).

Every module under services/ that writes the status (or the size) of a pledge or an assignment - an attribute
assignment `x.status = ...` / `x.workers = ...`, an `update(...).values(status=...)`, or a new row built with a
status - must also write the history through `services.platform.history` in the same module. A new writer that
forgets it fails here, before any figure "as of" a past date goes wrong.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HISTORY_CALLS = {"sync_pledges", "sync_assignments", "sync_pledge_ids", "sync_assignment_ids", "rebuild"}
# Modules that write statuses but leave the history to another step, and why.
EXEMPT = {
    "services/demo/timeline.py": "the demo dates its rows afterwards; services/demo/insight_demo.py rebuilds",
}


def _touches_pledges_or_assignments(tree: ast.Module) -> bool:
    names = {"Assignment", "Pledge", "AssignmentStatus", "PledgeStatus"}
    return any(isinstance(node, ast.ImportFrom) and any(a.name in names for a in node.names) for node in ast.walk(tree))


def _writes_status(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for leaf in ast.walk(t):
                    if isinstance(leaf, ast.Attribute) and leaf.attr in ("status", "workers"):
                        return True
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("values", "Assignment", "Pledge") and any(k.arg == "status" for k in node.keywords):
                return True
    return False


def _calls_history(tree: ast.Module) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr in HISTORY_CALLS for n in ast.walk(tree))


def writers() -> dict[str, bool]:
    out = {}
    for path in sorted((ROOT / "services").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "services/platform/history.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if _touches_pledges_or_assignments(tree) and _writes_status(tree):
            out[rel] = _calls_history(tree)
    return out


def test_every_status_writer_writes_the_history() -> None:
    found = writers()
    # The scan sees the writers we know of (a scan that finds nothing guards nothing).
    for known in ("services/pledges/commands.py", "services/matching/service.py", "services/coverage/results.py"):
        assert known in found
    missing = [m for m, ok in found.items() if not ok and m not in EXEMPT]
    assert missing == [], f"these modules change statuses without services.platform.history: {missing}"


def test_the_scan_catches_a_forgetful_writer() -> None:
    forgetful = ast.parse(
        "from models import Assignment\ndef f(session, a):\n    a.status = 'released'\n    session.commit()\n"
    )
    assert _touches_pledges_or_assignments(forgetful) and _writes_status(forgetful)
    assert not _calls_history(forgetful)
    bulk = ast.parse("from models import Pledge\nupdate(Pledge).values(status='matched')\n")
    assert _writes_status(bulk)
