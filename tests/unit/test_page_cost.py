"""Work the server does around every page view that does not depend on the page (issue 26, docs/load.md §2)."""

import gc
import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_full_garbage_collection_after_every_script_run() -> None:
    """Streamlit's default gc.collect(2) after each run walked the whole heap (pandas, cached boards, OR-Tools):
    0,13-0,17 s of CPU per page view, more than most pages' own work. It must stay off."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_the_server_freezes_what_it_made_at_start_up() -> None:
    """The start-up heap (modules, warm caches) is moved out of the collector's scans before the port opens."""
    spec = importlib.util.spec_from_file_location("payung_serve_gc", ROOT / "scripts" / "serve.py")
    assert spec is not None and spec.loader is not None
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    kept = [object() for _ in range(10)]  # noqa: F841 - alive across the freeze
    try:
        serve.freeze_startup_heap()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    source = (ROOT / "scripts" / "serve.py").read_text()
    main = source[source.index("def main(") :]
    assert main.index("freeze_startup_heap()") > main.index("warm_city_dashboard()"), "freeze after the warm-up"
    assert main.index("freeze_startup_heap()") < main.index("cli.main()"), "freeze before the port opens"
