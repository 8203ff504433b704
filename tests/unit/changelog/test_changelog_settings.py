"""The changelog's inputs become one frozen Settings, checked before any git or HTTP call;
the core runs from Settings alone, without the runner's Inputs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import requests
from changelog_scenario import run_stage
from gitfactory import RepoBuilder

from sovereign.changelog import core, stage
from sovereign.changelog.settings import Settings
from sovereign.gha import Secret, Step, resolve
from sovereign.gitrepo import GitRepo
from sovereign.notes.config import DEFAULT, parse_config

TOKEN = "ghp_settingsTestToken0123456789"


@pytest.fixture
def workspace(repo: RepoBuilder) -> Path:
    repo.commit("feat: first", author="Alice <alice@example.com>")
    repo.tag("v1.0.0")
    repo.commit("fix: second (#7)", author="Bob <bob@example.com>")
    repo.tag("v1.1.0")
    return repo.path


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every git command, HTTP request and call of the core the stage makes."""
    calls: list[str] = []
    real_git, real_core = GitRepo._git, stage.changelog

    def git(self: GitRepo, *args: str, stdin: bytes | None = None) -> object:
        calls.append("git " + " ".join(args))
        return real_git(self, *args, stdin=stdin)

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: object) -> object:
        calls.append(f"HTTP {request.method} {request.url}")
        raise requests.ConnectionError("no network in unit tests")

    def changelog(step: Step, settings: Settings) -> None:
        calls.append("core")
        real_core(step, settings)

    monkeypatch.setattr(GitRepo, "_git", git)
    monkeypatch.setattr(requests.Session, "send", send)
    monkeypatch.setattr(stage, "changelog", changelog)
    return calls


