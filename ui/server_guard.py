"""Limits Streamlit's own web server does not keep (issue 23), installed by scripts/serve.py before it starts.

Streamlit 1.67 (Starlette) keeps uploads and generated downloads in memory and serves them by URL:

- **Uploads** (`PUT /_stcore/upload_file/<session>/<file id>`): any live session could send any number of
  files under new ids, each kept until the session ends. `BoundedUploadManager` accepts a file only under an id
  it issued to that session through the upload widget's own request (a session that never drew an upload
  widget has none), at most `MAX_PENDING_PER_SESSION` files per session, `MAX_SESSION_BYTES` per session and
  `MAX_TOTAL_BYTES` for the whole process; the route refuses before reading the body (403 / 413 / 429).
- **Downloads** (`GET /media/<id>`): a file made on a click answered anyone with the URL, any number of times.
  Now a downloadable file is served once, within `DOWNLOAD_TTL` of being made, only to a request carrying a
  valid login cookie — of the user who clicked, when the click registered its user (`expect`) — and then
  dropped; every fetch, served or refused, is audited (`download.fetched`, `download.refused`).

- **Deferred downloads** (`st.download_button(data=callable)`): each script run gives every button a new
  placeholder id and the end of the run drops the ids no button holds any more. A click that reruns the page
  (another download, a form) so made a second button's id, clicked a moment later, answer `Deferred file … not
  found`: no file, no message. `keep_deferred_downloads` keeps an unreferenced id for `DEFERRED_GRACE`
  (a random uuid4, runnable only by whoever holds it, as before), so every button clicked in quick succession
  delivers its file.

What only a proxy can bound (connections, request rate, bodies before Streamlit sees them) is in docs/deploy.md.
The tests (tests/integration/test_server_guard.py) call the wrapped routes directly, without a proxy.
"""

import datetime as dt
import hashlib
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import jwt
from sqlmodel import Session
from streamlit.runtime.media_file_storage import MediaFileKind
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFileRec, UploadFileUrlInfo

from services.platform import audit
from services.platform.authz import Actor
from services.platform.db import make_engine
from services.platform.settings import get_settings, resolve_cookie_key
from services.platform.uploads import MAX_UPLOAD_MB, MB

log = logging.getLogger("payung.server_guard")

MAX_PENDING_PER_SESSION = 4  # files one session may hold or be about to send
MAX_SESSION_BYTES = 2 * MAX_UPLOAD_MB * MB  # two files at the largest import size
MAX_TOTAL_BYTES = 256 * MB  # all sessions together
DOWNLOAD_TTL = dt.timedelta(seconds=60)
DEFERRED_GRACE = dt.timedelta(seconds=120)  # how long a button's file stays makeable after a rerun replaced its id


class UploadRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def session_has_upload_widget(session_id: str) -> bool | None:
    """Whether the session's page drew an upload widget (file, camera or audio input) — read from the widget
    registry of Streamlit's session state; None when it cannot be told (then the other limits still hold)."""
    try:
        from streamlit.runtime import Runtime

        info = Runtime.instance()._session_mgr.get_active_session_info(session_id)  # noqa: SLF001
        if info is None:
            return False
        metadata = info.session.session_state._new_widget_state.widget_metadata  # noqa: SLF001
        return any(m.value_type == "file_uploader_state_value" for m in metadata.values())
    except Exception:  # Streamlit internals moved: do not guess
        return None


