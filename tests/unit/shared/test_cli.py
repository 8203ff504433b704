"""`sovereign <stage>` and `<stage>/main.py`: flags, aliases, help, usage errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gitfactory import RepoBuilder

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
        "error: input 'repository' must be owner/name, got '' (changelog and grafana-push need it) — "
        "fix: set repository: owner/name (it defaults to GITHUB_REPOSITORY, then the checkout's origin remote)"
    )
    assert "sentinel" not in result.stdout, "nothing ran"


def test_an_unknown_flag_gets_a_did_you_mean_hint(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["changelog", "--tga", "v1.2.3"]) == 2
    out = capsys.readouterr().out
    assert out == (
        "error: unknown flag or argument: --tga and 1 stray value(s) — "
        "fix: did you mean --tag? run `sovereign changelog --help` to see the flags\n"
    )
    assert main(["sentinel", "--tokn=ghp_secretvalue", "--dry-rn"]) == 2
    out = capsys.readouterr().out
    assert "did you mean --dry-run for --dry-rn, --token for --tokn?" in out and "ghp_" not in out
    assert main(["sentinel", "--zzzzzz"]) == 2
    assert "did you mean" not in capsys.readouterr().out, "no hint when nothing is close"


def test_an_unknown_stage_gets_a_hint_too(capsys):
    assert main(["changlog"]) == 2
    assert "unknown stage 'changlog' — fix: did you mean changelog? use one of:" in capsys.readouterr().out


def test_help_gives_one_line_per_stage(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out.splitlines()
    for stage in ("sentinel", "changelog", "grafana-push", "grafana-snapshot", "notify", "ritual"):
        [line] = [x for x in out if x.startswith(f"  {stage} ")]
        assert len(line.split()) > 3, line  # the name, then what the stage does
    assert "  grafana-push      Mark the release in Grafana (an annotation) and push the release's metrics." in out


def _closed_pipe() -> int:
    """The write end of a pipe whose reader has gone: what `| head -1` leaves after its first line."""
    read, write = os.pipe()
    os.close(read)
    return write


def test_a_stage_piped_into_head_finishes_quietly(tmp_path):
    repo = RepoBuilder(tmp_path / "widget")
    repo.commit("feat: first")
    repo.tag("v0.1.0")
    write = _closed_pipe()
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "sentinel" / "main.py"), "--tag", "v0.1.0", "--dry-run", "--verbose"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin", "GITHUB_WORKSPACE": str(repo.path)},
        )
    finally:
        os.close(write)
    assert result.stderr == "", "no BrokenPipeError traceback, not even at exit"
    assert result.returncode == 0, "the stage's own result: its work went on without a reader"
    assert (repo.path / "sovereign-artifacts" / "sentinel-v0.1.0.json").is_file(), "the stage finished its work"


def test_help_piped_into_head_exits_like_a_filter(tmp_path):
    write = _closed_pipe()
    try:
        result = subprocess.run(
            [sys.executable, str(ROOT / "changelog" / "main.py"), "--help"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin", "GITHUB_WORKSPACE": str(tmp_path)},
        )
    finally:
        os.close(write)
    assert result.stderr == ""
    assert result.returncode == 141, "what a shell reports for a command stopped by SIGPIPE"
