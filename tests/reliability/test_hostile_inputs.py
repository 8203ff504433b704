"""Hostile inputs: each is refused with one clear ::error line (or is inert), runs nothing,
prints no traceback and no unfenced workflow command, and writes nothing outside the
artifacts directory. Every case runs ``<stage>/main.py`` as a process, as the action does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from gitfactory import RepoBuilder
from harness import ActionResult
from table import ACTION_HOSTILE, HOSTILE, ActionHostile, Hostile

from sovereign.cli import available

ROOT = Path(__file__).resolve().parents[2]
# Lines the runner acts on that a stage may print itself; anything else starting "::" must be fenced.
OWN_COMMANDS = ("::error ", "::warning ", "::notice ", "::debug::", "::add-mask::", "::group::", "::endgroup::")


def _repo(workspace: Path) -> RepoBuilder:
    repo = RepoBuilder(workspace)
    repo.commit("feat: first", {"VERSION": "1.0.0\n"})
    repo.tag("v1.0.0")
    repo.commit("fix: second")
    repo.tag("v1.1.0")
    return repo


def _dangerous_tag(workspace: Path, canary: Path) -> None:
    _repo(workspace).tag("v1.0.0$(touch${IFS}" + str(canary) + ")", target="v1.0.0")


def _symlink_version(workspace: Path, canary: Path) -> None:
    _repo(workspace)
    outside = workspace.parent / "outside-version"
    outside.write_text("1.0.0\n", encoding="utf-8")
    (workspace / "VERSION").unlink()
    (workspace / "VERSION").symlink_to(outside)


def _symlink_dir(workspace: Path, canary: Path) -> None:
    outside = workspace.parent / "outside-dir"
    outside.mkdir()
    (workspace / "link").symlink_to(outside, target_is_directory=True)


def _write(name: str, data: bytes) -> Callable[[Path, Path], None]:
    return lambda workspace, canary: (workspace / name).write_bytes(data)


def _huge(workspace: Path, canary: Path) -> None:
    entries = [{"title": "x" * 100, "commit": "0" * 40}] * 150_000
    (workspace / "huge.json").write_text(json.dumps({"entries": entries}), encoding="utf-8")


SETUPS: dict[str, Callable[[Path, Path], None]] = {
    "repo": lambda workspace, canary: _repo(workspace).path.mkdir(exist_ok=True),
    "dangerous-tag": _dangerous_tag,
    "symlink-version": _symlink_version,
    "symlink-dir": _symlink_dir,
    "broken-json": _write("broken.json", b'{"schema": "sovereign.changelog/v1", "tag": '),
    "binary-json": _write("binary.json", b'{"schema": "\xff\xfe\x00"}'),
    "huge-json": _huge,
    "bad-yaml": _write(".github/bad.yml", b"changelog:\n  categories: [unclosed\n\t- title: :\n"),
}


def _tree(root: Path, skip: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (except ``skip``) with its size and mtime."""
    found = {}
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(directory, d) not in skip]
        for name in files:
            path = Path(directory, name)
            stat = path.lstat()
            found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return found


def unfenced(stdout: str) -> list[str]:
    """The lines the runner reads as commands: those outside every ``::stop-commands::`` fence."""
    seen, fence = [], None
    for line in stdout.splitlines():
        if fence:
            if line == f"::{fence}::":
                fence = None
            continue
        if line.startswith("::stop-commands::"):
            fence = line.removeprefix("::stop-commands::")
        elif line.startswith(("::", "##[")):
            seen.append(line)
    return seen


def unfenced_commands(stdout: str) -> list[str]:
    """Commands the runner would act on that a stage does not print itself."""
    return [line for line in unfenced(stdout) if not line.startswith(OWN_COMMANDS)]


def error_lines(stdout: str) -> list[str]:
    return [line for line in unfenced(stdout) if line.startswith("::error")]


def _argv(values: tuple[str, ...], canary: Path) -> list[str]:
    return [v.replace("{canary}", str(canary)) for v in values]


