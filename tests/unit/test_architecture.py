"""House rules of DESIGN.md §4 and docs/architecture.md, checked on the source: one-way imports, one package per
journey, no import circles, no reaching into another package's private names, thin pages, small modules."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
JOURNEYS = {"campaign", "registry", "pledges", "matching", "coverage", "insight", "demo"}
PACKAGES = JOURNEYS | {"platform"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _service_modules() -> dict[str, Path]:
    return {_module_name(p): p for p in SERVICES.rglob("*.py")}


def _imported(path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, str]]:
    """(module, name) for every `services.*` import in a file, local imports included; name '' for `import x`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("services"):
                    yield alias.name, ""
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("services"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield (sub, "") if sub in modules else (node.module, alias.name)


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("layer", ["services", "models"])
def test_lower_layers_never_import_streamlit(layer: str) -> None:
    offenders = [p.name for p in (ROOT / layer).rglob("*.py") if "streamlit" in _imports(p)]
    assert offenders == [], f"{layer}/ imports streamlit: {offenders}"


def test_models_import_nothing_from_services_or_pages() -> None:
    offenders = [p.name for p in (ROOT / "models").rglob("*.py") if _imports(p) & {"services", "pages", "ui"}]
    assert offenders == []


def test_services_are_one_package_per_journey() -> None:
    loose = [p.name for p in SERVICES.glob("*.py") if p.name != "__init__.py"]
    assert loose == [], f"modules outside a journey package: {loose}"
    found = {p.name for p in SERVICES.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert found <= PACKAGES | {"__pycache__"}, f"unknown packages: {found - PACKAGES}"
    for package in found:
        doc = ast.get_docstring(ast.parse((SERVICES / package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "Contract" in doc, f"services/{package}/__init__.py must state its contract"


def test_platform_imports_no_journey() -> None:
    modules = _service_modules()
    for name, path in modules.items():
        if _package(name) == "platform":
            bad = {m for m, _ in _imported(path, modules) if _package(m) in JOURNEYS}
            assert not bad, f"{name} (platform) imports a journey: {bad}"


def test_no_cross_package_import_of_private_names() -> None:
    modules = _service_modules()
    users = {**modules, **{_module_name(p): p for d in ("pages", "ui") for p in (ROOT / d).rglob("*.py")}}
    users["app"] = ROOT / "app.py"
    for name, path in users.items():
        for module, imported in _imported(path, modules):
            if _package(module) == _package(name):
                continue
            private = [part for part in module.split(".") + [imported] if part.startswith("_") and part != "__init__"]
            assert not private, f"{name} imports a private name of another package: {module} {imported}"


def test_no_import_circles_between_modules() -> None:
    modules = _service_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for module, _ in _imported(path, modules):
            target = module if module in modules else module.rsplit(".", 1)[0]
            # importing a package's public names runs its __init__, which is the edge that matters
            if target in modules and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt) :] + [nxt] if nxt in trail else [node, nxt]
                pytest.fail(f"import circle: {' -> '.join(cycle)}")
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_pledge_rules_have_no_database_access() -> None:
    path = SERVICES / "pledges" / "rules.py"
    assert not _imports(path) & {"sqlmodel", "sqlalchemy", "psycopg"}
    assert "Session" not in path.read_text(encoding="utf-8"), "pledge rules must not take a database session"


def test_service_modules_stay_small() -> None:
    long = {
        _module_name(p): n
        for p in SERVICES.rglob("*.py")
        if "matching" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > 420
    }
    assert long == {}, f"split these modules (about 400 lines at most): {long}"


def test_pages_do_not_query_the_database() -> None:
    for page in (ROOT / "pages").rglob("*.py"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"session\.(exec|execute|query)\(|\bselect\(|create_engine\(", text), page.name
        assert "sqlmodel" not in _imports(page) and "sqlalchemy" not in _imports(page), page.name


def test_pages_are_grouped_by_audience() -> None:
    loose = [p.name for p in (ROOT / "pages").glob("*.py")]
    assert loose == []
    assert {p.name for p in (ROOT / "pages").iterdir() if p.is_dir() and p.name != "__pycache__"} <= {
        "public",
        "company",
        "city",
    }


def test_every_page_file_is_registered_in_the_frame() -> None:
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for page in (ROOT / "pages").rglob("*.py"):
        assert f'"{page.relative_to(ROOT).as_posix()}"' in app, f"{page} is not in app.py's PAGES"


def test_models_do_not_use_postponed_annotations() -> None:
    for module in (ROOT / "models").glob("*.py"):
        assert "from __future__ import annotations" not in module.read_text(encoding="utf-8"), module.name


def test_serializable_session_state_is_enforced() -> None:
    assert "enforceSerializableSessionState = true" in (ROOT / ".streamlit" / "config.toml").read_text()
