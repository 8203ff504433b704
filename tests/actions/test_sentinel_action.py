"""The sentinel action, run as the runner runs it (bootstrap included)."""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest
from localserver import Reply, Seen, serve

GOOD = ["v1.2.3", "v0.0.0", "v10.20.30"]
BAD = ["v1.2", "1.2.3", "v01.2.3", "v1.2.3\n", "v1.2.٣", "v1.2.3$(id)", "v1.2.3-rc.1", "-v1.2.3"]


@pytest.fixture
def tagged(repo):
    """A checkout holding one commit tagged with each tag given: the gate can see the tag."""

    def make(*names: str):
        repo.commit("release")
        for name in names:
            repo.tag(name)
        return repo.path

    return make


@pytest.mark.parametrize("tag", GOOD)
def test_good_tag_passes_with_outputs(action, tagged, tag):
    result = action("sentinel", {"tag": tag}, workspace=tagged(tag))
    assert result.returncode == 0, result.log
    version = tag[1:]
    assert result.outputs["tag"] == tag
    assert result.outputs["version"] == version
    assert [result.outputs[k] for k in ("major", "minor", "patch")] == version.split(".")
    assert result.outputs["is-prerelease"] == "false"
    report = json.loads(result.outputs["report"])
    assert report["checks"][0] == {
        "name": "tag-format",
        "result": "pass",
        "reason": report["checks"][0]["reason"],
        "fix": "",
    }
    assert "✅ the release may proceed" in result.summary
    assert result.env_file == {} and result.path_file == "", "the caller's env and PATH are never touched"


@pytest.mark.parametrize("tag", BAD)
def test_bad_tag_fails_with_one_error_line(action, tag, tmp_path):
    canary = tmp_path / "pwned"
    result = action("sentinel", {"tag": tag.replace("$(id)", f"$(touch {canary})")})
    assert result.returncode == 1, result.log
    assert len(result.errors) == 1, result.stdout
    assert result.errors[0].startswith("::error title=sentinel::tag-format: tag ")
    assert "Traceback" not in result.log
    assert not canary.exists(), "nothing is executed from the tag"
    assert "❌ the release is blocked" in result.summary


def test_prerelease_allowed(action, tagged):
    inputs = {"tag": "v2.0.0-rc.1", "allow-prerelease": "true"}
    result = action("sentinel", inputs, workspace=tagged("v2.0.0-rc.1"))
    assert result.returncode == 0, result.log
    assert result.outputs["prerelease"] == "rc.1"
    assert result.outputs["is-prerelease"] == "true"


def test_tag_defaults_to_pushed_tag(action, tagged):
    github = {"ref": "refs/tags/v3.1.4", "ref_name": "v3.1.4"}
    result = action("sentinel", workspace=tagged("v3.1.4"), github=github)
    assert result.returncode == 0, result.log
    assert result.outputs["version"] == "3.1.4"


def test_no_tag_on_branch_push_is_a_clear_error(action):
    result = action("sentinel", github={"ref": "refs/heads/main", "ref_name": "main"})
    assert result.returncode == 1
    assert result.errors == [
        "::error title=sentinel::input 'tag' is required: GITHUB_REF is 'refs/heads/main', not a tag ref — "
        "pass --tag vX.Y.Z (or `tag:` in the workflow), or run on a tag push"
    ]


def test_non_boolean_dry_run_is_a_usage_error(action):
    result = action("sentinel", {"tag": "v1.2.3", "dry-run": "yes"})
    assert result.returncode == 2
    assert result.errors == [
        "::error title=sentinel::input 'dry-run' must be a boolean, got 'yes' — use true or false (True/TRUE/False/FALSE also accepted)"
    ]


def test_custom_pattern(action, tagged):
    inputs = {"tag": "release-4.5.6", "tag-pattern": r"release-\d+\.\d+\.\d+"}
    result = action("sentinel", inputs, workspace=tagged("release-4.5.6"))
    assert result.returncode == 0, result.log
    assert result.outputs["version"] == "4.5.6"