# input values -> the ::error line the stage has always printed for them, and its exit code
BAD_INPUTS: dict[str, tuple[dict[str, str], str, int]] = {
    "dry-run": (
        {"tag": "v1.1.0", "dry-run": "maybe"},
        "input 'dry-run' must be a boolean, got 'maybe' — use true or false (True/TRUE/False/FALSE also accepted)",
        2,
    ),
    "publish-release": (
        {"tag": "v1.1.0", "publish-release": "yes"},
        "input 'publish-release' must be a boolean, got 'yes' — use true or false (True/TRUE/False/FALSE also accepted)",
        2,
    ),
    "no tag": (
        {},
        "input 'tag' is required: GITHUB_REF is not set, not a tag ref — "
        "pass --tag vX.Y.Z (or `tag:` in the workflow), or run on a tag push",
        1,
    ),
    "long tag": (
        {"tag": "v" * 201},
        f"input 'tag' '{'v' * 40}…' is 201 characters long (at most 200) — give the release tag itself, such as v1.2.3",
        1,
    ),
    "source": (
        {"tag": "v1.1.0", "source": "svn"},
        "input 'source' must be auto, git or github, got 'svn' — use source: auto",
        1,
    ),
    "repository": (
        {"tag": "v1.1.0", "repository": "octo"},
        "input 'repository' must be owner/name, got 'octo' — "
        "set repository: owner/name (it defaults to GITHUB_REPOSITORY, then the checkout's origin remote)",
        1,
    ),
    "artifacts-dir": (
        {"tag": "v1.1.0", "artifacts-dir": "../out"},
        "input 'artifacts-dir' '../out' points outside the workspace {workspace} — "
        "use a relative path such as sovereign-artifacts",
        1,
    ),
    "config outside": (
        {"tag": "v1.1.0", "config": "../release.yml"},
        "input 'config' '../release.yml' points outside the workspace — use a path in the repository",
        1,
    ),
    "config missing": (
        {"tag": "v1.1.0", "config": "missing.yml"},
        "input 'config': missing.yml does not exist — fix the path, or leave config empty",
        1,
    ),
    "publish without token": (
        {"tag": "v1.1.0", "publish-release": "true"},
        "publish-release: true needs a token — set github-token with contents: write",
        1,
    ),
    # several bad inputs: the first in the order they have always been checked wins
    "source before config": (
        {"tag": "v1.1.0", "source": "svn", "config": "missing.yml", "publish-release": "true"},
        "input 'source' must be auto, git or github, got 'svn' — use source: auto",
        1,
    ),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_one_error_before_any_git_or_http(case: str, workspace: Path, work: list[str]) -> None:
    flags, message, exit_code = BAD_INPUTS[case]
    code, lines, _ = run_stage(workspace, **flags)
    assert code == exit_code, lines
    errors = [line for line in lines if line.startswith("::error")]
    assert errors == ["::error title=changelog::" + message.format(workspace=workspace.resolve())]
    assert work == [], "bad input must fail before the core, git or HTTP"
    assert not (workspace / "sovereign-artifacts").exists()


def test_bad_config_file_fails_before_any_git(workspace: Path, work: list[str]) -> None:
    (workspace / ".github").mkdir()
    (workspace / ".github/sovereign.yml").write_text(
        "changelog:\n  exclud:\n    labels:\n      - x\n", encoding="utf-8"
    )
    code, lines, _ = run_stage(workspace, tag="v1.1.0")
    assert code == 1
    errors = [line for line in lines if line.startswith("::error")]
    assert len(errors) == 1 and ".github/sovereign.yml line 2: unknown key 'changelog.exclud'" in errors[0], errors
    assert work == []


def test_good_input_reaches_the_core_which_then_uses_git(workspace: Path, work: list[str]) -> None:
    code, lines, _ = run_stage(workspace, tag="v1.1.0", source="git")
    assert code == 0, lines
    assert work[0] == "core" and work[1].startswith("git rev-parse --is-shallow-repository")
    assert not any(call.startswith("HTTP") for call in work)


def test_inputs_resolve_into_typed_frozen_settings(workspace: Path) -> None:
    environ = {"GITHUB_WORKSPACE": str(workspace), "GITHUB_REF": "refs/tags/v1.1.0", "GITHUB_REF_NAME": "v1.1.0"}
    cli = {
        "repository": "octo/widget",
        "previous-tag": " v1.0.0 ",
        "source": "",
        "github-token": f" {TOKEN}\n",
        "publish-release": "True",
        "artifacts-dir": "out/notes",
    }
    settings = stage.resolve_settings(resolve(stage.STAGE.inputs, environ, cli), environ)
    assert settings == Settings(
        tag="v1.1.0",  # from the tag push
        unreleased=False,
        ref="HEAD",
        previous_tag="v1.0.0",
        version_scheme="semver",
        source="auto",  # empty means the default
        repository="octo/widget",
        workspace=workspace.resolve(),
        out_dir=workspace.resolve() / "out/notes",
        config=DEFAULT,
        token=settings.token,
        publish_release=True,
        draft_release=False,
        dry_run=False,
    )
    assert isinstance(settings.token, Secret) and settings.token.reveal() == TOKEN
    assert TOKEN not in repr(settings)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.tag = "v2.0.0"  # type: ignore[misc]


def test_publish_without_token_is_fine_in_a_dry_run(workspace: Path) -> None:
    environ = {"GITHUB_WORKSPACE": str(workspace)}
    cli = {"tag": "v1.1.0", "repository": "octo/widget", "publish-release": "true", "dry-run": "true"}
    settings = stage.resolve_settings(resolve(stage.STAGE.inputs, environ, cli), environ)
    assert settings.publish_release and settings.dry_run and not settings.token


def _settings(workspace: Path, **changes: object) -> Settings:
    base = Settings(
        tag="v1.1.0",
        unreleased=False,
        ref="HEAD",
        previous_tag="",
        version_scheme="semver",
        source="git",
        repository="octo/widget",
        workspace=workspace,
        out_dir=workspace / "notes",
        config=DEFAULT,
        token=Secret(""),
        publish_release=False,
        draft_release=False,
        dry_run=False,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_core_runs_from_settings_alone(workspace: Path) -> None:
    lines: list[str] = []
    step = Step("changelog", {"GITHUB_SERVER_URL": "https://github.example.com"}, out=lines.append)
    config = parse_config("changelog:\n  categories:\n    - title: Repairs\n      types: [fix]\n", "test")
    core.changelog(step, _settings(workspace, config=config, previous_tag="v1.0.0"))

    doc = json.loads((workspace / "notes/changelog-v1.1.0.json").read_text(encoding="utf-8"))
    assert (doc["tag"], doc["previous_tag"], doc["repository"]) == ("v1.1.0", "v1.0.0", "octo/widget")
    assert [(s["title"], [e["title"] for e in s["entries"]]) for s in doc["sections"]] == [("Repairs", ["second"])]
    assert step.outputs["markdown-file"] == str(workspace / "notes/changelog-v1.1.0.md")
    assert step.outputs["pr-count"] == "1" and step.outputs["release-url"] == ""
    assert step.outputs["compare-url"] == "https://github.example.com/octo/widget/compare/v1.0.0...v1.1.0"
    assert any("no API calls (no token or source: git)" in line for line in lines)


def test_core_dry_run_publish_saves_the_request_without_a_token(workspace: Path) -> None:
    step = Step("changelog", {}, out=lambda line: None)
    core.changelog(step, _settings(workspace, publish_release=True, dry_run=True))
    request = json.loads((workspace / "notes/changelog-release-request-v1.1.0.json").read_text(encoding="utf-8"))
    assert "second" in request["json"]["body"]


@pytest.mark.parametrize(
    ("environ", "pointer"),
    [
        (
            {"GITHUB_REPOSITORY": "octo/widget", "GITHUB_RUN_ID": "77"},
            "[full notes](https://github.com/octo/widget/actions/runs/77#artifacts)",
        ),
        ({}, "the full notes are in changelog-v1.1.0.md, among the changelog stage's artifacts"),
    ],
)
def test_a_cut_release_body_points_to_the_full_notes(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], pointer: str
) -> None:
    """GitHub's 125,000-character limit, scaled down: the cut body ends with a usable pointer."""
    real = core.truncate
    monkeypatch.setattr(core, "truncate", lambda body, where, limit=100: real(body, where, min(limit, 100)))
    step = Step("changelog", environ, out=lambda line: None)
    core.changelog(step, _settings(workspace, publish_release=True, dry_run=True))
    request = json.loads((workspace / "notes/changelog-release-request-v1.1.0.json").read_text(encoding="utf-8"))
    body = request["json"]["body"]
    assert body.endswith(f"… the notes were cut to fit GitHub's limit: {pointer}\n")
    assert "]()" not in body and step.outputs["markdown"] == body
