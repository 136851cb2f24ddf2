"""House rules of DESIGN.md §4, checked on the source: one-way imports, thin pages."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", ["services", "models"])
def test_lower_layers_never_import_streamlit(layer: str) -> None:
    offenders = [p.name for p in (ROOT / layer).rglob("*.py") if "streamlit" in _imports(p)]
    assert offenders == [], f"{layer}/ imports streamlit: {offenders}"


def test_models_import_nothing_from_services_or_pages() -> None:
    offenders = [p.name for p in (ROOT / "models").rglob("*.py") if _imports(p) & {"services", "pages", "ui"}]
    assert offenders == []


def test_pages_do_not_query_the_database() -> None:
    for page in (ROOT / "pages").glob("*.py"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"session\.(exec|execute|query)\(|\bselect\(|create_engine\(", text), page.name
        assert "sqlmodel" not in _imports(page) and "sqlalchemy" not in _imports(page), page.name


def test_models_do_not_use_postponed_annotations() -> None:
    for module in (ROOT / "models").glob("*.py"):
        assert "from __future__ import annotations" not in module.read_text(encoding="utf-8"), module.name


def test_serializable_session_state_is_enforced() -> None:
    assert "enforceSerializableSessionState = true" in (ROOT / ".streamlit" / "config.toml").read_text()
