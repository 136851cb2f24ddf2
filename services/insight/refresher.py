"""Keeps the dashboard's read model ahead of its readers (issue 26: the first viewer after a write).

The city dashboard's figures are a read model keyed by (audience, data version): computed once per version, served
to every viewer of that audience. Computing one version costs seconds at regency scale (200.000 workers), so waiting
for it on the first view after a write is what made that view slow. A `Refresher` moves the wait off the viewer:
one daemon thread per process probes the database's data version (`services.platform.dataversion`, one primary-key
read every PROBE_S seconds) and, as soon as it moved - a write in this process, a CLI import, another replica -
refreshes the read model of each audience viewed in the last ACTIVE_S seconds, one audience at a time, at most
once per `min_interval_s` per audience (a burst of pledges costs one refresh per interval, as before). A viewer
asking for a version whose refresh is running waits for that refresh instead of computing it a second time; a
viewer asking for a version nobody refreshes computes it, as without the refresher.

Plain threads, no Streamlit: the UI edge passes the `refresh(audience, version)` callable that fills its cache.
"""

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.engine import Engine

from services.platform import dataversion

log = logging.getLogger(__name__)
Stamp = tuple[int, dt.date]  # (data version, day): figures are counted as of today, so a new day is a new version
REFRESHER_THREAD = "payung-dashboard-refresher"
ACTIVE_S = 30 * 60.0  # an audience nobody viewed for this long is not refreshed (nobody waits for it)


def stamp(engine: Engine) -> Stamp:
    """What the read model is keyed by now: the database's data version and today's date."""
    return dataversion.data_version(engine), dt.date.today()


class Refresher:
    def __init__(
        self,
        refresh: Callable[[str, Stamp], None],
        *,
        min_interval_s: float,
        probe_s: float = dataversion.PROBE_S,
        keep: int = 8,
    ) -> None:
        self._refresh = refresh
        self.min_interval_s = min_interval_s
        self.probe_s = probe_s
        self._keep = keep
        self._lock = threading.Lock()
        self._viewed: dict[str, float] = {}  # audience -> monotonic time of its last view
        self._done: dict[str, list[Stamp]] = {}  # audience -> versions refreshed, newest last (the last `keep`)
        self._last_run: dict[str, float] = {}  # audience -> when its last refresh started
        self._running: dict[tuple[str, Stamp], threading.Event] = {}
        self._failed: set[tuple[str, Stamp]] = set()  # refreshes that raised (their viewers compute instead)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # -- readers -------------------------------------------------------------------------------------------------
    def viewed(self, audience: str, engine: Callable[[], Engine]) -> None:
        """A viewer of `audience` came: keep its read model fresh from now on (starts the thread once). `engine`
        gives the process's engine at each probe (the UI's cached engine may be rebuilt)."""
        with self._lock:
            self._viewed[audience] = time.monotonic()
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._watch, args=(engine,), name=REFRESHER_THREAD, daemon=True)
                self._thread.start()

    def ready(self, audience: str, version: Stamp) -> bool:
        with self._lock:
            return version in self._done.get(audience, ())

    def failed(self, audience: str, version: Stamp) -> bool:
        with self._lock:
            return (audience, version) in self._failed

    def running(self, audience: str, version: Stamp) -> bool:
        with self._lock:
            return (audience, version) in self._running

    def wait(self, audience: str, version: Stamp, timeout_s: float = 120.0) -> None:
        """If the refresh of this version is running, wait for it (the caller then finds it in its cache)."""
        with self._lock:
            running = self._running.get((audience, version))
        if running is not None:
            running.wait(timeout_s)

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)

    # -- the thread ----------------------------------------------------------------------------------------------
    def run_once(self, audience: str, version: Stamp) -> bool:
        """Refresh one audience at one version now, unless done or running. True if this call refreshed it."""
        key = (audience, version)
        with self._lock:
            if version in self._done.get(audience, ()) or key in self._running:
                return False
            event = self._running[key] = threading.Event()
            self._last_run[audience] = time.monotonic()
        try:
            try:
                self._refresh(audience, version)
            except Exception:
                with self._lock:
                    self._failed.add(key)
                raise
            with self._lock:
                done = self._done.setdefault(audience, [])
                done.append(version)
                del done[: -self._keep]
            return True
        finally:
            with self._lock:
                del self._running[key]
            event.set()

    def due(self, now: float) -> list[str]:
        """Audiences viewed lately whose last refresh started at least `min_interval_s` ago."""
        with self._lock:
            return [
                a
                for a, seen in self._viewed.items()
                if now - seen < ACTIVE_S and now - self._last_run.get(a, -float("inf")) >= self.min_interval_s
            ]

    def _watch(self, engine: Callable[[], Engine]) -> None:
        while not self._stop.wait(self.probe_s):
            try:
                version = stamp(engine())
                for audience in self.due(time.monotonic()):
                    self.run_once(audience, version)
            except Exception:  # noqa: BLE001 - a failed refresh leaves the viewer to compute; try again next probe
                log.exception("dashboard refresh failed")
