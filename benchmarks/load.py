"""Load benchmark: a crowd of users on the app as served (`scripts/serve.py`, i.e. `streamlit run app.py`), on
loopback only, on a SQLite file or a throwaway PostgreSQL.

    python -m benchmarks.load [--sessions 50] [--duration 60] [--think 2] [--postgres] [--replicas 1]

Seeds the demo (--workers, default 25.000), starts the server(s) on 127.0.0.1 (free ports; never another host),
then runs N sessions over the app's own websocket — what a browser sends, without a browser's rendering, so the
times are the server's — for a fixed time. Each session is one user of a realistic mix:

- public visitors (40 %): the board, a company's public page, the board again;
- company officers (30 %, each its own company): log in through the login form, fill the pledge form, price it,
  send it (once per session), then Ikrar saya, Laporan dampak, the company home;
- city viewers (25 %, signed in by the login cookie): Ringkasan kota, Laporan triwulan, the board;
- city admins (5 %, at least one): Impor pekerja, Registri pekerja, Pencocokan — the first admin presses
  "Jalankan pencocokan penuh" once (one matching run under load);
- beside the sessions, one registry import from the command line (another process writing 2.000 workers, as a
  monthly scripted load does) starts a few seconds in.

A session waits `--think` seconds (±50 %) between pages, as a reader does. A page time runs from the message that
starts a script run (a click, a navigation) to the end of that run (reruns it causes included). An error is
anything a user would see go wrong: a Streamlit exception, the app's "kode rujukan" message, "database is
locked", the busy "coba lagi" message, a page not found, a run that did not end within --timeout, a lost
connection, a login or a pledge that did not go through.

Think time (--think, default 20 s): a person reads a page for 10-30 s before the next click (the board, a report,
a form being filled), so 20 s is the realistic mean; 5 s is the harsh case (four times the page views per
session). Both are run for docs/load.md §5 (benchmarks/run_all_load.sh).

--ceiling: runs 10, 20, 30, 50, 75, 100, 150, 200 sessions one after the other (a fresh server for each step, the
same seeded database) until the p95 of all pages passes 2 s or a user meets an error, and reports the last N that
passed, in benchmarks/results/ceiling-<db>[-r<replicas>]-t<think>.json.

After the run: every pledge a session saw saved ("Ikrar #N tersimpan") must be in the database exactly once, and
no other pledge may have appeared (no lost write, no double write). Writes p50/p95/p99/max per page kind, errors
by kind, the servers' memory (RSS at start, peak, end), the machine and its load to
benchmarks/results/load-<db>-<sessions>[-r<replicas>]-t<think>.json. Bounded: at most 200 sessions, 600 s of load, every
wait with a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jwt
import websockets
from sqlalchemy import func
from sqlmodel import Session, col, select
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from models import Company, LetterRecipient, Pledge, Role, User
from services import insight
from services.demo.bootstrap import bootstrap
from services.demo.seed import DEMO_PASSWORDS
from services.platform.db import BUSY_MESSAGE, make_engine
from tests.data.workers.corpus import csv_bytes, unique_good_rows
from tests.e2e.conftest import E2E_COOKIE_KEY, streamlit_server
from tests.pg import ThrowawayPostgres

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
MAX_SESSIONS = 200
MAX_DURATION_S = 600
IMPORT_ROWS = 2_000
CEILING_STEPS = (10, 20, 30, 50, 75, 100, 150, 200)
CEILING_P95_S = 2.0
MIX = (("public", 0.40), ("company", 0.30), ("viewer", 0.25), ("admin", 0.05))


@dataclass
class Visit:
    kind: str
    seconds: float
    error: str = ""
    began: float = field(default_factory=time.perf_counter)  # when the page was asked for (set by User_.page)


@dataclass
class Run:
    """What one script run (and the reruns it caused) showed."""

    seconds: float
    error: str = ""
    widgets: dict[str, int | str] = field(default_factory=dict)  # label -> widget id
    alerts: list[str] = field(default_factory=list)  # st.error/warning/success/info bodies


@dataclass
class SessionLog:
    user: str  # who the session is, for the report
    role: str
    login: str = ""  # the account it signs in as (city staff share the demo's accounts)
    visits: list[Visit] = field(default_factory=list)
    pledged: list[int] = field(default_factory=list)  # pledge ids the page said were saved
    pledge_tries: int = 0


def _cookie(username: str) -> str:
    token = jwt.encode({"username": username, "exp_date": time.time() + 3600}, E2E_COOKIE_KEY, algorithm="HS256")
    return f"payung_auth={token}"


def _widget_id(element: object) -> tuple[str, str] | None:
    """(label, id) of a widget element, None for other elements."""
    which = element.WhichOneof("type")  # type: ignore[attr-defined]
    inner = getattr(element, which, None) if which else None
    wid, label = getattr(inner, "id", ""), getattr(inner, "label", "")
    return (label, wid) if wid and label else None


class Client:
    """One browser tab: a websocket to the app and the page it shows."""

    def __init__(self, ws: websockets.ClientConnection, base: str, timeout: float) -> None:
        self.ws, self.base, self.timeout = ws, base, timeout

    async def run(self, page: str, *, query: str = "", states: list[WidgetState] | None = None) -> Run:
        info = ContextInfo(timezone="Asia/Jakarta", timezone_offset=-420, locale="id-ID", url=f"{self.base}/{page}")
        client_state = ClientState(page_name=page, query_string=query, context_info=info)
        client_state.widget_states.widgets.extend(states or [])
        started = time.perf_counter()
        await self.ws.send(BackMsg(rerun_script=client_state).SerializeToString())
        run = Run(0.0)
        try:
            async with asyncio.timeout(self.timeout):
                while not await self._read_one(run):
                    pass
        except TimeoutError:
            run.error = run.error or f"no answer in {self.timeout:.0f} s"
        run.seconds = time.perf_counter() - started
        return run

    async def _read_one(self, run: Run) -> bool:
        """Read one message into `run`; True when the run (and any rerun it asked for) has ended."""
        raw = await self.ws.recv()
        msg = ForwardMsg()
        msg.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
        kind = msg.WhichOneof("type")
        if kind == "page_not_found":
            run.error = run.error or "page not found"
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                run.error = run.error or f"exception {element.exception.type}: {element.exception.message[:200]}"
            elif which == "alert":
                body = element.alert.body
                run.alerts.append(body)
                if "kode rujukan" in body:
                    run.error = run.error or "unexpected error (kode rujukan)"
                elif "locked" in body.lower():
                    run.error = run.error or "database is locked"
                elif body == BUSY_MESSAGE:
                    run.error = run.error or "busy: coba lagi"
            found = _widget_id(element)
            if found:
                run.widgets[found[0]] = found[1]
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR:
                run.error = run.error or "compile error"
                return True
            return bool(status == ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY)
            # FINISHED_EARLY_FOR_RERUN (st.rerun, st.switch_page): the page goes on in the next run
        return False


def _text(wid: int | str, value: str) -> WidgetState:
    return WidgetState(id=str(wid), string_value=value)


def _click(wid: int | str) -> WidgetState:
    return WidgetState(id=str(wid), trigger_value=True)


class User_:
    """The pages one kind of user goes through, as an async script over a Client."""

    def __init__(self, log: SessionLog, client: Client, think: float, rng: random.Random, slugs: list[str]) -> None:
        self.log, self.client, self.think, self.rng, self.slugs = log, client, think, rng, slugs
        self.cycle = 0

    async def page(self, kind: str, page: str, **kwargs: object) -> Run:
        began = time.perf_counter()
        run = await self.client.run(page, **kwargs)  # type: ignore[arg-type]
        self.log.visits.append(Visit(kind, run.seconds, run.error, began))
        await asyncio.sleep(self.think * (0.5 + self.rng.random()))
        return run

    def fail(self, kind: str, why: str) -> None:
        self.log.visits.append(Visit(kind, 0.0, why))

    async def once(self) -> None:
        """The first round (logging in, the one pledge, the one matching run)."""

    async def round(self) -> None:
        raise NotImplementedError


class Visitor(User_):
    async def round(self) -> None:
        await self.page("publik: beranda", "")
        await self.page("publik: perusahaan", "perusahaan-publik", query=f"id={self.rng.choice(self.slugs)}")


class Officer(User_):
    async def once(self) -> None:
        form = await self.page("masuk (formulir)", "masuk")
        need = ("Nama pengguna", "Kata sandi", "Masuk")
        if form.error:  # already counted
            return None
        if not all(k in form.widgets for k in need):
            return self.fail("masuk", f"login form not shown: {sorted(form.widgets)}")
        states = [
            _text(form.widgets["Nama pengguna"], self.log.user),
            _text(form.widgets["Kata sandi"], DEMO_PASSWORDS[Role.COMPANY]),
            _click(form.widgets["Masuk"]),
        ]
        home = await self.page("masuk", "masuk", states=states)
        if home.error:
            return None
        if "Keluar" not in home.widgets:
            return self.fail("masuk", f"login did not go through: {home.alerts[:2]}")
        await self.pledge()

    async def pledge(self) -> None:
        form = await self.page("ikrar: formulir", "ikrar-baru")
        submit = form.widgets.get("Hitung biaya dan periksa area")
        if form.error:
            return None
        if submit is None:
            return self.fail("ikrar: hitung", f"pledge form not shown: {form.alerts[:2]}")
        workers = str(5 + self.rng.randrange(20))
        priced = await self.page(
            "ikrar: hitung", "ikrar-baru", states=[_text(form.widgets["Jumlah pekerja"], workers), _click(submit)]
        )
        send = priced.widgets.get("Kirim ikrar")
        if priced.error:
            return None
        if send is None:
            return self.fail("ikrar: kirim", f"no summary after pricing: {priced.alerts[:2]}")
        self.log.pledge_tries += 1
        done = await self.page("ikrar: kirim", "ikrar-baru", states=[_click(send)])
        saved = [int(m.group(1)) for a in done.alerts if (m := re.match(r"Ikrar #(\d+) tersimpan", a))]
        if not saved and not done.error:  # (a run without an answer is already counted)
            return self.fail("ikrar: kirim", f"pledge not saved: {done.alerts[:2]}")
        self.log.pledged.extend(saved)

    async def round(self) -> None:
        await self.page("perusahaan: ikrar saya", "ikrar")
        await self.page("perusahaan: laporan dampak", "laporan")
        await self.page("perusahaan: beranda", "")


class Viewer(User_):
    async def round(self) -> None:
        await self.page("kota: ringkasan", "")
        await self.page("kota: laporan triwulan", "laporan-kota")
        await self.page("publik: beranda (kota)", "beranda")


class Admin(User_):
    matcher = False  # the first admin session runs matching once

    async def once(self) -> None:
        if not self.matcher:
            return
        page = await self.page("admin: pencocokan", "pencocokan")
        button = page.widgets.get("Jalankan pencocokan penuh")
        if page.error:
            return None
        if button is None:
            return self.fail("admin: jalankan pencocokan", f"button not shown: {page.alerts[:2]}")
        await self.page("admin: jalankan pencocokan", "pencocokan", states=[_click(button)])

    async def round(self) -> None:
        await self.page("admin: impor pekerja", "impor-pekerja")
        await self.page("admin: registri", "registri")
        await self.page("admin: pencocokan", "pencocokan")


KINDS: dict[str, type[User_]] = {"public": Visitor, "company": Officer, "viewer": Viewer, "admin": Admin}


async def _session(
    log: SessionLog, base: str, args: argparse.Namespace, start: asyncio.Event, until: list[float], **kw: object
) -> SessionLog:
    ws_url = base.replace("http://", "ws://") + "/_stcore/stream"
    headers = {"Origin": base}
    if log.role in ("viewer", "admin"):  # city staff come back signed in (the login cookie)
        headers["Cookie"] = _cookie(log.login)
    await start.wait()
    rng = random.Random(hash(log.user) ^ len(log.visits))
    await asyncio.sleep(rng.random() * args.arrival)  # arrivals spread over the first --arrival seconds
    try:
        async with websockets.connect(
            ws_url,
            subprotocols=[websockets.Subprotocol("streamlit")],
            additional_headers=headers,
            max_size=64 * 1024 * 1024,
            open_timeout=args.timeout,
            ping_interval=None,  # a blocked server loop must show as a slow page, not as the client hanging up
        ) as ws:
            user = KINDS[log.role](log, Client(ws, base, args.timeout), args.think, rng, **kw)  # type: ignore[arg-type]
            if log.user == "admin#0":
                user.matcher = True  # type: ignore[attr-defined]
            await user.once()
            while time.perf_counter() < until[0]:
                await user.round()
    except (OSError, websockets.WebSocketException) as exc:
        log.visits.append(Visit("connection", 0.0, f"connection: {type(exc).__name__}"))
    return log


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50_s": round(statistics.median(values), 3),
        "p95_s": round(_percentile(values, 0.95), 3),
        "p99_s": round(_percentile(values, 0.99), 3),
        "max_s": round(max(values), 3),
    }


def _machine() -> dict[str, object]:
    cpu = "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem_gib, "python": platform.python_version()}


def _rss_mib(pid: int) -> float:
    with contextlib.suppress(OSError, ValueError, StopIteration):
        line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
        return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds the process has used."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


class MemorySampler:
    """RSS of the server processes every half second while the load runs, and the CPU they used."""

    def __init__(self, pids: list[int]) -> None:
        self.pids, self.peak, self.start = pids, dict.fromkeys(pids, 0.0), {p: _rss_mib(p) for p in pids}
        self.cpu_start = {p: _cpu_s(p) for p in pids}
        self.load: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            for p in self.pids:
                self.peak[p] = max(self.peak[p], _rss_mib(p))
            self.load.append(os.getloadavg()[0])

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def report(self) -> dict[str, object]:
        return {
            "per_server_mib": [{"start": self.start[p], "peak": self.peak[p], "end": _rss_mib(p)} for p in self.pids],
            "server_cpu_s": [round(_cpu_s(p) - self.cpu_start[p], 1) for p in self.pids],
            "load_avg_1min_during": round(statistics.mean(self.load), 2) if self.load else None,
        }


def _users(db_url: str, n: int, only: str | None = None) -> tuple[list[SessionLog], list[str], dict[int, int]]:
    """The sessions' users, the public company slugs and each pledging company's pledge count before the run."""
    engine = make_engine(db_url)
    with Session(engine) as s:
        open_companies = s.exec(
            select(User.username, User.company_id)
            .join(Company, col(Company.id) == col(User.company_id))
            .join(LetterRecipient, col(LetterRecipient.company_id) == col(Company.id))
            .where(User.role == Role.COMPANY, col(User.is_active).is_(True), col(LetterRecipient.declined_at).is_(None))
            .order_by(User.id)
        ).all()
        slugs = [str(x) for x in insight.public_board(session=s).rows["slug"]]
        counts = dict(s.exec(select(Pledge.company_id, func.count()).group_by(col(Pledge.company_id))).all())
    engine.dispose()
    wanted = {role: max(1, round(n * share)) if role == "admin" else round(n * share) for role, share in MIX}
    wanted["public"] = n - sum(v for k, v in wanted.items() if k != "public")
    if only:  # one kind of user only: what one page kind costs
        wanted = {role: n if role == only else 0 for role, _ in MIX}
    if wanted["company"] > len(open_companies):
        raise SystemExit(f"{wanted['company']} company sessions but only {len(open_companies)} demo companies")
    logs = [SessionLog(f"publik#{i}", "public") for i in range(wanted["public"])]
    logs += [SessionLog(open_companies[i][0], "company") for i in range(wanted["company"])]
    logs += [SessionLog(f"walikota#{i}", "viewer", "walikota") for i in range(wanted["viewer"])]
    logs += [SessionLog(f"admin#{i}", "admin", "admin") for i in range(wanted["admin"])]
    company_of = {u: c for u, c in open_companies}
    before = {company_of[x.user]: counts.get(company_of[x.user], 0) for x in logs if x.role == "company"}
    return logs, slugs, before


def _import_file(tmp: Path) -> Path:
    path = tmp / "impor-pekerja.csv"
    path.write_bytes(csv_bytes(unique_good_rows(IMPORT_ROWS, seed=26)))
    return path


def _cli_import(db_url: str, path: Path, after: float, out: dict[str, object]) -> threading.Thread:
    """The monthly registry import, from the command line, `after` seconds into the run."""

    def run() -> None:
        time.sleep(after)
        began = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "services.registry",
                "import-workers",
                str(path),
                "--json",
                "--database-url",
                db_url,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        out.update(seconds=round(time.perf_counter() - began, 2), exit=done.returncode)
        with contextlib.suppress(json.JSONDecodeError):
            result = json.loads(done.stdout)
            out.update(inserted=result.get("inserted"), rejected=result.get("rejected"))
        if done.returncode:
            out["stderr"] = done.stderr[-500:]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _check_writes(db_url: str, logs: list[SessionLog], before: dict[int, int], company_of: dict[str, int]) -> dict:
    """No lost write: every pledge a session saw saved is in the database exactly once. No double write: no company
    has more new pledges than its officer sent. A pledge saved whose confirmation did not reach the session within
    the timeout is counted apart (the officer finds it in Ikrar saya)."""
    engine = make_engine(db_url)
    with Session(engine) as s:
        counts = dict(s.exec(select(Pledge.company_id, func.count()).group_by(col(Pledge.company_id))).all())
        seen = [p for x in logs for p in x.pledged]
        found = set(s.exec(select(Pledge.id).where(col(Pledge.id).in_(seen))).all()) if seen else set()
    engine.dispose()
    new = {c: counts.get(c, 0) - n for c, n in before.items()}
    officers = [x for x in logs if x.role == "company"]
    lost = sorted(set(seen) - found)
    double = [x.user for x in officers if new[company_of[x.user]] > x.pledge_tries]
    unconfirmed = sum(max(new[company_of[x.user]] - len(x.pledged), 0) for x in officers)
    return {
        "pledges_sent": sum(x.pledge_tries for x in logs),
        "pledges_saved_seen_by_users": len(seen),
        "pledges_in_database_new": sum(new.values()),
        "saved_but_confirmation_later_than_timeout": unconfirmed,
        "lost_ids": lost,
        "companies_with_more_pledges_than_sent": double,
        "no_lost_or_double_write": not lost and not double and len(seen) == len(set(seen)),
    }


def main(argv: list[str] | None = None) -> dict[str, object]:  # pragma: no cover - a benchmark, not a test
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load after every session started")
    parser.add_argument("--think", type=float, default=20.0, help="mean seconds a user reads a page before the next")
    parser.add_argument(
        "--arrival",
        type=float,
        help="seconds over which the sessions arrive, each at a random moment (default: one --think: a crowd already"
        " reading, as in the hour after the announcement; 2 is a stampede)",
    )
    parser.add_argument("--workers", type=int, default=25_000, help="demo workers to seed")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds one page may take")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster instead of SQLite")
    parser.add_argument("--replicas", type=int, default=1, help="Streamlit processes (sessions spread evenly)")
    parser.add_argument("--no-import", action="store_true", help="leave out the command-line import")
    parser.add_argument("--only", choices=[k for k, _ in MIX], help="every session of this kind (default: the mix)")
    parser.add_argument(
        "--ceiling", action="store_true", help=f"step the sessions {CEILING_STEPS} until p95 > {CEILING_P95_S} s"
    )
    parser.add_argument("--steps", help="with --ceiling: the session counts, comma-separated (each ≤ 200)")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be 1..{MAX_SESSIONS}")
    if not 1 <= args.duration <= MAX_DURATION_S:
        parser.error(f"--duration must be 1..{MAX_DURATION_S}")
    if not 1 <= args.replicas <= 4 or (args.replicas > 1 and not args.postgres):
        parser.error("--replicas 1..4, and more than one only with --postgres (SQLite serves one process)")
    if not 0 <= args.think <= 120:
        parser.error("--think must be 0..120 seconds")
    args.arrival = args.think if args.arrival is None else args.arrival
    if not 0 <= args.arrival <= 300:
        parser.error("--arrival must be 0..300 seconds")
    steps = [int(x) for x in args.steps.split(",")] if args.steps else list(CEILING_STEPS)
    if args.ceiling and not all(1 <= n <= MAX_SESSIONS for n in steps):
        parser.error(f"--steps must each be 1..{MAX_SESSIONS}")
    tmp = Path(tempfile.mkdtemp(prefix="payung-load-"))
    with contextlib.ExitStack() as stack:
        db_url = f"sqlite:///{tmp / 'load.db'}"
        if args.postgres:
            pg = ThrowawayPostgres()
            db_url = pg.start()
            stack.callback(pg.stop)
        if args.ceiling:
            return _ceiling(args, tmp, db_url, steps)
        return _measure(args, tmp, db_url)


def passes(result: dict[str, object], limit_s: float = CEILING_P95_S) -> bool:
    """A step of the ceiling search passes when no user met an error and the p95 of all pages is within the
    limit (pledges checked too: a lost or double write fails it)."""
    pages = result["all_pages"]
    writes = result["writes"]
    assert isinstance(pages, dict) and isinstance(writes, dict)
    return (
        result["errors"] == 0
        and pages.get("n", 0) > 0
        and pages["p95_s"] <= limit_s
        and bool(writes["no_lost_or_double_write"])
    )


def _ceiling(
    args: argparse.Namespace, tmp: Path, db_url: str, steps: list[int]
) -> dict[str, object]:  # pragma: no cover
    """Sessions stepped up until a step fails; the last passing N is the ceiling of one setup on this machine."""
    tried: list[dict[str, object]] = []
    ceiling = 0
    for i, n in enumerate(steps):
        args.sessions = n
        result = _measure(args, tmp, db_url, seed=i == 0)
        pages = result["all_pages"]
        assert isinstance(pages, dict)
        ok = passes(result)
        tried.append({
            "sessions": n,
            "passed": ok,
            "p95_s": pages.get("p95_s"),
            "p50_s": pages.get("p50_s"),
            "page_views": result["page_views"],
            "errors": result["errors"],
            "server_cpu_s_per_page_view": result["server_cpu_s_per_page_view"],
            "load_avg_during": result["memory"]["load_avg_1min_during"],  # type: ignore[index]
        })  # fmt: skip
        print(f"ceiling step {n} sessions: p95 {pages.get('p95_s')} s, errors {result['errors']} -> "
              f"{'passes' if ok else 'fails'}", flush=True)  # fmt: skip
        if not ok:
            break
        ceiling = n
    summary: dict[str, object] = {
        "database": "postgresql" if args.postgres else "sqlite",
        "replicas": args.replicas,
        "think_s": args.think,
        "duration_s": args.duration,
        "limit_p95_s": CEILING_P95_S,
        "ceiling_sessions": ceiling,
        "steps": tried,
        "machine": _machine(),
        "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    print(json.dumps(summary, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"ceiling-{_name_tail(args)}.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def _name_tail(args: argparse.Namespace) -> str:
    """<db>[-r<replicas>]-t<think>: how a result file says what it measured."""
    replicas = f"-r{args.replicas}" if args.replicas > 1 else ""
    arrival = "" if args.arrival == args.think else f"-a{args.arrival:g}"
    return f"{'postgresql' if args.postgres else 'sqlite'}{replicas}-t{args.think:g}{arrival}"


@contextlib.contextmanager
def _servers(db_url: str, tmp: Path, replicas: int) -> Iterator[tuple[list[str], list[int]]]:
    procs: list[subprocess.Popen] = []
    with contextlib.ExitStack() as stack:
        bases = [
            stack.enter_context(streamlit_server(db_url, tmp, started=procs, log_name=f"streamlit-{i}.log"))
            for i in range(replicas)
        ]
        assert all(b.startswith("http://127.0.0.1:") for b in bases), bases  # loopback only
        yield bases, [p.pid for p in procs]


async def _crowd(
    logs: list[SessionLog], bases: list[str], args: argparse.Namespace, slugs: list[str]
) -> list[SessionLog]:
    start = asyncio.Event()
    until = [0.0]
    tasks = [
        asyncio.create_task(_session(log, bases[i % len(bases)], args, start, until, slugs=slugs))
        for i, log in enumerate(logs)
    ]
    await asyncio.sleep(0.2)
    until[0] = time.perf_counter() + args.duration
    start.set()
    async with asyncio.timeout(args.duration + 4 * args.timeout + 60):
        return list(await asyncio.gather(*tasks))


def _measure(
    args: argparse.Namespace, tmp: Path, db_url: str, *, seed: bool = True
) -> dict[str, object]:  # pragma: no cover
    if seed:
        seeded = time.perf_counter()
        bootstrap(url=db_url, demo=True, n_workers=args.workers, seed=14422)
        print(f"demo seeded ({args.workers} workers) in {time.perf_counter() - seeded:.1f} s", flush=True)
    logs, slugs, before = _users(db_url, args.sessions, args.only)
    engine = make_engine(db_url)
    with Session(engine) as s:
        company_of = dict(s.exec(select(User.username, User.company_id).where(User.role == Role.COMPANY)).all())
    engine.dispose()
    imported: dict[str, object] = {}
    load_at_start = os.getloadavg()
    with _servers(db_url, tmp, args.replicas) as (bases, pids), MemorySampler(pids) as sampler:
        first_visits = [round(asyncio.run(_first_visit(base, args.timeout)), 2) for base in bases]
        print(f"first visit of the public page after start: {first_visits} s", flush=True)
        importer = None if args.no_import else _cli_import(db_url, _import_file(tmp), 5.0, imported)
        began = time.perf_counter()
        logs = asyncio.run(_crowd(logs, bases, args, slugs))
        wall = time.perf_counter() - began
        if importer is not None:
            importer.join(timeout=300)
        memory = sampler.report()
    visits = [v for log in logs for v in log.visits]
    ok = [v.seconds for v in visits if not v.error]
    errors = Counter(v.error.split(": ", 1)[0] for v in visits if v.error)  # the kind; the detail is in the samples
    per_page = {kind: _summary([v.seconds for v in visits if v.kind == kind and not v.error]) for kind in
                sorted({v.kind for v in visits})}  # fmt: skip
    window = 15.0  # p95 per 15 s of the run: where the slow pages were (the arrivals, the matching run, the import)

    def in_window(v: Visit, w: int) -> bool:
        return not v.error and (v.began - began) // window == w

    timeline = [
        {"from_s": w * window, **_summary([v.seconds for v in visits if in_window(v, w)])}
        for w in range(int(max((v.began - began for v in visits), default=0) // window) + 1)
    ]
    settled = [v.seconds for v in visits if not v.error and v.began - began >= args.arrival + args.think]
    result: dict[str, object] = {
        "database": "postgresql" if args.postgres else "sqlite",
        "sessions": args.sessions,
        "mix": dict(Counter(log.role for log in logs)),
        "replicas": args.replicas,
        "duration_s": args.duration,
        "think_s": args.think,
        "demo_workers": args.workers,
        "wall_s": round(wall, 1),
        "page_views": len(visits),
        "arrival_s": args.arrival,
        "all_pages": _summary(ok),
        "after_arrivals": _summary(settled),  # pages asked for once every session had arrived and read one page
        "timeline": timeline,
        "per_page": per_page,
        "errors": sum(errors.values()),
        "errors_by_kind": dict(errors),
        "error_samples": [f"{log.user} {v.kind}: {v.error}" for log in logs for v in log.visits if v.error][:10],
        "writes": _check_writes(db_url, logs, before, company_of),
        "cli_import": imported,
        "first_visit_after_start_s": first_visits,
        "memory": memory,
        "server_cpu_s_per_page_view": round(sum(memory["server_cpu_s"]) / max(1, len(visits)), 3),  # type: ignore[arg-type]
        "machine": {**_machine(), "load_avg_at_start": load_at_start},
        "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    db, _, tail = _name_tail(args).partition("-")
    name = f"load-{db}-{args.sessions}{'-' + tail if tail else ''}.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    return result


async def _first_visit(base: str, timeout: float) -> float:
    """The first visitor after the server started: the public page's server time (warm-up done before the port
    opened; docs/first-load.md)."""
    async with websockets.connect(
        base.replace("http://", "ws://") + "/_stcore/stream",
        subprotocols=[websockets.Subprotocol("streamlit")],
        additional_headers={"Origin": base},
        open_timeout=timeout,
    ) as ws:
        run = await Client(ws, base, timeout).run("")
    if run.error:
        raise SystemExit(f"the public page failed before the load started: {run.error}")
    return run.seconds


if __name__ == "__main__":
    main()
