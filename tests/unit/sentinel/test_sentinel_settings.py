"""The sentinel's inputs become one frozen Settings before any work; the core runs on Settings alone."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses
from gitfactory import RepoBuilder
from sentinel_runner import TOKEN, FakeClock, run_sentinel

from sovereign.errors import Failed
from sovereign.gha import Secret, Step, resolve
from sovereign.gitrepo import GitRepo
from sovereign.notes.config import DEFAULT
from sovereign.sentinel import stage
from sovereign.sentinel.gate import gate
from sovereign.sentinel.settings import Settings

BOOLEAN_FIX = "use true or false (True/TRUE/False/FALSE also accepted)"


def boolean(name: str) -> tuple[dict[str, str], int, str]:
    return {name: "maybe"}, 2, f"input '{name}' must be a boolean, got 'maybe' — {BOOLEAN_FIX}"


# Each bad value, and the one ::error line (and exit code) it gave before settings existed.
BAD = {
    "dry-run": boolean("dry-run"),
    "allow-prerelease": boolean("allow-prerelease"),
    "require-newer": boolean("require-newer"),
    "require-commit": boolean("require-commit"),
    "require-signed": boolean("require-signed"),
    "checks-timeout": (
        {"checks-timeout": "soon"},
        1,
        "input 'checks-timeout' must be a whole number ≥ 0, got 'soon' — give it as plain digits, e.g. checks-timeout: 60",
    ),
    "tag-pattern": (
        {"tag-pattern": "("},
        1,
        "input 'tag-pattern' is not a valid regular expression: missing ), unterminated subpattern at position 0"
        " — fix the pattern",
    ),
    "tag-too-long": (
        {"tag": "v" * 201},
        1,
        f"input 'tag' '{'v' * 40}…' is 201 characters long (at most 200) — give the release tag itself, such as v1.2.3",
    ),
    "tag-missing": (
        {"tag": ""},
        1,
        "input 'tag' is required: GITHUB_REF is 'refs/heads/main', not a tag ref"
        " — pass --tag vX.Y.Z (or `tag:` in the workflow), or run on a tag push",
    ),
    "artifacts-dir": (
        {"artifacts-dir": "../outside"},
        1,
        "input 'artifacts-dir' '../outside' points outside the workspace {workspace}"
        " — use a relative path such as sovereign-artifacts",
    ),
}


@pytest.fixture
def released(repo: RepoBuilder) -> RepoBuilder:
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("fix: second")
    repo.tag("v1.1.0", annotated=True)
    return repo


@pytest.fixture
def git_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Every git command the stage runs, recorded (and still run)."""
    calls: list[tuple[str, ...]] = []
    real = GitRepo._git

    def spy(self: GitRepo, *args: str) -> object:
        calls.append(args)
        return real(self, *args)

    monkeypatch.setattr(GitRepo, "_git", spy)
    return calls


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    """No route registered: any HTTP request is recorded and refused."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_input_fails_with_its_error_before_any_git_or_http(released, git_calls, api, case):
    given, code, line = case
    cli = {"tag": "v1.1.0", "required-checks": "test", "require-signed": "true", **given}
    result = run_sentinel(released.path, cli, env={"GITHUB_REF": "refs/heads/main"}, token=TOKEN)
    assert result.code == code, result.log
    assert result.errors == ["::error title=sentinel::" + line.format(workspace=released.path.resolve())]
    assert git_calls == []
    assert len(api.calls) == 0
    assert "report" not in result.outputs
    assert not (released.path / "sovereign-artifacts").exists()


def test_first_bad_input_in_the_old_order_is_the_one_reported(tmp_path):
    result = run_sentinel(tmp_path, {"tag": "v1.2.3", "checks-timeout": "soon", "tag-pattern": "(", "dry-run": "x"})
    assert len(result.errors) == 1
    assert "input 'dry-run' must be a boolean" in result.errors[0]


def settings_of(cli: dict[str, str], environ: dict[str, str]) -> Settings:
    return stage.resolve_settings(resolve(stage.STAGE.inputs, environ, cli), environ)


def test_every_input_is_typed_once(tmp_path):
    environ = {
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_REF": "refs/tags/v2.0.0-rc.1",
        "GITHUB_REF_NAME": "v2.0.0-rc.1",
        "GITHUB_REPOSITORY": "octo/widget",
        "GITHUB_TOKEN": TOKEN,
    }
    cli = {
        "allow-prerelease": "TRUE",
        "require-newer": "False",
        "tag-pattern": r"v(?P<version>.+)",
        "require-branch": " main ",
        "version-files": "pyproject.toml, package.json\nVERSION",
        "required-checks": "test (ubuntu, 3.12), lint\nlint",
        "checks-timeout": "120",
        "artifacts-dir": "out",
    }
    settings = settings_of(cli, environ)
    assert settings == Settings(
        tag="v2.0.0-rc.1",
        tag_pattern=re.compile(r"v(?P<version>.+)"),
        allow_prerelease=True,
        version_scheme="semver",
        require_newer=False,
        require_commit=True,
        require_branch="main",
        version_files=("pyproject.toml", "package.json", "VERSION"),
        required_checks=("test (ubuntu, 3.12)", "lint"),
        checks_timeout=120,
        require_signed=False,
        bump_check="warn",  # the default
        config=DEFAULT,  # no config file in the workspace: the changelog's built-in defaults
        github_token=settings.github_token,
        repository="octo/widget",
        dry_run=False,
        workspace=tmp_path.resolve(),
        artifacts_dir=tmp_path.resolve() / "out",
    )
    assert settings.github_token.reveal() == TOKEN
    assert TOKEN not in repr(settings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.tag = "v9.9.9"  # type: ignore[misc]


def test_empty_tag_pattern_means_strict_tags(tmp_path):
    settings = settings_of({"tag": "v1.2.3"}, {"GITHUB_WORKSPACE": str(tmp_path)})
    assert settings.tag_pattern is None
    assert settings.artifacts_dir == tmp_path.resolve() / "sovereign-artifacts"
    assert not settings.github_token


def plain_settings(workspace: Path, **changes: object) -> Settings:
    base = Settings(
        tag="v1.1.0",
        tag_pattern=None,
        allow_prerelease=False,
        version_scheme="semver",
        require_newer=True,
        require_commit=True,
        require_branch="",
        version_files=(),
        required_checks=(),
        checks_timeout=0,
        require_signed=False,
        bump_check="warn",
        config=DEFAULT,
        github_token=Secret(""),
        repository="",
        dry_run=False,
        workspace=workspace,
        artifacts_dir=workspace / "reports",
    )
    return dataclasses.replace(base, **changes)


def test_gate_runs_on_settings_alone(released):
    lines: list[str] = []
    step = Step("sentinel", {"GITHUB_WORKSPACE": str(released.path)}, out=lines.append)
    fake = FakeClock()
    gate(step, plain_settings(released.path), clock=fake.clock, sleep=fake.sleep)
    assert step.outputs["previous-tag"] == "v1.0.0"
    assert step.outputs["version"] == "1.1.0"
    assert step.outputs["report-file"] == str(released.path / "reports" / "sentinel-v1.1.0.json")
    assert "sentinel: v1.1.0 passed" in lines[-1]


def test_gate_fails_a_check_the_settings_turn_on(released):
    step = Step("sentinel", {"GITHUB_WORKSPACE": str(released.path)}, out=lambda _line: None)
    settings = plain_settings(released.path, require_branch="release", version_files=("VERSION",))
    with pytest.raises(Failed) as failed:
        gate(step, settings)
    lines = [problem.line() for problem in failed.value.problems]
    assert any(line.startswith("require-branch:") for line in lines), lines
    assert any(line.startswith("version-files") for line in lines), lines