class BoundedUploadManager(MemoryUploadedFileManager):
    """Streamlit's in-memory upload store, bounded in number (per session) and bytes (per session and total)."""

    def __init__(self, upload_endpoint: str, has_upload_widget: Callable[[str], bool | None] | None = None) -> None:
        super().__init__(upload_endpoint)
        self._issued: dict[str, set[str]] = defaultdict(set)
        self._has_upload_widget = has_upload_widget or session_has_upload_widget
        self._uploaders: set[str] = set()

    def _held(self, session_id: str) -> tuple[int, int]:
        files = self.file_storage.get(session_id, {})
        return len(files), sum(len(f.data) for f in files.values())

    def get_upload_urls(self, session_id: str, file_names: Sequence[str]) -> list[UploadFileUrlInfo]:
        if session_id not in self._uploaders:  # once seen, kept: a rerun clears the registry for a moment
            if self._has_upload_widget(session_id) is False:  # a page without an upload widget asks for none
                log.warning("upload urls refused session=%s: no upload widget", session_id[:8])
                return []
            self._uploaders.add(session_id)
        with self._lock:
            held, _ = self._held(session_id)
            room = max(MAX_PENDING_PER_SESSION - held - len(self._issued[session_id]), 0)
        infos = super().get_upload_urls(session_id, list(file_names)[:room])
        with self._lock:
            self._issued[session_id].update(i.file_id for i in infos)
        if len(file_names) > room:
            log.warning("upload urls refused session=%s asked=%d room=%d", session_id[:8], len(file_names), room)
        return infos

    def check(self, session_id: str, file_id: str, declared_bytes: int | None) -> None:
        """Before the body is read: the id must have been issued to this session, the sizes must fit."""
        with self._lock:
            if file_id not in self._issued.get(session_id, set()) and file_id not in self.file_storage.get(
                session_id, {}
            ):
                raise UploadRefused(403, "upload id not issued to this session")
            _, session_bytes = self._held(session_id)
            incoming = declared_bytes or 0
            if session_bytes + incoming > MAX_SESSION_BYTES:
                raise UploadRefused(413, "session upload memory full")
            if self._total_bytes + incoming > MAX_TOTAL_BYTES:
                raise UploadRefused(429, "server upload memory full")

    def add_file(self, session_id: str, file: UploadedFileRec) -> None:
        self.check(session_id, file.file_id, len(file.data))  # again with the real size
        super().add_file(session_id, file)
        with self._lock:
            self._issued.get(session_id, set()).discard(file.file_id)

    def remove_session_files(self, session_id: str) -> None:
        super().remove_session_files(session_id)
        with self._lock:
            self._issued.pop(session_id, None)
            self._uploaders.discard(session_id)


# ---------------------------------------------------------------------------------------------------------------
# Downloads


_expected: dict[str, tuple[str, float]] = {}  # sha256 of a file's bytes -> (username, when)
_made: dict[str, float] = {}  # media file id -> when it was stored
_expect_lock = threading.Lock()


def expect(data: bytes, username: str) -> None:
    """Called by ui/downloads on a click, with the bytes it is about to hand Streamlit: only `username` may fetch."""
    with _expect_lock:
        now = time.monotonic()
        for key in [k for k, (_, t) in _expected.items() if now - t > DOWNLOAD_TTL.total_seconds()]:
            del _expected[key]
        _expected[hashlib.sha256(data).hexdigest()] = (username, now)


class GuardedMediaStorage(MemoryMediaFileStorage):
    """Remembers when each downloadable file was made and for whom (see `expect`)."""

    def __init__(self, media_endpoint: str) -> None:
        super().__init__(media_endpoint)
        self.owner: dict[str, str] = {}
        self.guarded: set[str] = set()

    def load_and_get_id(
        self, path_or_data: str | bytes, mimetype: str, kind: MediaFileKind, filename: str | None = None
    ) -> str:
        file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
        # Guarded: files made on a click (Streamlit runs the callable outside any script run) or bound by `expect`.
        # A file a page hands over as bytes while it renders (the letter's attachment) keeps Streamlit's rules.
        if kind == MediaFileKind.DOWNLOADABLE and (get_script_run_ctx() is None or self._bound(path_or_data)):
            self.guarded.add(file_id)
            _made[file_id] = time.monotonic()
            if isinstance(path_or_data, bytes):
                with _expect_lock:
                    bound = _expected.pop(hashlib.sha256(path_or_data).hexdigest(), None)
                if bound is not None:
                    self.owner[file_id] = bound[0]
        return file_id

    @staticmethod
    def _bound(data: str | bytes) -> bool:
        if not isinstance(data, bytes):
            return False
        with _expect_lock:
            return hashlib.sha256(data).hexdigest() in _expected


class _Auditor:
    """Audit rows written from the server's threads (no script run, so no st.cache_resource engine)."""

    def __init__(self, engine: Any = None) -> None:
        self._engine = engine

    def __call__(self, action: str, username: str, file_id: str, success: bool, reason: str = "") -> None:
        try:
            if self._engine is None:
                self._engine = make_engine(get_settings().database_url)
            with Session(self._engine) as session:
                actor = Actor(user_id=_user_id(session, username), username=username or "tamu", role="")
                audit.record(
                    session=session,
                    actor=actor,
                    action=action,
                    entity="media",
                    entity_id=file_id[:40],
                    success=success,
                    reason=reason,
                )
                session.commit()
        except Exception:  # an audit failure must not take the server down; it is logged with its traceback
            log.exception("audit of %s failed", action)


