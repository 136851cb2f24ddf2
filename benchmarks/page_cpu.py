"""CPU of the server per page view, per page kind of the load mix (issue 26): one session at a time, so every CPU
second the server spends between a page's request and the end of its run belongs to that page.

    python -m benchmarks.page_cpu [--views 5] [--workers 25000] [--label after] [--profile DIR]

Seeds the demo (--workers; the seeded file is kept in the temp folder and copied for each run, so repeated runs
skip seeding), starts `scripts/serve.py` on 127.0.0.1 and, over the app's websocket (the client of
benchmarks/load.py), opens each page kind of the mix once to warm it and then --views times more, reading the
server process's user+system CPU (/proc/<pid>/stat) before and after each view. Page kinds: the public board
and a company's public page (a visitor), the login form and a login (bcrypt; a new session each time), the pledge
form and its pricing, Ikrar saya, Laporan dampak, the company home (an officer), Ringkasan kota and Laporan
triwulan (a city viewer by the login cookie), Impor pekerja, Registri pekerja, Pencocokan (an admin).

With --profile DIR the server runs every script under pyinstrument (benchmarks/profiling/sitecustomize.py) and
writes one text report per run into DIR (pyinstrument must be installed; it is not a dependency of the app).
Writes benchmarks/results/page-cpu[-<label>].json and prints a markdown table (docs/load.md §2).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import websockets
from sqlmodel import Session, col, select

from benchmarks.load import RESULTS, Client, Run, _click, _cookie, _cpu_s, _machine, _servers, _text
from models import Company, LetterRecipient, Role, User
from services import insight
from services.demo.bootstrap import bootstrap
from services.demo.seed import DEMO_PASSWORDS
from services.platform.db import make_engine

PROFILING = Path(__file__).resolve().parent / "profiling"


def _seeded(workers: int, tmp: Path) -> str:
    """A fresh copy of the demo database with `workers` workers (seeded once per machine and size)."""
    cached = Path(tempfile.gettempdir()) / f"payung-page-cpu-{workers}.db"
    if not cached.exists():
        began = time.perf_counter()
        bootstrap(url=f"sqlite:///{cached}", demo=True, n_workers=workers, seed=14422)
        print(f"demo seeded ({workers} workers) in {time.perf_counter() - began:.1f} s", flush=True)
    shutil.copy(cached, tmp / "page-cpu.db")
    return f"sqlite:///{tmp / 'page-cpu.db'}"


def _accounts(db_url: str, n: int) -> tuple[list[str], list[str]]:
    """Company officers' usernames (open recipients) and the public slugs."""
    engine = make_engine(db_url)
    with Session(engine) as s:
        users = s.exec(
            select(User.username)
            .join(LetterRecipient, col(LetterRecipient.company_id) == col(User.company_id))
            .join(Company, col(Company.id) == col(User.company_id))
            .where(User.role == Role.COMPANY, col(User.is_active).is_(True), col(LetterRecipient.declined_at).is_(None))
            .order_by(User.id)
            .limit(n)
        ).all()
        slugs = [str(x) for x in insight.public_board(session=s).rows["slug"]]
    engine.dispose()
    return list(users), slugs


