"""Two downloads clicked in quick succession (issue 22): a rerun made between two clicks must not drop the second
button's file. Streamlit's own MediaFileManager is driven directly, as a run and its rerun drive it."""

import ast
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ui import server_guard

ROOT = Path(__file__).resolve().parents[2]


def _two_runs(manager: MediaFileManager) -> str:
    """Run 1 draws a button (its id is returned); a click reruns the page, which draws the button again."""
    first = manager.add_deferred(lambda: b"%PDF-1.4 run one", "application/pdf", "1.0", file_name="a.pdf")
    manager.clear_session_refs()  # the start of run 2
    manager.add_deferred(lambda: b"%PDF-1.4 run two", "application/pdf", "1.0", file_name="a.pdf")
    manager.remove_orphaned_files()  # the end of run 2
    return first


def test_streamlit_alone_drops_the_id_a_browser_may_still_hold() -> None:
    """What the user met: the click that still carried run 1's id got no file. (Streamlit's own method, even when
    another test of the run has installed the guard on MediaFileManager.)"""

    class Plain(MediaFileManager):
        _remove_orphaned_deferred_callables = getattr(
            MediaFileManager, "_payung_streamlit_remove", MediaFileManager._remove_orphaned_deferred_callables
        )

    manager = Plain(MemoryMediaFileStorage("/media"))
    stale = _two_runs(manager)
    with pytest.raises(MediaFileStorageError, match="not found"):
        manager.execute_deferred(stale)


def test_the_guard_keeps_a_replaced_id_makeable_within_the_grace() -> None:
    class Kept(MediaFileManager):
        pass

    server_guard.keep_deferred_downloads(Kept)
    manager = Kept(MemoryMediaFileStorage("/media"))
    stale = _two_runs(manager)
    manager.remove_orphaned_files()  # more reruns within the grace
    assert manager.execute_deferred(stale).startswith("/media/")


def test_after_the_grace_a_replaced_id_is_dropped() -> None:
    class Brief(MediaFileManager):
        pass

    server_guard.keep_deferred_downloads(Brief, grace=server_guard.dt.timedelta(0))
    manager = Brief(MemoryMediaFileStorage("/media"))
    stale = _two_runs(manager)
    assert manager.execute_deferred(stale)  # first seen unreferenced now: its grace starts
    manager.remove_orphaned_files()
    with pytest.raises(MediaFileStorageError, match="not found"):
        manager.execute_deferred(stale)
    assert len(manager._deferred_callables) == 1  # noqa: SLF001  (the button drawn now keeps its id)


def test_the_server_installs_the_grace() -> None:
    server_guard.install(cookie_key="uji-" + "k" * 40)
    assert getattr(MediaFileManager, "_payung_keeps_deferred", False)


def _download_calls() -> list[tuple[str, ast.Call]]:
    calls = []
    for script in [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "download_button":
                calls.append((f"{script.relative_to(ROOT)}:{node.lineno}", node))
    return calls


def test_every_download_button_says_whether_its_click_reruns_the_page() -> None:
    """Streamlit's default reruns the page on every download click, which replaced every other button's file id.
    Each button states it: "ignore" unless the page must redraw what the download changed."""
    calls = _download_calls()
    assert len(calls) >= 8
    silent = [where for where, call in calls if "on_click" not in {k.arg for k in call.keywords}]
    assert not silent, f"download_button without on_click: {silent}"