# -- the full gate: every check through the action, API calls to a local server ---------
TOKEN = "ghs_actionTestToken0123456789abcd"


class FakeGitHub:
    """A GitHub API on 127.0.0.1 with real sockets: the action's subprocess reaches it."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, object]] = {}
        self.url = ""
        self.seen: list[Seen] = []

    def reply(self, seen: Seen) -> Reply:
        if seen.method == "POST" and seen.path == "/graphql":  # bump-check: the commits' pull requests (none)
            aliases = re.findall(r"(c\d+): object", json.loads(seen.body)["query"])
            data = {alias: {"associatedPullRequests": {"nodes": []}} for alias in aliases}
            return Reply(200, json.dumps({"data": {"repository": data}}).encode())
        if seen.method != "GET":
            return Reply(501, b"")  # the sentinel only reads
        status, body = self.routes.get(urllib.parse.urlsplit(seen.path).path, (404, {"message": "Not Found"}))
        return Reply(status, json.dumps(body).encode())

    def add(self, path: str, body: object, status: int = 200) -> None:
        self.routes["/repos/octo/widget" + path] = (status, body)

    def github(self, **extra: str) -> dict[str, str]:
        return {"api_url": self.url, "graphql_url": self.url + "/graphql", "token": TOKEN, **extra}


@pytest.fixture
def fake_github():
    fake = FakeGitHub()
    with serve(fake.reply) as (url, script):
        fake.url, fake.seen = url, script.seen
        yield fake


@pytest.fixture
def released(repo):
    """main: v1.0.0, v1.1.0-rc.1, then v1.1.0 (annotated) with pyproject.toml at 1.1.0."""
    repo.commit("feat: one")
    repo.tag("v1.0.0")
    repo.commit("feat: two")
    repo.tag("v1.1.0-rc.1")
    repo.commit("fix: three", {"pyproject.toml": '[project]\nname = "w"\nversion = "1.1.0"\n'})
    repo.tag("v1.1.0", annotated=True)
    return repo


def green_api(fake: FakeGitHub, commit: str) -> None:
    fake.add("/git/ref/tags/v1.1.0", {"object": {"type": "tag", "sha": "a" * 40}})
    fake.add(
        "/git/tags/" + "a" * 40,
        {"object": {"type": "commit", "sha": commit}, "verification": {"verified": True, "reason": "valid"}},
    )
    fake.add(f"/commits/{commit}/check-runs", check_runs(run(1, "test", "success")))
    fake.add(f"/commits/{commit}/statuses", [{"id": 2, "context": "ci/lint", "state": "success"}])
    fake.add("/releases", [])


def run(id_: int, name: str, conclusion: str) -> dict[str, object]:
    return {"id": id_, "name": name, "status": "completed", "conclusion": conclusion}


def check_runs(*runs: dict[str, object]) -> dict[str, object]:
    return {"total_count": len(runs), "check_runs": list(runs)}


def checks_of(result) -> dict[str, str]:
    return {c["name"]: c["result"] for c in json.loads(result.outputs["report"])["checks"]}


ALL_ON = {
    "tag": "v1.1.0",
    "require-branch": "main",
    "version-files": "pyproject.toml",
    "required-checks": "test, ci/lint",
    "require-signed": "true",
}


def test_every_check_passes(action, released, fake_github):
    head = released.head()
    green_api(fake_github, head)
    result = action("sentinel", ALL_ON, workspace=released.path, github=fake_github.github(sha=head))
    assert result.returncode == 0, result.log
    assert checks_of(result) == {
        "tag-format": "pass",
        "tag-exists": "pass",
        "require-newer": "pass",
        "bump-check": "pass",
        "require-commit": "pass",
        "require-branch": "pass",
        "version-files:pyproject.toml": "pass",
        "require-signed": "pass",
        "not-already-released": "pass",
        "required-checks:test": "pass",
        "required-checks:ci/lint": "pass",
    }
    assert result.outputs["previous-tag"] == "v1.0.0"
    assert "| required-checks:test | ✅ pass |" in result.summary
    own_lines = [line for line in result.stdout.splitlines() if not line.startswith("Sovereign: ")]  # bootstrap's
    assert own_lines[0] == f"::add-mask::{TOKEN}", "the mask goes out before anything else"
    assert TOKEN not in "\n".join(own_lines[1:]) + result.stderr + result.summary
    assert {seen.headers.get("Authorization", "") for seen in fake_github.seen} == {f"Bearer {TOKEN}"}


def fails(result, name: str) -> str:
    assert result.returncode == 1, result.log
    assert checks_of(result)[name] == "fail", result.outputs["report"]
    assert "Traceback" not in result.log
    lines = [e for e in result.errors if e.startswith(f"::error title=sentinel::{name}: ")]
    assert len(lines) == 1, result.errors
    return lines[0]


def test_require_newer_fails(action, released):
    released.tag("v1.0.5")
    line = fails(action("sentinel", {"tag": "v1.0.5"}, workspace=released.path), "require-newer")
    assert "v1.0.5 is not newer than v1.1.0" in line


def test_require_commit_fails(action, released):
    built = released.commit("after the tag")  # the push built main's head, not the tag
    result = action("sentinel", {"tag": "v1.1.0"}, workspace=released.path, github={"sha": built})
    assert f"this run built GITHUB_SHA {built[:12]}" in fails(result, "require-commit")


def test_require_branch_fails(action, released):
    released.branch("side")
    released.checkout("side")
    released.commit("side")
    released.tag("v1.2.0")
    result = action("sentinel", {"tag": "v1.2.0", "require-branch": "main"}, workspace=released.path)
    assert "is not reachable from refs/heads/main" in fails(result, "require-branch")


def test_version_files_fail(action, released):
    released.tag("v1.2.0")
    result = action("sentinel", {"tag": "v1.2.0", "version-files": "pyproject.toml"}, workspace=released.path)
    line = fails(result, "version-files:pyproject.toml")
    assert "has version '1.1.0' ([project].version); the tag v1.2.0 expects 1.2.0" in line


def test_required_checks_fail(action, released, fake_github):
    head = released.head()
    green_api(fake_github, head)
    fake_github.add(f"/commits/{head}/check-runs", check_runs(run(1, "test", "timed_out")))
    inputs = {"tag": "v1.1.0", "required-checks": "test, ci/missing"}
    result = action("sentinel", inputs, workspace=released.path, github=fake_github.github())
    assert result.returncode == 1
    report = checks_of(result)
    assert report["required-checks:test"] == report["required-checks:ci/missing"] == "fail"
    assert any("'test' check run concluded timed_out" in e for e in result.errors)
    assert any("'ci/missing' not found on the tagged commit" in e for e in result.errors)


def test_required_checks_without_token_fail_asking_for_one(action, released):
    result = action("sentinel", {"tag": "v1.1.0", "required-checks": "test"}, workspace=released.path)
    assert "no github-token was given" in fails(result, "required-checks")
    assert checks_of(result)["not-already-released"] == "skip"


def test_require_signed_fails_for_lightweight_tag(action, released):
    released.commit("more")
    released.tag("v1.2.0")
    result = action("sentinel", {"tag": "v1.2.0", "require-signed": "true"}, workspace=released.path)
    assert "lightweight tag" in fails(result, "require-signed")


def test_require_signed_fails_when_github_does_not_verify(action, released, fake_github):
    green_api(fake_github, released.head())
    fake_github.add(
        "/git/tags/" + "a" * 40,
        {
            "object": {"type": "commit", "sha": released.head()},
            "verification": {"verified": False, "reason": "unknown_key"},
        },
    )
    inputs = {"tag": "v1.1.0", "require-signed": "true"}
    result = action("sentinel", inputs, workspace=released.path, github=fake_github.github())
    assert "(reason: 'unknown_key')" in fails(result, "require-signed")


def test_already_released_fails_with_url(action, released, fake_github):
    url = "https://github.test/octo/widget/releases/tag/v1.1.0"
    fake_github.add("/releases/tags/v1.1.0", {"tag_name": "v1.1.0", "draft": False, "html_url": url})
    result = action("sentinel", {"tag": "v1.1.0"}, workspace=released.path, github=fake_github.github())
    assert url in fails(result, "not-already-released")


def test_api_tag_list_when_checkout_has_no_tags(action, fake_github, tmp_path):
    fake_github.add("/tags", [{"name": n, "commit": {"sha": "c" * 40}} for n in ("v2.0.0", "v1.0.0")])
    fake_github.add("/git/ref/tags/v1.5.0", {"object": {"type": "commit", "sha": "c" * 40}})
    fake_github.add("/releases", [])
    result = action("sentinel", {"tag": "v1.5.0"}, github=fake_github.github())
    assert (
        "v1.5.0 is not newer than v2.0.0 (the highest of 1 tag(s) at or above it) [tags from the GitHub API]"
        in fails(result, "require-newer")
    )


# -- fail closed: what cannot be verified blocks the release ------------------------
def test_empty_workspace_blocks_the_release(action, tmp_path):
    result = action("sentinel", {"tag": "v1.2.3"})  # the fixture's workspace: an empty folder, no token
    line = fails(result, "tag-exists")
    assert "is not a git checkout and no github-token was given: tag v1.2.3 cannot be verified" in line
    assert line.endswith("— run actions/checkout with fetch-depth: 0, or give github-token")
    assert checks_of(result)["require-newer"] == "fail", "on by default, it could not run"
    assert "❌ the release is blocked" in result.summary
    assert "passed" not in result.stdout


def test_workspace_that_does_not_exist_blocks_and_is_not_created(action, tmp_path):
    nowhere = tmp_path / "nowhere"
    result = action("sentinel", {"tag": "v1.2.3"}, env={"GITHUB_WORKSPACE": str(nowhere)})
    assert result.returncode == 1, result.log
    assert result.errors == [
        f"::error title=sentinel::the workspace {nowhere} (GITHUB_WORKSPACE) does not exist: the tag cannot be "
        "verified — run actions/checkout (with fetch-depth: 0) before the sentinel, "
        "or point GITHUB_WORKSPACE at the checkout"
    ]
    assert not nowhere.exists(), "the report is not written into a folder the gate made up"


def test_missing_tag_fails_without_token(action, released):
    line = fails(action("sentinel", {"tag": "v1.2.3"}, workspace=released.path), "tag-exists")
    assert "tag v1.2.3 does not exist in the checkout, and GitHub was not asked (no github-token was given)" in line


def test_missing_tag_fails_after_asking_github(action, released, fake_github):
    fake_github.add("/releases", [])
    github = fake_github.github(sha=released.head())
    result = action("sentinel", {"tag": "v1.2.3", "require-signed": "true"}, workspace=released.path, github=github)
    assert "tag-exists: tag v1.2.3 does not exist in the checkout or on GitHub — " in fails(result, "tag-exists")
    asked = [seen.path for seen in fake_github.seen]
    assert "/repos/octo/widget/git/ref/tags/v1.2.3" in asked, "GitHub was asked before saying so"
    report = checks_of(result)
    assert report["require-commit"] == report["require-signed"] == "skip", "one root cause, one error line"
    assert len(result.errors) == 1, result.errors


# -- the manual trigger: the built commit is the checkout's HEAD --------------------
DISPATCH = {"GITHUB_EVENT_NAME": "workflow_dispatch"}


@pytest.fixture
def moved_on(released):
    """v1.1.0 is the newest tag, but main has two more commits since (its head is GITHUB_SHA)."""
    released.commit("docs: after the release")
    released.commit("chore: more")
    return released


def test_dispatch_on_an_older_tag_compares_the_checkout(action, moved_on):
    branch_head = moved_on.head()
    moved_on.checkout("v1.1.0")  # actions/checkout with ref: v1.1.0
    tagged = moved_on.head()
    inputs = {"tag": "v1.1.0", "require-branch": "main"}
    github = {"sha": branch_head, "ref": "refs/heads/main"}
    result = action("sentinel", inputs, workspace=moved_on.path, github=github, env=DISPATCH)
    assert result.returncode == 0, result.log
    reason = next(c["reason"] for c in json.loads(result.outputs["report"])["checks"] if c["name"] == "require-commit")
    assert reason == (
        f"v1.1.0 points at the checkout's HEAD {tagged[:12]} (local git; "
        f"workflow_dispatch: GITHUB_SHA {branch_head[:12]} is the head of the branch it ran from)"
    )


def test_dispatch_without_checking_out_the_tag_fails_saying_how(action, moved_on):
    branch_head = moved_on.head()
    github = {"sha": branch_head, "ref": "refs/heads/main"}
    result = action("sentinel", {"tag": "v1.1.0"}, workspace=moved_on.path, github=github, env=DISPATCH)
    line = fails(result, "require-commit")
    assert f"but this run built the checkout's HEAD {branch_head[:12]}" in line
    assert "check out the tag (actions/checkout with ref: v1.1.0 and fetch-depth: 0)" in line


def test_tag_push_whose_checkout_is_not_the_tag_fails(action, moved_on):
    tagged = moved_on.git("rev-parse", "v1.1.0^{commit}")
    github = {"sha": tagged, "ref": "refs/tags/v1.1.0", "ref_name": "v1.1.0"}
    line = fails(action("sentinel", workspace=moved_on.path, github=github), "require-commit")
    assert f"it differs from GITHUB_SHA {tagged[:12]}" in line


# -- a branch that does not exist ---------------------------------------------------
def test_require_branch_that_does_not_exist_says_so(action, released):
    result = action("sentinel", {"tag": "v1.1.0", "require-branch": "nope"}, workspace=released.path)
    line = fails(result, "require-branch")
    assert "branch 'nope' does not exist in the checkout (neither refs/heads/nope nor refs/remotes/origin/nope)" in line
    assert "history" not in line


def test_require_branch_that_github_does_not_know(action, released, fake_github):
    green_api(fake_github, released.head())
    inputs = {"tag": "v1.1.0", "require-branch": "nope"}
    result = action("sentinel", inputs, workspace=released.path, github=fake_github.github())
    assert "branch 'nope' does not exist in the checkout or on GitHub" in fails(result, "require-branch")


# -- answers read strictly, versions that cannot be compared ------------------------
def test_check_runs_answer_without_its_list_is_an_error_not_a_pass(action, released, fake_github):
    head = released.head()
    green_api(fake_github, head)
    fake_github.add(f"/commits/{head}/check-runs", {"total_count": 1})  # the failed run is not listed
    fake_github.add(f"/commits/{head}/statuses", [{"id": 2, "context": "test", "state": "success"}])
    inputs = {"tag": "v1.1.0", "required-checks": "test"}
    line = fails(action("sentinel", inputs, workspace=released.path, github=fake_github.github()), "required-checks")
    assert f"(GET /repos/octo/widget/commits/{head}/check-runs) has no 'check_runs'" in line


def test_dynamic_version_file_fails_with_the_fix(action, repo):
    repo.commit("dynamic", {"pyproject.toml": '[project]\nname = "w"\ndynamic = ["version"]\n'})
    repo.tag("v1.0.0")
    result = action("sentinel", {"tag": "v1.0.0", "version-files": "pyproject.toml"}, workspace=repo.path)
    line = fails(result, "version-files:pyproject.toml")
    assert "the version is dynamic" in line
    assert line.endswith("remove pyproject.toml from version-files, or make its version static")
