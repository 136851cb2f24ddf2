"""Loaded by the server only when benchmarks/page_cpu.py --profile puts this folder on PYTHONPATH: wraps every
Streamlit script run in a pyinstrument profile and writes its text report to $PAYUNG_PROFILE_DIR (one file per
run, named by the page). pyinstrument is a tool of the benchmark, not a dependency of the app."""

import os
import time
from pathlib import Path

_DIR = os.environ.get("PAYUNG_PROFILE_DIR")
if _DIR:
    from pyinstrument import Profiler
    from streamlit.runtime.scriptrunner import script_runner

    _original = script_runner.ScriptRunner._run_script

    def _profiled(self, rerun_data):  # type: ignore[no-untyped-def]
        profiler = Profiler(interval=0.001)
        profiler.start()
        try:
            return _original(self, rerun_data)
        finally:
            profiler.stop()
            name = (rerun_data.page_name or "root").replace("/", "_") or "root"
            out = Path(_DIR) / f"{time.time():.3f}-{name}.txt"
            out.write_text(profiler.output_text(unicode=False, color=False, show_all=False))

    script_runner.ScriptRunner._run_script = _profiled  # type: ignore[method-assign]