def _user_id(session: Session, username: str) -> int | None:
    from sqlmodel import select

    from models import User

    return session.exec(select(User.id).where(User.username == username)).first() if username else None


def cookie_user(cookies: dict[str, str], *, cookie_name: str, key: str) -> str | None:
    """The username in a valid, unexpired login cookie (streamlit-authenticator's signed JWT), else None."""
    token = cookies.get(cookie_name)
    if not token:
        return None
    try:
        payload = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    expires = payload.get("exp_date")
    if not isinstance(expires, int | float) or expires < time.time():
        return None
    username = payload.get("username")
    return str(username) if username else None


GONE_MESSAGE = "Berkas tidak tersedia lagi. Klik tombol unduh di halaman Payung sekali lagi."
_gone: dict[str, float] = {}  # downloads served or expired: a later fetch is refused and audited


def _forget(storage: MemoryMediaFileStorage, file_id: str) -> None:
    storage.delete_file(file_id)
    _made.pop(file_id, None)
    getattr(storage, "owner", {}).pop(file_id, None)
    getattr(storage, "guarded", set()).discard(file_id)
    now = time.monotonic()
    for old in [k for k, t in _gone.items() if now - t > 3600]:
        del _gone[old]
    _gone[file_id] = now


def guard_media_endpoint(
    endpoint: Callable[[Any], Any],
    storage: MemoryMediaFileStorage,
    *,
    cookie_name: str,
    key: str,
    record: Callable[..., None],
) -> Callable[[Any], Any]:
    """Wrap Streamlit's media endpoint: downloadable files need the session's cookie, are served once, in time."""
    from starlette.responses import Response

    async def guarded(request: Any) -> Any:
        raw_id = str(request.path_params.get("file_id", ""))
        file_id = raw_id.rsplit(".", 1)[0]
        try:
            media = storage.get_file(raw_id)
        except Exception:
            if file_id in _gone:  # a download already fetched or expired: refused, and audited like every fetch
                user = cookie_user(dict(request.cookies), cookie_name=cookie_name, key=key)
                record("download.refused", user or "", file_id, False, "sudah diambil atau kedaluwarsa")
                return Response(GONE_MESSAGE, status_code=404)
            return await endpoint(request)  # Streamlit's own 404
        if media.kind != MediaFileKind.DOWNLOADABLE or file_id not in getattr(storage, "guarded", {file_id}):
            return await endpoint(request)  # images and charts of the page, render-time files: unchanged
        user = cookie_user(dict(request.cookies), cookie_name=cookie_name, key=key)
        owner = getattr(storage, "owner", {}).get(file_id)
        made = _made.get(file_id, 0.0)
        reason = ""
        if user is None:
            reason = "tanpa cookie sesi"
        elif owner is not None and owner != user:
            reason = "pengguna lain"
        elif time.monotonic() - made > DOWNLOAD_TTL.total_seconds():
            reason = "kedaluwarsa"
        if reason:
            if reason == "kedaluwarsa":
                _forget(storage, file_id)
            record("download.refused", user or "", file_id, False, reason)
            return Response(GONE_MESSAGE, status_code=404)
        if request.headers.get("sec-fetch-mode") in {"cors", "same-origin", "no-cors"} and request.method == "GET":
            # Streamlit's button first fetch()es the URL only to check it answers (checkSourceUrlResponse),
            # then the browser downloads it (a navigation: Sec-Fetch-Mode 'navigate'). The check gets an empty
            # 200 and does not use the link up; so a script in the page cannot read the file by fetch() either.
            record("download.probe", user or "", file_id, True)
            return Response(b"", status_code=200, media_type=media.mimetype or "text/plain")
        response = await endpoint(request)
        if request.method == "GET":  # served once: the link dies with this answer (HEAD probes do not use it up)
            _forget(storage, file_id)
            record("download.fetched", user or "", file_id, True)
        return response

    return guarded


# ---------------------------------------------------------------------------------------------------------------
# Deferred downloads that outlive the run that drew their button


