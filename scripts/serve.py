"""Serve Payung: `python scripts/serve.py [streamlit options]` — `streamlit run app.py [options]`, ready before the
first visitor arrives (docs/first-load.md):

- Streamlit decides, when it creates its first session, whether the app is an old-style multipage app: a `pages/`
  folder sits next to app.py, so that first session ran app.py inside a generated page list and answered any
  deep link or bookmark with an English "Page not found". app.py uses `st.navigation` (pages/ only holds its
  scripts): we say so before serving.
- The modules every page needs (pandas, altair, SQLModel, the services) and the database bootstrap (migrate,
  regions, the demo in demo mode) load here, once, instead of inside the first visitor's page load (≈ 6 s on
  the 2-core machine).
"""

import ast
import contextlib
import importlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def page_imports(root: Path = ROOT) -> list[str]:
    """The project modules imported by app.py and every page script (found by reading them, so new pages count)."""
    names: set[str] = set()
    for script in [root / "app.py", *sorted((root / "pages").rglob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
    return sorted(n for n in names if n.split(".")[0] in {"services", "ui", "models"})


def warm_up() -> str:
    """Import what the pages import and make the database ready; returns what was done, for the log."""
    from streamlit import logger as streamlit_logger
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    # Module-level st.cache_* decorators warn "missing ScriptRunContext" outside a session: expected here
    # (`streamlit run` sets the configured log level again when it starts).
    streamlit_logger.set_log_level("error")
    started = time.perf_counter()
    for name in page_imports():
        with contextlib.suppress(ModuleNotFoundError):  # `from services.x import f`: the module is imported
            importlib.import_module(name)
    from services.demo.bootstrap import bootstrap

    message = bootstrap()
    return f"{message} Siap dalam {time.perf_counter() - started:.1f} dtk."


PUBLIC_PAGE = ROOT / "pages" / "public" / "home.py"


def warm_public_page(page: Path = PUBLIC_PAGE) -> str:
    """Run the public page once before the port opens, as its first visitor would (docs/first-load.md): outside a
    Streamlit session its elements go nowhere and its widgets take their defaults, but its st.cache_data entries —
    the board's queries, tables and charts for the default view — are filled in this process, which is the server.
    A failure here is only logged: the first visitor then pays for it, as before."""
    import runpy

    started = time.perf_counter()
    try:
        runpy.run_path(str(page), run_name="__payung_warm__")
    except Exception as exc:  # noqa: BLE001 - warming is an optimisation; the page shows its own errors
        return f"Halaman publik belum dipanaskan ({type(exc).__name__}: {exc})."
    return f"Halaman publik siap dalam {time.perf_counter() - started:.1f} dtk."


def warm_city_dashboard() -> str:
    """Compute the city dashboard's cached figures and charts for both city roles before the port opens, so the
    first staff member after a restart does not wait for them (they are cached per role and data version)."""
    started = time.perf_counter()
    try:
        from models import Role
        from services.platform.authz import Actor
        from ui import charts
        from ui import insight as view

        for role in (Role.VIEWER, Role.ADMIN):
            warmer = Actor(user_id=None, username="pemanasan", role=role)
            view.chart_specs(warmer)  # also the figures themselves and the baseline forecast
            view.map_spec(warmer, next(iter(charts.MAP_METRICS)))
    except Exception as exc:  # noqa: BLE001 - warming is an optimisation; the page shows its own errors
        return f"Ringkasan kota belum dipanaskan ({type(exc).__name__}: {exc})."
    return f"Ringkasan kota siap dalam {time.perf_counter() - started:.1f} dtk."


def freeze_startup_heap() -> None:
    """Move every object made so far (modules, the warm caches) out of the garbage collector's scans: they live as
    long as the process, and scanning them again in each full collection cost 0,13 s of CPU with this heap. With
    `runner.postScriptGC = false` (.streamlit/config.toml) the collector then only walks what page runs made."""
    import gc

    gc.collect()
    gc.freeze()


def main(argv: list[str]) -> None:  # pragma: no cover - exercised by the end-to-end tests' server
    sys.path.insert(0, str(ROOT))
    print(warm_up(), flush=True)
    print(warm_public_page(), flush=True)
    print(warm_city_dashboard(), flush=True)
    freeze_startup_heap()
    from streamlit.web import cli

    from ui import insight as view

    view.BACKGROUND = True  # the dashboard's read model is refreshed on write by a thread of this server (issue 26)

    from ui import server_guard

    server_guard.install()  # bounded uploads, session-bound one-time downloads (issue 23; docs/security.md)

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
