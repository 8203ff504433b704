"""``python <stage>/main.py`` and ``python main.py`` on a fresh clone: a Python
without Sovereign's packages (``-I -S``: no site-packages; or a bare venv)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sovereign import entry

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = {
    stage: ROOT / stage / "main.py" for stage in ("sentinel", "changelog", "grafana-push", "grafana-snapshot", "notify")
}
ENTRIES["ritual"] = ROOT / "main.py"
BARE = [sys.executable, "-I", "-S"]  # this interpreter with no site-packages: none of the lock's packages


def run(command: list[str], cache: Path, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SOVEREIGN_", "RUNNER_", "_SOVEREIGN"))
    }
    clean.update(XDG_CACHE_HOME=str(cache), **env)
    return subprocess.run(command, cwd=cwd, env=clean, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("stage", ENTRIES)
def test_help_works_at_once_without_the_packages(stage, tmp_path):
    bare = run([*BARE, str(ENTRIES[stage]), "--help"], tmp_path / "cache")
    installed = run([sys.executable, str(ENTRIES[stage]), "--help"], tmp_path / "cache")
    assert bare.returncode == installed.returncode == 0, bare.stdout + bare.stderr
    assert bare.stdout == installed.stdout, "the same help as with the packages installed"
    assert bare.stdout.startswith(f"usage: {'main.py' if stage == 'ritual' else f'{stage}/main.py'} ")
    assert bare.stderr == ""
    assert not (tmp_path / "cache").exists(), "nothing was installed"


def test_help_in_a_fresh_venv_without_pip(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    result = run([str(python), str(ENTRIES["sentinel"]), "--help"], tmp_path / "cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "--tag VALUE" in result.stdout and "SOVEREIGN_REQUIRE_SIGNED" in result.stdout
    version = run([str(python), str(ENTRIES["sentinel"]), "--version"], tmp_path / "cache")
    assert (version.returncode, version.stdout.strip()) == (0, "sovereign 0.1.0")


def test_a_second_missing_round_is_an_error_not_a_loop(tmp_path):
    result = run([*BARE, str(ENTRIES["sentinel"]), "--tag", "v1.0.0"], tmp_path / "cache", _SOVEREIGN_RERUN="1")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "sentinel: error: Python package 'actions_toolkit' is missing — fix: run through the action "
        "(it installs what it needs), or `pip install -r requirements/runtime.txt` / `pip install .` first"
    ]
    assert not (tmp_path / "cache").exists()


@pytest.mark.slow
def test_without_the_packages_it_reruns_itself_in_the_cached_environment(tmp_path, repo):
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    cache = tmp_path / "cache"
    sentinel = [*BARE, str(ENTRIES["sentinel"]), "--dry-run", "--require-commit", "false"]
    cold = run([*sentinel, "--tag", "v1.0.0"], cache, cwd=repo.path)
    if "installing Sovereign's dependencies failed" in cold.stdout + cold.stderr:
        pytest.skip(f"pip could not obtain the lock's packages here: {cold.stderr.strip()}")
    assert cold.returncode == 0, cold.stdout + cold.stderr
    [note] = cold.stderr.splitlines()  # one line, on stderr: stdout is the stage's own
    assert note.startswith("sovereign: 'actions_toolkit' is not installed for this Python; running in")
    assert f"({cache / 'sovereign'}" in note and ", built in " in note
    assert "PASS  tag-format: v1.0.0" in cold.stdout

    warm = run([*sentinel, "--tag", "not-a-tag"], cache, cwd=repo.path)
    assert warm.returncode == 1, "the re-run's exit status is the command's"
    [again] = warm.stderr.splitlines()
    assert again.startswith("sovereign: 'actions_toolkit' is not installed") and "built in" not in again
    assert "tag 'not-a-tag' is not a release tag" in warm.stdout


def test_asks_for_help():
    assert entry.asks_for_help(["--tag", "v1", "--help"])
    assert entry.asks_for_help(["-h"]) and entry.asks_for_help(["--version"])
    assert not entry.asks_for_help(["--tag", "v1"])
    assert not entry.asks_for_help(["--", "--help"])


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("linux", {"XDG_CACHE_HOME": "/x/cache"}, "/x/cache/sovereign"),
        ("linux", {}, "~/.cache/sovereign"),
        ("darwin", {"XDG_CACHE_HOME": "/x/cache"}, "~/Library/Caches/sovereign"),
        ("win32", {"LOCALAPPDATA": "/x/AppData/Local"}, "/x/AppData/Local/sovereign/Cache"),
    ],
)
def test_cache_dir_per_platform(monkeypatch, platform, env, expected):
    monkeypatch.setattr(sys, "platform", platform)
    for name in ("XDG_CACHE_HOME", "LOCALAPPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert entry.cache_dir() == Path(expected).expanduser()


def test_the_deferred_packages_are_the_lock():
    assert entry.lock_packages() >= {"actions_toolkit", "requests", "urllib3", "certifi", "idna", "charset_normalizer"}
