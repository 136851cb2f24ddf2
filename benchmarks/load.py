"""Load benchmark: many simultaneous sessions against `streamlit run app.py` with the demo, on loopback only.

    python -m benchmarks.load [--sessions 50] [--rounds 3] [--workers 25000] [--deadline 300]

Seeds the demo into a temporary SQLite file (or uses --database-url), starts `streamlit run` on 127.0.0.1 (a
free port; never another host), then opens N sessions over the app's own websocket at the same moment — what a
browser does, without a browser's rendering cost, so the figures are the server's: half are company officers
(each its own company, signed in by the login cookie) going home → Ikrar saya → Laporan dampak, half are
city viewers going Ringkasan kota → Beranda → Ringkasan kota. A page time is from the `rerun_script` message to
`script_finished`. Errors: a Streamlit exception element, the app's "kode rujukan" message, a page not found,
a run that did not finish, a lost connection. Bounded: at most 200 sessions, every wait has a timeout and the
whole run a deadline. Prints p50 / p95 / max per page and overall, writes benchmarks/results/load-<db>.json.
--postgres runs it on a throwaway PostgreSQL cluster (as the tests do) instead of a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import jwt
import websockets
from sqlmodel import Session, col, select
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from models import Role, User
from services.demo.bootstrap import bootstrap
from services.platform.db import make_engine
from tests.e2e.conftest import E2E_COOKIE_KEY, streamlit_server
from tests.pg import ThrowawayPostgres

RESULTS = Path(__file__).resolve().parent / "results"
MAX_SESSIONS = 200
# A role's default page answers at the root URL (st.navigation gives it the path ""), as a browser opens it.
COMPANY_PAGES = ["", "ikrar", "laporan"]  # Beranda perusahaan, Ikrar saya, Laporan dampak
CITY_PAGES = ["", "beranda", ""]  # Ringkasan kota (the viewer's default), the public board, Ringkasan kota again
PAGE_LABELS = {("company", ""): "perusahaan", ("viewer", ""): "ringkasan"}


@dataclass
class Visit:
    page: str
    seconds: float
    error: str = ""


@dataclass
class SessionLog:
    username: str
    visits: list[Visit] = field(default_factory=list)


def _cookie(username: str) -> str:
    token = jwt.encode({"username": username, "exp_date": time.time() + 3600}, E2E_COOKIE_KEY, algorithm="HS256")
    return f"payung_auth={token}"


def _rerun(page: str, url: str) -> bytes:
    msg = BackMsg(
        rerun_script=ClientState(
            page_name=page,
            context_info=ContextInfo(timezone="Asia/Jakarta", timezone_offset=-420, locale="id-ID", url=url),
        )
    )
    return msg.SerializeToString()


async def _visit(ws: websockets.ClientConnection, page: str, label: str, base: str, timeout: float) -> Visit:
    started = time.perf_counter()
    await ws.send(_rerun(page, f"{base}/{page}"))
    error = ""
    try:
        async with asyncio.timeout(timeout):
            while True:
                raw = await ws.recv()
                msg = ForwardMsg()
                msg.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
                kind = msg.WhichOneof("type")
                if kind == "page_not_found":
                    error = error or "page not found"
                elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element
                    which = element.WhichOneof("type")
                    if which == "exception":
                        error = error or f"exception: {element.exception.type}"
                    elif which == "alert" and "kode rujukan" in element.alert.body:
                        error = error or "unexpected error (kode rujukan)"
                elif kind == "script_finished":
                    if msg.script_finished == ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY:
                        break
                    if msg.script_finished == ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR:
                        error = error or "compile error"
                        break
                    # FINISHED_EARLY_FOR_RERUN (st.rerun): the page goes on in the next run
    except TimeoutError:
        error = error or f"no answer in {timeout:.0f} s"
    return Visit(label, time.perf_counter() - started, error)


async def _session(
    username: str, role: str, pages: list[str], base: str, start: asyncio.Event, timeout: float
) -> SessionLog:
    log = SessionLog(username)
    ws_url = base.replace("http://", "ws://") + "/_stcore/stream"
    await start.wait()
    try:
        async with websockets.connect(
            ws_url,
            subprotocols=[websockets.Subprotocol("streamlit")],
            additional_headers={"Cookie": _cookie(username), "Origin": base},
            max_size=64 * 1024 * 1024,
            open_timeout=timeout,
        ) as ws:
            for page in pages:
                label = PAGE_LABELS.get((role, page), page)
                log.visits.append(await _visit(ws, page, label, base, timeout))
    except (OSError, websockets.WebSocketException) as exc:
        log.visits.append(Visit(pages[len(log.visits)] if len(log.visits) < len(pages) else "?", 0.0, repr(exc)))
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
        "max_s": round(max(values), 3),
    }


async def _run(
    base: str, users: list[tuple[str, str]], rounds: int, timeout: float, deadline: float
) -> list[SessionLog]:
    start = asyncio.Event()
    tasks = []
    for username, role in users:
        cycle = COMPANY_PAGES if role == Role.COMPANY else CITY_PAGES
        pages = [cycle[i % len(cycle)] for i in range(max(rounds, 1))]
        tasks.append(asyncio.create_task(_session(username, role, pages, base, start, timeout)))
    await asyncio.sleep(0.2)
    start.set()  # every session connects at the same moment
    async with asyncio.timeout(deadline):
        return list(await asyncio.gather(*tasks))


def _machine() -> dict[str, object]:
    cpu = "?"
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "python": platform.python_version(),
        "load_avg_at_start": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> dict[str, object]:  # pragma: no cover - a benchmark, not a test
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="pages per session")
    parser.add_argument("--workers", type=int, default=25_000, help="demo workers to seed")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one page may take")
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds the whole run may take")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL cluster instead of SQLite")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be 1..{MAX_SESSIONS}")
    tmp = Path(tempfile.mkdtemp(prefix="payung-load-"))
    with contextlib.ExitStack() as stack:
        db_url = f"sqlite:///{tmp / 'load.db'}"
        if args.postgres:
            pg = ThrowawayPostgres()
            db_url = pg.start()
            stack.callback(pg.stop)
        return _measure(args, tmp, db_url)


def _measure(args: argparse.Namespace, tmp: Path, db_url: str) -> dict[str, object]:  # pragma: no cover
    seeded = time.perf_counter()
    bootstrap(url=db_url, demo=True, n_workers=args.workers, seed=14422)
    print(f"demo seeded ({args.workers} workers) in {time.perf_counter() - seeded:.1f} s")
    engine = make_engine(db_url)
    with Session(engine) as s:
        companies = s.exec(
            select(User.username).where(User.role == Role.COMPANY, col(User.is_active).is_(True)).order_by(User.id)
        ).all()
    engine.dispose()
    n_company = (args.sessions + 1) // 2
    users = [(companies[i % len(companies)], Role.COMPANY) for i in range(n_company)]
    users += [("walikota", Role.VIEWER)] * (args.sessions - n_company)
    with streamlit_server(db_url, tmp) as base:
        assert base.startswith("http://127.0.0.1:"), base  # loopback only
        warm = asyncio.run(_run(base, [("walikota", Role.VIEWER)], 1, args.timeout, args.deadline))
        print(f"warm-up (first run opens the engine): {warm[0].visits[0].seconds:.2f} s")
        began = time.perf_counter()
        logs = asyncio.run(_run(base, users, args.rounds, args.timeout, args.deadline))
        wall = time.perf_counter() - began
    visits = [v for log in logs for v in log.visits]
    ok = [v.seconds for v in visits if not v.error]
    errors = [f"{log.username} {v.page}: {v.error}" for log in logs for v in log.visits if v.error]
    first = [log.visits[0].seconds for log in logs if log.visits and not log.visits[0].error]
    per_page = {
        page: _summary([v.seconds for v in visits if v.page == page and not v.error])
        for page in sorted({v.page for v in visits})
    }
    result: dict[str, object] = {
        "database": "postgresql" if args.postgres else "sqlite",
        "sessions": args.sessions,
        "pages_per_session": args.rounds,
        "demo_workers": args.workers,
        "wall_s": round(wall, 1),
        "all_pages": _summary(ok),
        "first_page_all_sessions_at_once": _summary(first),
        "per_page": per_page,
        "errors": len(errors),
        "error_samples": errors[:10],
        "machine": _machine(),
        "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    print(json.dumps(result, indent=2))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"load-{result['database']}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
