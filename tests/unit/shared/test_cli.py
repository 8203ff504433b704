"""`sovereign <stage>` and `<stage>/main.py`: flags, aliases, help, usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gitfactory import RepoBuilder

from sovereign.cli import main

ROOT = Path(__file__).resolve().parents[3]


def test_stage_runs_from_cli(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["sentinel", "--tag", "v1.2.3", "--dry-run"]) == 0
    assert "PASS  tag-format" in capsys.readouterr().out


def test_unknown_flag_is_exit_2_without_echoing_its_value(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
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


def test_main_py_entrypoint_runs_as_a_script(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "sentinel" / "main.py"), "--tag", "v0.1.0", "--dry-run", "--verbose"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "GITHUB_WORKSPACE": str(tmp_path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "debug: input tag from --tag" in result.stdout


def test_missing_dependency_is_one_clear_line(tmp_path):
    # A bare interpreter with no site-packages: requests / actions-toolkit are absent.
    result = subprocess.run(
        [sys.executable, "-S", "-s", str(ROOT / "sentinel" / "main.py"), "--tag", "v1.0.0"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert result.stdout.startswith("::error title=sentinel::Python package 'actions_toolkit' is missing")
    assert "Traceback" not in result.stderr


def _bare_env(workspace: Path) -> dict[str, str]:
    """A laptop: no GITHUB_* besides the workspace (so no GITHUB_REPOSITORY)."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(workspace), "GITHUB_WORKSPACE": str(workspace)}


def test_the_repository_comes_from_the_origin_remote(tmp_path):
    repo = RepoBuilder(tmp_path / "widget")
    repo.commit("feat: first")
    repo.tag("v0.1.0")
    repo.commit("fix: second")
    repo.tag("v0.2.0")
    repo.git("remote", "add", "origin", "git@github.com:octo/widget.git")
    result = subprocess.run(
        [sys.executable, str(ROOT / "changelog" / "main.py"), "--tag", "v0.2.0"],
        capture_output=True,
        text=True,
        check=False,
        env=_bare_env(repo.path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    written = (repo.path / "sovereign-artifacts" / "changelog-v0.2.0.md").read_text(encoding="utf-8")
    assert "https://github.com/octo/widget/compare/v0.1.0...v0.2.0" in written


def test_the_ritual_checks_the_repository_before_the_sentinel_runs(tmp_path):
    repo = RepoBuilder(tmp_path / "widget")
    repo.commit("feat: first")
    repo.tag("v0.1.0")  # no origin remote, no GITHUB_REPOSITORY
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--tag", "v0.1.0", "--dry-run"],
        capture_output=True,
        text=True,
        check=False,
        env=_bare_env(repo.path),
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == (
        "::error title=ritual::input 'repository' must be owner/name, got '' (changelog and grafana-push need it) — "
        "set repository: owner/name (it defaults to GITHUB_REPOSITORY, then the checkout's origin remote)"
    )
    assert "sentinel" not in result.stdout, "nothing ran"
