"""The house rules of docs/development.md that import-linter cannot express:
one package per stage with a stage.py, the raw inputs never below stage.py, and
no top-level module that only one stage uses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "sovereign"
STAGES = ("sentinel", "changelog", "grafana_push", "grafana_snapshot", "notify")
# Modules that serve the whole house rather than a stage's work.
INFRASTRUCTURE = {"__init__", "cli", "entry", "errors", "gha", "ritual"}


def imported_modules(path: Path) -> set[str]:
    """Every ``sovereign…`` module a file imports (``from sovereign import x`` counts as sovereign.x)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("sovereign")}


def imports_inputs(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "sovereign.gha"
            and any(alias.name == "Inputs" for alias in node.names)
        ):
            return True
    return False


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_is_a_package_with_a_stage_module(stage):
    assert (PACKAGE / stage / "__init__.py").is_file()
    assert (PACKAGE / stage / "stage.py").is_file()


@pytest.mark.parametrize("stage", STAGES)
def test_below_stage_py_nothing_sees_the_raw_inputs(stage):
    offenders = [p.name for p in sorted((PACKAGE / stage).glob("*.py")) if p.name != "stage.py" and imports_inputs(p)]
    assert not offenders, f"{stage}: {offenders} import Inputs; take the stage's settings or plain values instead"


def test_no_top_level_module_serves_one_stage_alone():
    top = {p.stem for p in PACKAGE.glob("*.py")} - INFRASTRUCTURE
    users: dict[str, set[str]] = {name: set() for name in top}
    for path in PACKAGE.rglob("*.py"):
        owner = path.relative_to(PACKAGE).parts[0] if path.parent != PACKAGE else "shared:" + path.stem
        for module in imported_modules(path):
            parts = module.split(".")
            if len(parts) > 1 and parts[1] in users and owner != "shared:" + parts[1]:
                users[parts[1]].add(owner)
    lonely = {name: sorted(who) for name, who in users.items() if len(who) == 1 and next(iter(who)) in STAGES}
    assert not lonely, f"used by one stage only, move it into that stage: {lonely}"


def test_the_checks_can_fail(tmp_path):
    """The Inputs detector sees the import it is looking for."""
    sample = tmp_path / "sample.py"
    sample.write_text("from sovereign.gha import Step, Inputs\n", encoding="utf-8")
    assert imports_inputs(sample)
    sample.write_text("from sovereign.gha import Step\n", encoding="utf-8")
    assert not imports_inputs(sample)


def test_every_shared_module_is_under_the_import_contract():
    """A new shared module or package is covered by "shared modules never import a stage"."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    config = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "forbidden")
    shared = {p.stem for p in PACKAGE.glob("*.py")} | {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    shared -= {"__init__", "ritual", *STAGES}
    assert {f"sovereign.{name}" for name in shared} == set(contract["source_modules"])
