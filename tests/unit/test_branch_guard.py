"""Guard of the class, not the case: every public service of the BPJS loop (services/coverage) and of the benefit
figures that takes the acting user checks it first — the branch scope or a role — so no new service can hand a
branch officer another branch's workers (or anyone a company's finances) by forgetting the check."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKS = {"branch_scope", "require_role", "require_branch", "require_company_access", "_authorise"}
# Services whose first statement hands over to a checked helper (named here so the exception is visible).
DELEGATES = {"record_claim": "_check"}


def _public_services(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and not node.name.startswith("_")
        and any(a.arg == "actor" for a in node.args.kwonlyargs)
    ]


def _calls(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            names.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return names


def test_every_coverage_and_benefit_service_checks_the_actor() -> None:
    paths = [*(ROOT / "services" / "coverage").glob("*.py"), ROOT / "services" / "insight" / "benefits.py"]
    checked = []
    for path in paths:
        for fn in _public_services(path):
            calls = _calls(fn)
            ok = bool(calls & CHECKS) or DELEGATES.get(fn.name) in calls
            assert ok, f"{path.name}:{fn.name} takes an actor but checks neither the branch scope nor a role"
            checked.append(fn.name)
    assert {
        "pledge_choices",
        "allocation_choices",
        "export_registration",
        "import_result",
        "import_claims",
        "closed_by_payer",
    } <= set(checked)


def test_the_delegate_checks_the_branch_scope() -> None:
    tree = ast.parse((ROOT / "services" / "coverage" / "claims.py").read_text(encoding="utf-8"))
    helper = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "_check")
    assert "branch_scope" in _calls(helper)
