"""The markdown tables of docs/load.md §5 (and the figures docs/deploy.md §6 quotes) from the JSON files the
benchmarks wrote into benchmarks/results/ (benchmarks/run_all_load.sh runs them all):

    python -m benchmarks.load_tables [--results benchmarks/results]

Prints: the load runs (one row per database, sessions, processes and think time), the ceiling searches, the CPU per
page kind (page-cpu-*.json, one column per label) and the public first load. Numbers are written the
Indonesian way (0,35 s) as in the rest of the docs. Pure: reads files, prints text."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from benchmarks.load import RESULTS
from benchmarks.page_cpu import table as cpu_table


def _s(value: object, unit: str = " s") -> str:
    if not isinstance(value, int | float):
        return "–"
    return f"{value:.2f}".replace(".", ",") + unit


def _order(path: Path) -> tuple:
    """load-<db>-<N>[-r<R>][-t<think>].json sorted by database, think time, processes, sessions."""
    m = re.match(r"load-(\w+)-(\d+)(?:-r(\d+))?(?:-t([\d.]+))?(?:-a([\d.]+))?\.json$", path.name)
    if not m:
        return ("~", 0, 0, 0, 0)
    return (m.group(1), float(m.group(4) or 0), int(m.group(3) or 1), int(m.group(2)), float(m.group(5) or 0))


def load_rows(results: list[dict]) -> str:
    head = (
        "| database | sessions | processes | think s | arrivals over s | page views | p50 | p95 | p99 | max | "
        "p95 once all arrived | errors | pledges saved = in DB once | server RSS start → peak MiB | "
        "server CPU s (per view) | load avg during |"
    )
    lines = [head, "|" + "---|" * 16]
    for r in results:
        pages, writes, memory = r["all_pages"], r["writes"], r["memory"]
        errors = str(r["errors"])
        if r["errors_by_kind"]:
            errors += " (" + ", ".join(f"{k} {v}" for k, v in r["errors_by_kind"].items()) + ")"
        rss = "; ".join(f"{m['start']:.0f} → {m['peak']:.0f}" for m in memory["per_server_mib"])
        cpu = " + ".join(f"{c:.0f}" for c in memory["server_cpu_s"])
        per_view = f"{r['server_cpu_s_per_page_view']:.3f}".replace(".", ",")
        saved = f"{writes['pledges_saved_seen_by_users']} of {writes.get('pledges_sent', '–')}: " + (
            "yes" if writes["no_lost_or_double_write"] else "**NO**"
        )
        load = memory.get("load_avg_1min_during")
        lines.append(
            f"| {r['database']} | {r['sessions']} | {r['replicas']} | {r.get('think_s', '–'):g} | "
            f"{r.get('arrival_s', 2.0):g} | {r['page_views']} | "
            f"{_s(pages.get('p50_s'))} | {_s(pages.get('p95_s'))} | {_s(pages.get('p99_s'))} | "
            f"{_s(pages.get('max_s'))} | {_s(r.get('after_arrivals', {}).get('p95_s'))} | {errors} | {saved} | "
            f"{rss} | {cpu} ({per_view}) | "
            f"{_s(load, '') if load is not None else '–'} |"
        )
    return "\n".join(lines)


def ceiling_rows(results: list[dict]) -> str:
    lines = [
        "| database | processes | think s | ceiling (sessions, p95 ≤ 2 s, 0 errors) | steps: sessions → p95 (errors) |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        steps = ", ".join(f"{x['sessions']} → {_s(x['p95_s'])} ({x['errors']})" for x in r["steps"])
        first = r["steps"][0]["sessions"] if r["steps"] else 0
        ceiling = r["ceiling_sessions"] or f"below {first} (the first step tried)"
        lines.append(f"| {r['database']} | {r['replicas']} | {r['think_s']:g} | **{ceiling}** | {steps} |")
    return "\n".join(lines)


def first_load_rows(r: dict) -> str:
    rest = r.get("next_visitors_s") or []
    span = f" ({_s(min(rest))}–{_s(max(rest))})" if rest else ""
    return (
        "| first visitor after start | next visitors, median (range) | load avg |\n|---|---|---|\n"
        f"| {_s(r['first_visitor_after_start_s'])} | {_s(r.get('next_visitors_median_s'))}{span} | "
        f"{_s(r['load_avg'][0], '')} |"
    )


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    folder: Path = args.results
    out: list[str] = []
    loads = [json.loads(p.read_text()) for p in sorted(folder.glob("load-*.json"), key=_order)]
    loads = [r for r in loads if "think_s" in r and "all_pages" in r]
    if loads:
        out += ["### Load runs", "", load_rows(loads), ""]
    ceilings = [json.loads(p.read_text()) for p in sorted(folder.glob("ceiling-*.json"))]
    if ceilings:
        out += ["### Ceiling", "", ceiling_rows(ceilings), ""]
    cpus = [json.loads(p.read_text()) for p in sorted(folder.glob("page-cpu*.json"))]
    cpus = [r for r in cpus if not r.get("profiled")]
    if cpus:
        out += ["### CPU per page view", "", cpu_table(cpus), ""]
    first = folder / "first-load.json"
    if first.exists():
        out += ["### Public first load (Chromium)", "", first_load_rows(json.loads(first.read_text())), ""]
    text = "\n".join(out)
    print(text)
    return text


if __name__ == "__main__":
    main()
