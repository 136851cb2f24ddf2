#!/usr/bin/env bash
# Every number of docs/load.md §5 and docs/deploy.md §6, one run after the other, on a quiet machine (nothing else
# running: the numbers are the server's, and a shared machine's load shows in them). Loopback only; each run is
# bounded (≤ 200 sessions, ≤ 600 s of load). Results: benchmarks/results/*.json; then
#   .venv/bin/python -m benchmarks.load_tables > /tmp/tables.md
# prints the tables to paste into docs/load.md §5. About 2–3 h in all on 2 cores (a ceiling search stops at its
# first failing step, so it is often shorter).
#
# Think time: 20 s is the realistic mean (a person reads a page 10-30 s); 5 s is the harsh case. The issue's
# targets (50 on SQLite, 200 on PostgreSQL) are run with both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
LOAD="$PY -m benchmarks.load"

$PY -m benchmarks.page_cpu --views 5 --label now                         # CPU per page kind (§2 table)
$PY -m benchmarks.first_load --visitors 9                                # public first load (first-load.md)

$LOAD --sessions 50 --duration 120 --think 5                             # SQLite, the issue's 50, harsh
$LOAD --sessions 50 --duration 240 --think 20                            # SQLite, the issue's 50, realistic
$LOAD --ceiling --duration 90 --think 5                                  # SQLite ceiling, harsh
$LOAD --ceiling --duration 180 --think 20                                # SQLite ceiling, realistic

$LOAD --postgres --sessions 200 --duration 120 --think 5                 # PostgreSQL, the issue's 200, 1 process
$LOAD --postgres --sessions 200 --duration 120 --think 5 --replicas 2    # ... 2 processes (sticky by session)
$LOAD --postgres --sessions 200 --duration 240 --think 20                # realistic think time, 1 process
$LOAD --postgres --sessions 200 --duration 240 --think 20 --replicas 2   # ... 2 processes
$LOAD --postgres --ceiling --duration 180 --think 20                     # PostgreSQL ceiling, 1 process
$LOAD --postgres --ceiling --duration 180 --think 20 --replicas 2        # PostgreSQL ceiling, 2 processes

$PY -m benchmarks.load_tables