def run_case(case: Hostile, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    workspace, runner = tmp_path / "workspace", tmp_path / "runner"
    workspace.mkdir()
    runner.mkdir()
    canary = tmp_path / "canary-executed"
    if case.setup:
        (workspace / ".github").mkdir(exist_ok=True)
        SETUPS[case.setup](workspace, canary)
    env: dict[str | bytes, str | bytes] = {
        k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SOVEREIGN_", "RUNNER_", "INPUT_"))
    }
    env.update(
        GITHUB_ACTIONS="true",  # as on the runner: errors are ::error lines, untrusted text is fenced
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_OUTPUT=str(runner / "output"),
        GITHUB_STEP_SUMMARY=str(runner / "summary"),
        RUNNER_TEMP=str(runner),
        PYTHONIOENCODING="utf-8",
    )
    for key, value in case.env:
        env[key] = value.replace("{canary}", str(canary)) if isinstance(value, str) else value
    before = _tree(tmp_path, (runner, workspace / "sovereign-artifacts"))
    result = subprocess.run(
        [sys.executable, str(ROOT / case.stage / "main.py"), *_argv(case.args, canary)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=60,
        check=False,
    )
    after = _tree(tmp_path, (runner, workspace / "sovereign-artifacts"))
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    assert not changed, f"written outside the artifacts directory: {changed}"
    return result, canary, workspace


@pytest.mark.parametrize("case", HOSTILE, ids=lambda case: f"{case.stage}-{case.key}")
def test_hostile_input(case: Hostile, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if case.stage not in available():
        pytest.skip(f"stage {case.stage} is not built yet")
    if case.known_bug:
        request.applymarker(pytest.mark.xfail(reason=case.known_bug, strict=True))
    result, canary, workspace = run_case(case, tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == case.exit, out[-3000:]
    assert not canary.exists(), "a command in the input was executed"
    assert "Traceback" not in out and "internal error" not in out, out[-3000:]
    assert not result.stderr.strip(), result.stderr[-2000:]
    assert not unfenced_commands(result.stdout), unfenced_commands(result.stdout)
    errors = error_lines(result.stdout)
    if case.exit:
        assert errors, result.stdout[-2000:]
        assert all(line.startswith(f"::error title={case.stage}::") for line in errors), errors
        assert any(case.message in line for line in errors), errors
        assert all(len(line) < 2000 for line in errors), "an error line quotes too much"
    else:
        assert not errors, errors
    artifacts = workspace / "sovereign-artifacts"
    for file in artifacts.iterdir() if artifacts.is_dir() else []:
        text = file.read_text(encoding="utf-8")
        assert not [a for a in case.absent if a in text], f"{file.name} holds {case.absent}"
    shown = "\n".join(
        line for line in out.splitlines() if not line.startswith("::add-mask::")
    )  # the runner consumes these
    for secret in ("hunter22", "SECRETPATH", "s3cret-value-123"):
        assert secret not in shown, f"{secret} was echoed"


@pytest.mark.parametrize("case", ACTION_HOSTILE, ids=lambda case: f"action-{case.key}")
def test_hostile_action_input(case: ActionHostile, action: Callable[..., ActionResult], tmp_path: Path) -> None:
    """The same promises when the value comes through action.yml's env: mapping, bootstrap included."""
    if case.action not in available():
        pytest.skip(f"stage {case.action} is not built yet")
    canary = tmp_path / "canary-executed"
    inputs = {name: value.replace("{canary}", str(canary)) for name, value in case.inputs}
    result = action(case.action, inputs)
    out = result.stdout + result.stderr
    assert result.returncode == case.exit, out[-3000:]
    assert not canary.exists(), "a command in the input was executed"
    assert "Traceback" not in out and "internal error" not in out, out[-3000:]
    assert not unfenced_commands(result.stdout), unfenced_commands(result.stdout)
    errors = error_lines(result.stdout)
    if case.exit:
        assert any(case.message in line for line in errors), errors
    else:
        assert not errors, errors
