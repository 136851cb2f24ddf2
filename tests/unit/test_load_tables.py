"""The load benchmark's pure parts: when a ceiling step passes, and the markdown tables made from result files."""

import json
from pathlib import Path

from benchmarks.load import passes
from benchmarks.load_tables import main as tables


def _run(p95: float, errors: int = 0, safe: bool = True, n: int = 40) -> dict:
    return {
        "database": "sqlite",
        "sessions": 50,
        "replicas": 1,
        "think_s": 20.0,
        "page_views": n,
        "all_pages": {"n": n, "p50_s": 0.2, "p95_s": p95, "p99_s": p95 + 0.5, "max_s": p95 + 1},
        "errors": errors,
        "errors_by_kind": {"no answer in 60 s": errors} if errors else {},
        "writes": {"pledges_sent": 3, "pledges_saved_seen_by_users": 3, "no_lost_or_double_write": safe},
        "memory": {
            "per_server_mib": [{"start": 330.0, "peak": 401.2, "end": 390.0}],
            "server_cpu_s": [12.0],
            "load_avg_1min_during": 1.5,
        },
        "server_cpu_s_per_page_view": 0.051,
    }


def test_a_ceiling_step_passes_only_without_errors_lost_writes_or_a_slow_p95() -> None:
    assert passes(_run(1.99))
    assert passes(_run(2.0))
    assert not passes(_run(2.01))
    assert not passes(_run(0.5, errors=1))
    assert not passes(_run(0.5, safe=False))
    assert not passes(_run(0.5, n=0))  # no page answered is no pass


def test_tables_from_result_files(tmp_path: Path) -> None:
    (tmp_path / "load-sqlite-50-t20.json").write_text(json.dumps(_run(1.234)))
    (tmp_path / "load-sqlite-50-t5.json").write_text(json.dumps({**_run(3.5, errors=2), "think_s": 5.0}))
    ceiling = {
        "database": "postgresql",
        "replicas": 2,
        "think_s": 20.0,
        "ceiling_sessions": 75,
        "steps": [{"sessions": 50, "p95_s": 0.8, "errors": 0}, {"sessions": 75, "p95_s": 1.9, "errors": 0},
                  {"sessions": 100, "p95_s": 2.6, "errors": 0}],
    }  # fmt: skip
    (tmp_path / "ceiling-postgresql-r2-t20.json").write_text(json.dumps(ceiling))
    text = tables(["--results", str(tmp_path)])
    rows = [line for line in text.splitlines() if line.startswith("| sqlite")]
    assert [r.split(" | ")[3] for r in rows] == ["5", "20"]  # harsh think time first
    assert "1,23 s" in rows[1] and "2 (no answer in 60 s 2)" in rows[0]
    assert "330 → 401" in rows[1] and "12 (0,051)" in rows[1] and "3 of 3: yes" in rows[1]
    assert "| postgresql | 2 | 20 | **75** | 50 → 0,80 s (0), 75 → 1,90 s (0), 100 → 2,60 s (0) |" in text
    assert "Public first load" not in text  # no file, no table
