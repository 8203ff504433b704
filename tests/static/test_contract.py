"""The action.yml files keep their promises: inputs mapped, documented, in sync."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sovereign.cli import STAGES, available, load

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = sorted(p.parent for p in ROOT.glob("*/action.yml")) + ([ROOT] if (ROOT / "action.yml").exists() else [])


def spec(folder: Path) -> dict:
    return yaml.safe_load((folder / "action.yml").read_text(encoding="utf-8"))


def env_name(name: str) -> str:
    return "SOVEREIGN_" + name.upper().replace("-", "_")


@pytest.mark.parametrize("folder", ACTIONS, ids=lambda p: p.name)
def test_every_input_is_mapped_to_its_env_var(folder):
    data = spec(folder)
    mapped = {}
    for step in data["runs"]["steps"]:
        mapped.update(step.get("env") or {})
    for name in data.get("inputs") or {}:
        assert mapped.get(env_name(name)) == f"${{{{ inputs.{name} }}}}", (
            f"{folder.name}: input {name} not mapped to {env_name(name)}"
        )


@pytest.mark.parametrize("folder", ACTIONS, ids=lambda p: p.name)
def test_no_expression_inside_run(folder):
    for step in spec(folder)["runs"]["steps"]:
        assert "${{" not in str(step.get("run", "")), f"{folder.name}: ${{{{ }}}} inside run: (map it through env:)"


@pytest.mark.parametrize("folder", ACTIONS, ids=lambda p: p.name)
def test_every_input_and_output_is_documented(folder):
    readme = (folder / "README.md").read_text(encoding="utf-8")
    data = spec(folder)
    for kind in ("inputs", "outputs"):
        for name in data.get(kind) or {}:
            assert re.search(rf"`{re.escape(name)}`", readme), (
                f"{folder.name}/README.md does not document {kind[:-1]} `{name}`"
            )


@pytest.mark.parametrize("folder", ACTIONS, ids=lambda p: p.name)
def test_action_inputs_match_the_stage(folder):
    name = "ritual" if folder == ROOT else folder.name
    if name not in available():
        pytest.skip(f"stage {name} not built yet")
    stage = load(name)
    declared = spec(folder).get("inputs") or {}
    python = {i.name: i for i in stage.inputs}
    assert set(declared) == set(python), f"{name}: action.yml and the stage's inputs differ"
    for input_name, meta in declared.items():
        default = str((meta or {}).get("default", ""))
        if "${{" in default:
            continue  # e.g. ${{ github.token }}: the runner fills it in
        assert default == python[input_name].default, f"{name}: default of {input_name} differs"


def test_every_stage_folder_is_registered():
    for folder in ACTIONS:
        if folder != ROOT:
            assert folder.name in STAGES


def test_ritual_action_is_generated_and_current():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_ritual_action.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_ritual_prefixes_exactly_the_shared_output_names():
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import gen_ritual_action

    from sovereign.ritual import CLASHING_OUTPUTS

    specs = {s: spec(ROOT / s) for s in gen_ritual_action.ORDER}
    assert gen_ritual_action.clashing(specs) == CLASHING_OUTPUTS
