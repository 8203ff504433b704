"""The dependency bootstrap every action.yml runs first: real venv, real pip."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bootstrap" / "bootstrap.sh"


def bootstrap(
    runner_temp: Path, tmp_path: Path, path: str | None = None
) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    output = tmp_path / "github_output"
    output.write_text("")
    env = {**os.environ, "RUNNER_TEMP": str(runner_temp), "GITHUB_OUTPUT": str(output)}
    if path is not None:
        env["PATH"] = path
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=env, check=False)
    values = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result, values


@pytest.mark.slow
def test_cold_then_warm(tmp_path):
    runner_temp = tmp_path / "rt"
    cold, values = bootstrap(runner_temp, tmp_path)
    assert cold.returncode == 0, cold.stdout + cold.stderr
    assert "created its Python environment" in cold.stdout
    python = Path(values["python"])
    assert python.is_file() and runner_temp in python.parents
    check = subprocess.run(
        [
            str(python),
            "-c",
            "import requests, actions_toolkit.core, ruamel.yaml, packaging.version, importlib.util as u;"
            "print(u.find_spec('github'), u.find_spec('_ruamel_yaml'))",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    # Neither PyGithub (actions-toolkit's core does not need it) nor ruamel's C extension (an extra).
    assert check.stdout.strip() == "None None", check.stdout

    warm, again = bootstrap(runner_temp, tmp_path)
    assert warm.returncode == 0 and "reused its Python environment" in warm.stdout
    assert again["python"] == values["python"]
    assert not list((runner_temp / "sovereign").glob("build-*")), "no half-built venv is left behind"


def test_old_python_is_a_clear_error(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    for name in ("python3", "python", "py"):
        script = fake / name
        script.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 'Python 3.8.18'\nexit 1\n")
        script.chmod(0o755)
    result, values = bootstrap(tmp_path / "rt", tmp_path, path=f"{fake}:/usr/bin:/bin")
    assert result.returncode == 1
    assert result.stdout.startswith(
        "::error title=bootstrap::Sovereign needs Python 3.10 or newer (found: Python 3.8.18)"
    )
    assert "setup-python" in result.stdout
    assert values == {}


def test_second_stage_in_the_job_reuses_the_venv(action, repo):
    repo.commit("first")
    repo.tag("v1.0.0")
    first = action("sentinel", {"tag": "v1.0.0"}, workspace=repo.path)
    repo.commit("second")
    repo.tag("v1.0.1")
    second = action("sentinel", {"tag": "v1.0.1"}, workspace=repo.path)
    assert first.returncode == second.returncode == 0
    assert "reused its Python environment" in second.stdout
