"""Issue 23, items 4 and 5: the portal's own limits on Streamlit's upload and media routes, without any proxy.

The real Streamlit 1.67 route handlers are built and wrapped exactly as scripts/serve.py installs them, and called
with real Starlette requests. Bad inputs tried: an upload to a session that never drew an upload widget (the
probe's logged-out visitor), a fifth pending file, a session and a server over their byte budget; a worker list
fetched without the cookie, with another user's cookie, after a minute, and a second time. Before the fix every
one of them was accepted or served."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jwt
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.requests import Request
from streamlit.runtime.media_file_storage import MediaFileKind
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.web.server.starlette import starlette_routes

from models import AuditLog
from tests import factories as f
from ui import server_guard as guard

KEY = "uji-" + "k" * 40
COOKIE = "payung_auth"
WORKER_LIST = b"NIK;Nama\r\n3671010101900001;Siti Aminah\r\n"


def _cookie(username: str, *, expired: bool = False) -> str:
    expires = time.time() + (-60 if expired else 3600)
    return jwt.encode({"username": username, "exp_date": expires}, KEY, algorithm="HS256")


def _call(
    endpoint: Any,
    method: str,
    path: str,
    params: dict[str, str],
    *,
    cookie: str | None = None,
    body_read: list[int] | None = None,
    length: int = 10,
    fetch_mode: str = "navigate",
) -> Any:
    headers = [(b"content-length", str(length).encode()), (b"sec-fetch-mode", fetch_mode.encode())]
    if cookie:
        headers.append((b"cookie", f"{COOKIE}={cookie}".encode()))
    scope = {
        "type": "http", "method": method, "path": path, "path_params": params, "headers": headers,
        "query_string": b"", "server": ("127.0.0.1", 8501), "client": ("127.0.0.1", 5000), "scheme": "http",
        "root_path": "",
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        if body_read is not None:
            body_read.append(1)
        return {"type": "http.request", "body": b"x" * length, "more_body": False}

    # A thread of its own: an earlier test in the same process (Playwright's sync API) may have left an event
    # loop running in this thread, where asyncio.run() refuses to start.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, endpoint(Request(scope, receive))).result()


@pytest.fixture
def media(engine: Engine) -> Iterator[tuple[guard.GuardedMediaStorage, Any]]:
    with Session(engine) as s:
        f.user(s, username="rani")
        f.user(s, username="budi")
        s.commit()
    storage = guard.GuardedMediaStorage("/media")
    route = next(r for r in starlette_routes.create_media_routes(storage, None) if "GET" in (r.methods or set()))
    endpoint = guard.guard_media_endpoint(
        route.endpoint, storage, cookie_name=COOKIE, key=KEY, record=guard._Auditor(engine)
    )
    yield storage, endpoint


def _made_for(storage: guard.GuardedMediaStorage, username: str, data: bytes = WORKER_LIST) -> str:
    guard.expect(data, username)  # what ui/downloads does on the click
    return storage.load_and_get_id(data, "text/csv", MediaFileKind.DOWNLOADABLE, "ikrar-1-pekerja.csv")


def _get(endpoint: Any, file_id: str, cookie: str | None = None) -> Any:
    return _call(endpoint, "GET", f"/media/{file_id}.csv", {"file_id": f"{file_id}.csv"}, cookie=cookie)


def test_the_worker_list_link_needs_the_cookie_and_dies_once_fetched(
    media: tuple[guard.GuardedMediaStorage, Any], engine: Engine
) -> None:
    storage, endpoint = media
    file_id = _made_for(storage, "rani")
    assert _get(endpoint, file_id).status_code == 404  # no cookie: nothing (the probe got 200 and the names)
    assert _get(endpoint, file_id, _cookie("rani", expired=True)).status_code == 404
    assert _get(endpoint, file_id, _cookie("budi")).status_code == 404  # another signed-in user: nothing
    assert _get(endpoint, file_id, "bukan.jwt").status_code == 404
    probe = _call(
        endpoint,
        "GET",
        f"/media/{file_id}.csv",
        {"file_id": f"{file_id}.csv"},
        cookie=_cookie("rani"),
        fetch_mode="cors",
    )  # Streamlit's own check of the URL (a fetch() from the page): answered empty, the link not used up
    assert probe.status_code == 200 and probe.body == b""
    served = _get(endpoint, file_id, _cookie("rani"))
    assert served.status_code == 200 and served.body == WORKER_LIST
    assert _get(endpoint, file_id, _cookie("rani")).status_code == 404  # once
    with Session(engine) as s:
        rows = s.exec(select(AuditLog).where(AuditLog.entity == "media").order_by(AuditLog.id)).all()
    actions = [r.action for r in rows]
    assert actions == ["download.refused"] * 4 + ["download.probe", "download.fetched", "download.refused"]
    assert rows[5].user_id is not None and rows[5].entity_id == file_id


def test_the_link_dies_within_a_minute_unfetched(media: tuple[guard.GuardedMediaStorage, Any]) -> None:
    storage, endpoint = media
    file_id = _made_for(storage, "rani", b"NIK;Nama\r\n3671010101900002;Budi\r\n")
    guard._made[file_id] -= guard.DOWNLOAD_TTL.total_seconds() + 1
    assert _get(endpoint, file_id, _cookie("rani")).status_code == 404
    with pytest.raises(Exception, match="No media file"):
        storage.get_file(f"{file_id}.csv")


def test_page_media_are_untouched(media: tuple[guard.GuardedMediaStorage, Any]) -> None:
    storage, endpoint = media
    image = storage.load_and_get_id(b"\x89PNG....", "image/png", MediaFileKind.MEDIA)
    for _ in range(2):
        answer = _call(endpoint, "GET", f"/media/{image}.png", {"file_id": f"{image}.png"})
        assert answer.status_code == 200


# --- uploads ----------------------------------------------------------------------------------------------------


class _Runtime:
    """Only what the upload route asks the runtime: whether the session is live (it is)."""

    def is_active_session(self, session_id: str) -> bool:
        return True


def _upload_endpoint(manager: guard.BoundedUploadManager) -> Any:
    route = next(
        r for r in starlette_routes.create_upload_routes(_Runtime(), manager, None) if "PUT" in (r.methods or set())
    )  # type: ignore[arg-type]
    return guard.guard_upload_endpoint(route.endpoint, manager)


def _put(endpoint: Any, session_id: str, file_id: str, length: int = 10) -> tuple[int, bool]:
    read: list[int] = []
    answer = _call(
        endpoint, "PUT", f"/_stcore/upload_file/{session_id}/{file_id}",
        {"session_id": session_id, "file_id": file_id}, body_read=read, length=length,
    )  # fmt: skip
    return answer.status_code, bool(read)


def test_a_session_without_an_upload_widget_is_refused_before_its_body_is_read() -> None:
    manager = guard.BoundedUploadManager("/_stcore/upload_file", has_upload_widget=lambda _: False)
    endpoint = _upload_endpoint(manager)
    assert manager.get_upload_urls("tamu", ["a.xlsx"]) == []
    for _ in range(3):  # the probe's visitor: new file ids, a page without any upload widget
        status, read = _put(endpoint, "tamu", str(uuid.uuid4()), length=29 * 1024 * 1024)
        assert (status, read) == (403, False)
    assert manager.file_storage.get("tamu") is None


def test_a_page_without_an_upload_widget_is_issued_no_upload_id() -> None:
    widgets = {"impor": True, "beranda": False}
    manager = guard.BoundedUploadManager("/_stcore/upload_file", has_upload_widget=widgets.get)
    assert manager.get_upload_urls("beranda", ["a.xlsx"]) == []
    assert len(manager.get_upload_urls("impor", ["a.xlsx"])) == 1
    assert guard.session_has_upload_widget("tidak-ada") in (False, None)  # outside a server: no such session


def test_pending_files_per_session_are_few_and_bytes_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    manager = guard.BoundedUploadManager("/_stcore/upload_file", has_upload_widget=lambda _: True)
    infos = manager.get_upload_urls("s1", [f"f{i}.xlsx" for i in range(10)])
    assert len(infos) == guard.MAX_PENDING_PER_SESSION  # the widget asks; only four ids are issued
    for info in infos:
        manager.add_file("s1", UploadedFileRec(info.file_id, "a.xlsx", "application/x", b"x"))
    assert manager.get_upload_urls("s1", ["lagi.xlsx"]) == []
    with pytest.raises(guard.UploadRefused) as refused:
        manager.add_file("s1", UploadedFileRec(str(uuid.uuid4()), "b.xlsx", "application/x", b"x"))
    assert refused.value.status == 403
    manager.remove_file("s1", infos[0].file_id)  # the user removes one file: room for one more
    assert len(manager.get_upload_urls("s1", ["lagi.xlsx"])) == 1

    monkeypatch.setattr(guard, "MAX_SESSION_BYTES", 100)
    monkeypatch.setattr(guard, "MAX_TOTAL_BYTES", 150)
    endpoint = _upload_endpoint(manager)
    (big,) = manager.get_upload_urls("s2", ["besar.xlsx"])
    assert _put(endpoint, "s2", big.file_id, length=101) == (413, False)  # over the session's budget
    manager.add_file("s2", UploadedFileRec(big.file_id, "a.xlsx", "application/x", b"x" * 90))
    (other,) = manager.get_upload_urls("s3", ["c.xlsx"])
    assert _put(endpoint, "s3", other.file_id, length=80) == (429, False)  # over the server's budget
    manager.remove_session_files("s2")
    assert manager.get_upload_urls("s2", ["d.xlsx"])  # a closed session's files and ids are gone


def test_serve_installs_the_guard() -> None:
    from streamlit.web.server import server
    from streamlit.web.server.starlette import starlette_app

    originals = (
        server.MemoryUploadedFileManager,
        server.MemoryMediaFileStorage,
        starlette_app.create_media_routes,
        starlette_app.create_upload_routes,
    )
    try:
        guard.install(cookie_key=KEY)
        assert server.MemoryUploadedFileManager is guard.BoundedUploadManager
        assert server.MemoryMediaFileStorage is guard.GuardedMediaStorage
        routes = starlette_app.create_upload_routes(_Runtime(), guard.BoundedUploadManager("/u"), None)
        assert any(getattr(r, "endpoint", None) and r.endpoint.__name__ == "guarded" for r in routes)
    finally:
        (
            server.MemoryUploadedFileManager,
            server.MemoryMediaFileStorage,
            starlette_app.create_media_routes,
            starlette_app.create_upload_routes,
        ) = originals
        starlette_app._payung_guarded = False  # type: ignore[attr-defined]
    serve = Path(guard.__file__).resolve().parents[1] / "scripts" / "serve.py"
    assert "server_guard.install()" in serve.read_text(encoding="utf-8")
