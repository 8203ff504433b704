"""`sovereign <stage>` and `<stage>/main.py`: flags, aliases, help, usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sovereign.cli import main

ROOT = Path(__file__).resolve().parents[3]


def test_stage_runs_from_cli(capsys, monkeypatch, repo):
    repo.commit("release")
    repo.tag("v1.2.3")
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(repo.path)  # the checkout is the current folder
    assert main(["sentinel", "--tag", "v1.2.3", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "PASS  tag-format" in out and "PASS  tag-exists" in out


def test_unknown_flag_is_exit_2_without_echoing_its_value(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["sentinel", "--tokn=ghp_secretvalue", "--tag", "v1.2.3"]) == 2
    out = capsys.readouterr().out
    assert out.startswith("::error title=sentinel::unknown flag or argument: --tokn") and "ghp_" not in out
    assert out.count("\n") == 1


def test_unknown_stage_is_exit_2(capsys):
    assert main(["nope"]) == 2
    assert "unknown stage 'nope'" in capsys.readouterr().out


def test_help_lists_every_flag_with_default(capsys):
    try:
        main(["sentinel", "--help"])
    except SystemExit as exit_:
        assert exit_.code == 0
    out = capsys.readouterr().out
    for flag in ("--tag", "--tag-pattern", "--allow-prerelease", "--dry-run", "--verbose", "--artifacts-dir"):
        assert flag in out
    assert "default 'false'" in out and "SOVEREIGN_TAG_PATTERN" in out


def test_main_py_entrypoint_runs_as_a_script(repo):
    repo.commit("release")
    repo.tag("v0.1.0")
    result = subprocess.run(
        [sys.executable, str(ROOT / "sentinel" / "main.py"), "--tag", "v0.1.0", "--dry-run", "--verbose"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "GITHUB_WORKSPACE": str(repo.path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "debug: input tag from --tag" in result.stdout


def test_missing_dependency_is_one_clear_line(tmp_path):
    # A bare interpreter with no site-packages: requests / actions-toolkit are absent, and the
    # re-run in Sovereign's own environment (tests/actions/test_entry_points.py) already happened.
    result = subprocess.run(
        [sys.executable, "-S", "-s", str(ROOT / "sentinel" / "main.py"), "--tag", "v1.0.0"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "GITHUB_ACTIONS": "true", "_SOVEREIGN_RERUN": "1", "HOME": str(tmp_path)},
    )
    assert result.returncode == 1
    assert result.stdout.startswith("::error title=sentinel::Python package 'actions_toolkit' is missing")
    assert "Traceback" not in result.stderr