class Meter:
    """Times and server CPU of each page view, by page kind."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.cpu: dict[str, list[float]] = {}
        self.wall: dict[str, list[float]] = {}
        self.errors: list[str] = []

    async def view(self, kind: str, action: Callable[[], Awaitable[Run]], *, count: bool = True) -> Run:
        await asyncio.sleep(0.05)  # the previous run's last messages are out
        before = _cpu_s(self.pid)
        run = await action()
        await asyncio.sleep(0.05)
        used = _cpu_s(self.pid) - before
        if run.error:
            self.errors.append(f"{kind}: {run.error}")
        if count:
            self.cpu.setdefault(kind, []).append(used)
            self.wall.setdefault(kind, []).append(run.seconds)
        return run


async def _connect(base: str, cookie: str | None = None) -> websockets.ClientConnection:
    headers = {"Origin": base, **({"Cookie": cookie} if cookie else {})}
    return await websockets.connect(
        base.replace("http://", "ws://") + "/_stcore/stream",
        subprotocols=[websockets.Subprotocol("streamlit")],
        additional_headers=headers,
        max_size=64 * 1024 * 1024,
        ping_interval=None,
    )


async def _login(meter: Meter, client: Client, username: str, *, count: bool) -> bool:
    form = await meter.view("masuk: formulir", lambda: client.run("masuk"), count=count)
    ids = form.widgets
    if not all(k in ids for k in ("Nama pengguna", "Kata sandi", "Masuk")):
        meter.errors.append(f"masuk: login form not shown {sorted(ids)}")
        return False
    states = [
        _text(ids["Nama pengguna"], username),
        _text(ids["Kata sandi"], DEMO_PASSWORDS[Role.COMPANY]),
        _click(ids["Masuk"]),
    ]
    home = await meter.view("masuk: kirim (bcrypt)", lambda: client.run("masuk", states=states), count=count)
    if "Keluar" not in home.widgets:
        meter.errors.append(f"masuk: login did not go through {home.alerts[:2]}")
        return False
    return True


async def _measure(base: str, meter: Meter, views: int, officers: list[str], slugs: list[str]) -> None:
    rounds = range(views + 1)  # round 0 warms each page and is not counted

    async with await _connect(base) as ws:
        visitor = Client(ws, base, 120)
        for i in rounds:
            await meter.view("publik: beranda", lambda: visitor.run(""), count=i > 0)
            slug = slugs[i % len(slugs)]
            await meter.view(
                "publik: perusahaan", lambda s=slug: visitor.run("perusahaan-publik", query=f"id={s}"), count=i > 0
            )

    for i in rounds:  # a new browser session per login, a new company each time
        async with await _connect(base) as ws:
            await _login(meter, Client(ws, base, 120), officers[i], count=i > 0)

    async with await _connect(base) as ws:
        officer = Client(ws, base, 120)
        if not await _login(meter, officer, officers[-1], count=False):
            return
        for i in rounds:
            form = await meter.view("ikrar: formulir", lambda: officer.run("ikrar-baru"), count=i > 0)
            submit, workers = form.widgets.get("Hitung biaya dan periksa area"), form.widgets.get("Jumlah pekerja")
            if submit is None or workers is None:
                meter.errors.append(f"ikrar: form not shown {form.alerts[:2]}")
            else:
                states = [_text(workers, str(5 + i)), _click(submit)]
                await meter.view("ikrar: hitung", lambda s=states: officer.run("ikrar-baru", states=s), count=i > 0)
            for kind, page in (
                ("perusahaan: ikrar saya", "ikrar"),
                ("perusahaan: laporan dampak", "laporan"),
                ("perusahaan: beranda", ""),
            ):
                await meter.view(kind, lambda p=page: officer.run(p), count=i > 0)

    for login, pages in (
        ("walikota", (("kota: ringkasan", ""), ("kota: laporan triwulan", "laporan-kota"))),
        ("admin", (("admin: impor pekerja", "impor-pekerja"), ("admin: registri", "registri"),
                   ("admin: pencocokan", "pencocokan"))),
    ):  # fmt: skip
        async with await _connect(base, _cookie(login)) as ws:
            staff = Client(ws, base, 120)
            for i in rounds:
                for kind, page in pages:
                    await meter.view(kind, lambda p=page, c=staff: c.run(p), count=i > 0)


def table(results: list[dict]) -> str:
    """Markdown: one row per page kind, one column pair per result (e.g. before / after)."""
    head = "| page kind | " + " | ".join(f"CPU s per view ({r['label']})" for r in results) + " |"
    lines = [head, "|---|" + "---|" * len(results)]
    kinds = list(dict.fromkeys(k for r in results for k in r["per_page"]))
    for kind in kinds:
        cells = []
        for r in results:
            row = r["per_page"].get(kind)
            cells.append(f"{row['cpu_s_median']:.3f}".replace(".", ",") if row else "–")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, object]:  # pragma: no cover - a benchmark, not a test
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--views", type=int, default=5, help="counted views per page kind (1..30)")
    parser.add_argument("--workers", type=int, default=25_000)
    parser.add_argument("--label", default="", help="names the result file: page-cpu-<label>.json")
    parser.add_argument("--profile", type=Path, help="write a pyinstrument report of every script run here")
    args = parser.parse_args(argv)
    if not 1 <= args.views <= 30:
        parser.error("--views must be 1..30")
    tmp = Path(tempfile.mkdtemp(prefix="payung-page-cpu-"))
    db_url = _seeded(args.workers, tmp)
    officers, slugs = _accounts(db_url, args.views + 2)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
        os.environ["PAYUNG_PROFILE_DIR"] = str(args.profile.resolve())
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROFILING), os.environ.get("PYTHONPATH")]))
    with _servers(db_url, tmp, 1) as (bases, pids):
        meter = Meter(pids[0])
        asyncio.run(_measure(bases[0], meter, args.views, officers, slugs))
    per_page = {
        kind: {
            "views": len(cpu),
            "cpu_s_median": round(statistics.median(cpu), 3),
            "cpu_s_mean": round(statistics.mean(cpu), 3),
            "cpu_s_max": round(max(cpu), 3),
            "server_time_s_median": round(statistics.median(meter.wall[kind]), 3),
        }
        for kind, cpu in meter.cpu.items()
    }
    result: dict[str, object] = {
        "label": args.label or "now",
        "demo_workers": args.workers,
        "profiled": bool(args.profile),
        "per_page": per_page,
        "errors": meter.errors,
        "machine": {**_machine(), "load_avg": os.getloadavg()},
        "at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    print(json.dumps(result, indent=2))
    print(table([result]))
    RESULTS.mkdir(exist_ok=True)
    name = f"page-cpu-{args.label}.json" if args.label else "page-cpu.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