def keep_deferred_downloads(manager_class: Any = None, *, grace: dt.timedelta = DEFERRED_GRACE) -> None:
    """Patch Streamlit's MediaFileManager: a deferred download id no session references any more is dropped only
    after `grace` (from the run end that first found it unreferenced), not at once. Idempotent."""
    if manager_class is None:
        from streamlit.runtime.media_file_manager import MediaFileManager

        manager_class = MediaFileManager
    if manager_class.__dict__.get("_payung_keeps_deferred", False):  # this class itself, not a patched base
        return
    if "_payung_streamlit_remove" not in vars(manager_class):  # Streamlit's own, for tests that compare
        manager_class._payung_streamlit_remove = manager_class._remove_orphaned_deferred_callables

    def remove_orphaned_deferred(self: Any) -> None:  # called with self._lock held, at the end of every run
        referenced = {i for files in self._files_by_session_and_coord.values() for i in files.values()}
        orphaned_at: dict[str, float] = self.__dict__.setdefault("_payung_orphaned_at", {})
        now = time.monotonic()
        for file_id in list(self._deferred_callables):
            if file_id in referenced:
                orphaned_at.pop(file_id, None)
            elif now - orphaned_at.setdefault(file_id, now) > grace.total_seconds():
                orphaned_at.pop(file_id, None)
                self._drop_deferred_id(file_id)
        for file_id in [k for k in orphaned_at if k not in self._deferred_callables]:  # revoked meanwhile
            del orphaned_at[file_id]

    manager_class._remove_orphaned_deferred_callables = remove_orphaned_deferred
    manager_class._payung_keeps_deferred = True


def guard_upload_endpoint(endpoint: Callable[[Any], Any], manager: Any) -> Callable[[Any], Any]:
    """Wrap Streamlit's upload PUT: refuse before the body is read when the id or the sizes do not fit."""
    from starlette.responses import Response

    async def guarded(request: Any) -> Any:
        if isinstance(manager, BoundedUploadManager):
            declared = request.headers.get("content-length")
            try:
                manager.check(
                    str(request.path_params.get("session_id", "")),
                    str(request.path_params.get("file_id", "")),
                    int(declared) if declared and declared.isdigit() else None,
                )
            except UploadRefused as exc:
                log.warning("upload refused: %s", exc.reason)
                return Response(exc.reason, status_code=exc.status)
        return await endpoint(request)

    return guarded


def _rewrap(routes: list[Any], wrap: Callable[[Any], Any], methods: set[str]) -> list[Any]:
    from starlette.routing import Route

    out = []
    for route in routes:
        if isinstance(route, Route) and route.methods and methods & set(route.methods):
            out.append(Route(route.path, wrap(route.endpoint), methods=sorted(route.methods), name=route.name))
        else:
            out.append(route)
    return out


def install(cookie_key: str | None = None) -> None:
    """Patch Streamlit's server before it starts (scripts/serve.py). Idempotent."""
    from streamlit.web.server import server
    from streamlit.web.server.starlette import starlette_app

    if getattr(starlette_app, "_payung_guarded", False):
        return
    settings = get_settings()
    key = cookie_key or resolve_cookie_key(settings=settings, configured=_configured_key())
    record = _Auditor()
    keep_deferred_downloads()
    server.MemoryUploadedFileManager = BoundedUploadManager  # type: ignore[misc]
    server.MemoryMediaFileStorage = GuardedMediaStorage  # type: ignore[misc]
    original_media, original_upload = starlette_app.create_media_routes, starlette_app.create_upload_routes

    def media_routes(storage: Any, base_url: Any) -> list[Any]:
        def wrap(endpoint: Any) -> Any:
            return guard_media_endpoint(endpoint, storage, cookie_name=settings.cookie_name, key=key, record=record)

        return _rewrap(original_media(storage, base_url), wrap, {"GET", "HEAD"})

    def upload_routes(runtime: Any, manager: Any, base_url: Any) -> list[Any]:
        return _rewrap(
            original_upload(runtime, manager, base_url), lambda e: guard_upload_endpoint(e, manager), {"PUT"}
        )

    starlette_app.create_media_routes = media_routes  # type: ignore[assignment]
    starlette_app.create_upload_routes = upload_routes  # type: ignore[assignment]
    starlette_app._payung_guarded = True  # type: ignore[attr-defined]


def _configured_key() -> str | None:
    from ui.login import configured_cookie_key  # environment, then .streamlit/secrets.toml, as app.py reads it

    return configured_cookie_key()
