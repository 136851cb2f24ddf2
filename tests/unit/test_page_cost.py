"""Work the server does around every page view that does not depend on the page (issue 26, docs/load.md §2)."""

import gc
import importlib.util
import tomllib
from pathlib import Path

import pytest

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


def test_the_area_map_is_built_once_per_site_radius_and_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """The area map's deck.gl JSON (every kelurahan boundary of the city) is cached, not rebuilt per view."""
    import json

    from ui import company

    company.area_deck.clear()
    built_layers: list[int] = []
    real_base = company.kelurahan_base_layer
    monkeypatch.setattr(company, "kelurahan_base_layer", lambda: built_layers.append(1) or real_base())
    chosen = (("Kel. Sukasari", -6.18, 106.63),)
    spec = company.area_deck(-6.17, 106.64, 3.0, chosen)
    assert spec is not None
    deck = json.loads(spec)
    kinds = [layer["@@type"] for layer in deck["layers"]]
    assert kinds == [
        "GeoJsonLayer",
        "ScatterplotLayer",
        "ScatterplotLayer",
        "ScatterplotLayer",
    ]  # city, radius, site, kel.
    assert len(deck["layers"][0]["data"]["features"]) > 100  # every kelurahan of the city
    assert deck["layers"][3]["data"] == [{"label": "Kel. Sukasari", "lat": -6.18, "lon": 106.63}]
    assert company.area_deck(-6.17, 106.64, 3.0, chosen) == spec  # the second view: the cached answer
    assert len(built_layers) == 1  # built once
    assert company.area_deck(None, None, None, ()) is None  # nothing to place: the page says so instead
    built = company.BuiltDeck(spec)
    assert built.to_json() == spec and built._tooltip == {"text": "{label}"}
