"""The sentinel through its Python API, against real git repositories (no network)."""

from __future__ import annotations

import subprocess

import pytest
from gitfactory import RepoBuilder
from sentinel_runner import run_sentinel


@pytest.fixture
def history(repo: RepoBuilder) -> RepoBuilder:
    """v1.0.0, a prerelease v1.1.0-rc.1, then v1.1.0 (annotated) on main."""
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.commit("feat: second")
    repo.tag("v1.1.0-rc.1")
    repo.commit("fix: third", {"pyproject.toml": '[project]\nname = "w"\nversion = "1.1.0"\n'})
    repo.tag("v1.1.0", annotated=True)
    return repo


# -- tag-format ---------------------------------------------------------------------
def test_tag_format_pass_and_fail(repo):
    repo.commit("release")
    repo.tag("v1.2.3")
    good = run_sentinel(repo.path, {"tag": "v1.2.3"})
    assert good.code == 0, good.log
    assert good.result("tag-format") == "pass"
    bad = run_sentinel(repo.path, {"tag": "v1.2"})
    assert bad.code == 1
    assert bad.result("tag-format") == "fail"
    assert bad.result("require-newer") == "skip"  # every check still reported


# -- require-newer -------------------------------------------------------------------
def test_newer_passes_and_previous_skips_prereleases(history):
    result = run_sentinel(history.path, {"tag": "v1.1.0"})
    assert result.code == 0, result.log
    assert result.result("require-newer") == "pass"
    assert result.outputs["previous-tag"] == "v1.0.0"
    assert result.report["previous_tag"] == "v1.0.0"


def test_prerelease_compares_with_previous_prerelease(history):
    history.commit("feat: more")
    history.tag("v1.2.0-rc.1")
    history.commit("feat: more still")
    history.tag("v1.2.0-rc.2")
    result = run_sentinel(history.path, {"tag": "v1.2.0-rc.2", "allow-prerelease": "true"})
    assert result.code == 0, result.log
    assert result.outputs["previous-tag"] == "v1.2.0-rc.1"


def test_release_above_its_own_prerelease_is_newer(repo):
    # `git tag --sort=version:refname` and `sort -V` would put v2.0.0-rc.1 above v2.0.0.
    repo.commit("a")
    repo.tag("v2.0.0-rc.1")
    repo.commit("b")
    repo.tag("v2.0.0")
    result = run_sentinel(repo.path, {"tag": "v2.0.0"})
    assert result.result("require-newer") == "pass", result.log
    assert result.outputs["previous-tag"] == ""  # no stable release below: first release


def test_not_newer_fails_naming_the_higher_tag(history):
    history.commit("later")
    history.tag("v2.0.0")
    history.checkout("v1.0.0")
    history.commit("hotfix")
    history.tag("v1.0.1")
    result = run_sentinel(history.path, {"tag": "v1.0.1"})
    assert result.code == 1
    assert result.result("require-newer") == "fail"
    assert "not newer than v2.0.0" in result.check("require-newer")["reason"]
    assert any("require-newer: v1.0.1 is not newer than v2.0.0" in e for e in result.errors)


def test_require_newer_false_still_reports_previous(history):
    history.tag("v0.9.0")
    result = run_sentinel(history.path, {"tag": "v0.9.0", "require-newer": "false"})
    assert result.result("require-newer") == "skip"
    assert result.code == 0, result.log


def test_previous_tag_is_the_highest_lower_release_even_on_a_side_branch(repo):
    repo.commit("root")
    repo.tag("v1.0.0")
    repo.branch("side")
    repo.checkout("side")
    repo.commit("side work")
    repo.tag("v1.1.0")
    repo.checkout("main")
    repo.commit("main work")
    repo.tag("v1.2.0")
    result = run_sentinel(repo.path, {"tag": "v1.2.0"})
    assert result.outputs["previous-tag"] == "v1.1.0", "the changelog's rule: ancestor or not"
    assert "v1.1.0 is the highest release tag below v1.2.0" in result.check("require-newer")["reason"]


def test_other_prefixes_are_ignored(history):
    history.commit("x")
    history.tag("pkg-9.0.0")
    history.tag("v1.2.0")
    result = run_sentinel(history.path, {"tag": "v1.2.0"})
    assert result.result("require-newer") == "pass", result.log


def test_shallow_clone_without_token_fails_newer_with_the_fix(history, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "v1.1.0", f"file://{history.path}", str(clone)],
        check=True,
        capture_output=True,
    )
    result = run_sentinel(clone, {"tag": "v1.1.0"})
    assert result.code == 1, result.log
    assert result.result("tag-exists") == "pass", "the pushed tag itself is in a shallow checkout"
    assert result.check("require-newer") == {
        "name": "require-newer",
        "result": "fail",
        "reason": "the checkout is shallow and holds no other tags, and no github-token was given: "
        "v1.1.0 cannot be compared with the other release tags",
        "fix": "run actions/checkout with fetch-depth: 0, or give github-token",
    }
    off = run_sentinel(clone, {"tag": "v1.1.0", "require-newer": "false"})
    assert off.result("require-newer") == "skip", "a check the user turned off is still a skip"
    assert off.code == 0, off.log


# -- require-commit ------------------------------------------------------------------
def test_commit_matches_github_sha_annotated_tag_peeled(history):
    sha = history.head()
    result = run_sentinel(history.path, {"tag": "v1.1.0"}, env={"GITHUB_SHA": sha})
    assert result.result("require-commit") == "pass", result.log


def test_commit_differs_from_github_sha(history):
    built = history.commit("after the tag")
    result = run_sentinel(history.path, {"tag": "v1.1.0"}, env={"GITHUB_SHA": built})
    assert result.code == 1
    assert result.result("require-commit") == "fail"
    assert f"this run built GITHUB_SHA {built[:12]}" in result.check("require-commit")["reason"]


def test_checkout_other_than_github_sha_is_what_was_built(history):
    # A push of main whose job checks out the tag: HEAD, not GITHUB_SHA, is what it built.
    branch_head = history.commit("after the tag")
    history.checkout("v1.1.0")
    result = run_sentinel(history.path, {"tag": "v1.1.0"}, env={"GITHUB_SHA": branch_head})
    assert result.result("require-commit") == "pass", result.log
    assert f"the checkout's HEAD {history.head()[:12]}" in result.check("require-commit")["reason"]
    assert f"it differs from GITHUB_SHA {branch_head[:12]}" in result.check("require-commit")["reason"]


def test_dispatch_without_a_checkout_says_github_sha_was_used(tmp_path):
    from sovereign.sentinel.checks import Context, built_commit

    ctx = Context("v1.0.0", None, tmp_path, {"GITHUB_EVENT_NAME": "workflow_dispatch"}, None)
    built = built_commit(ctx, "f" * 40)
    assert (built.commit, built.label) == ("f" * 40, "GITHUB_SHA")
    assert "without a checkout" in built.note


def test_commit_skipped_outside_actions_and_when_off(history):
    assert run_sentinel(history.path, {"tag": "v1.1.0"}).result("require-commit") == "skip"
    off = run_sentinel(history.path, {"tag": "v1.1.0", "require-commit": "false"}, env={"GITHUB_SHA": "0" * 40})
    assert off.result("require-commit") == "skip"
    assert off.code == 0, off.log


def test_missing_tag_fails_the_gate_once(history):
    result = run_sentinel(history.path, {"tag": "v9.0.0"}, env={"GITHUB_SHA": history.head()})
    assert result.code == 1
    assert result.check("tag-exists")["reason"] == (
        "tag v9.0.0 does not exist in the checkout, and GitHub was not asked (no github-token was given)"
    )
    assert result.result("require-commit") == "skip"
    assert "see tag-exists" in result.check("require-commit")["reason"]
    assert [e.split("::")[2].split(":")[0] for e in result.errors] == ["tag-exists"]


def test_workspace_that_is_not_a_checkout_fails_closed(tmp_path):
    result = run_sentinel(tmp_path, {"tag": "v1.2.3"})
    assert result.code == 1
    assert result.result("tag-exists") == "fail"
    assert result.check("tag-exists")["fix"] == "run actions/checkout with fetch-depth: 0, or give github-token"
    assert result.result("require-newer") == "fail"
    assert not any(line.startswith("sentinel: v1.2.3 passed") for line in result.lines)


def test_workspace_that_does_not_exist_fails_before_anything_is_written(tmp_path):
    nowhere = tmp_path / "gone"
    result = run_sentinel(nowhere, {"tag": "v1.2.3"})
    assert result.code == 1
    assert result.errors[0].startswith(f"::error title=sentinel::the workspace {nowhere} (GITHUB_WORKSPACE) does not")
    assert not nowhere.exists()
    assert "report" not in result.outputs


# -- require-branch ------------------------------------------------------------------
def test_branch_reachable_locally(history):
    result = run_sentinel(history.path, {"tag": "v1.1.0", "require-branch": "main"})
    assert result.result("require-branch") == "pass", result.log


def test_tag_on_side_branch_is_not_reachable_from_main(history):
    history.branch("side")
    history.checkout("side")
    history.commit("side only")
    history.tag("v1.2.0")
    result = run_sentinel(history.path, {"tag": "v1.2.0", "require-branch": "main"})
    assert result.code == 1
    assert result.result("require-branch") == "fail"
    assert "not reachable from refs/heads/main" in result.check("require-branch")["reason"]


def test_branch_not_in_the_checkout_is_named(history):
    result = run_sentinel(history.path, {"tag": "v1.1.0", "require-branch": "release/9"})
    assert result.result("require-branch") == "fail"
    reason = result.check("require-branch")["reason"]
    assert reason.startswith("branch 'release/9' does not exist in the checkout")
    assert "no github-token" in reason


def test_branch_in_a_shallow_clone_without_token_asks_for_history(history, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "v1.1.0", f"file://{history.path}", str(clone)],
        check=True,
        capture_output=True,
    )
    result = run_sentinel(clone, {"tag": "v1.1.0", "require-branch": "main", "require-newer": "false"})
    assert result.check("require-branch")["reason"] == (
        "the checkout is shallow (no history), and no github-token was given: the branch cannot be checked"
    )
    assert result.check("require-branch")["fix"] == "run actions/checkout with fetch-depth: 0, or give github-token"


@pytest.mark.parametrize("name", ["main; rm", "a..b", ".hidden", "x.lock", "ends/", "a@{1}"])
def test_impossible_branch_name_is_refused(history, name):
    result = run_sentinel(history.path, {"tag": "v1.1.0", "require-branch": name})
    assert result.result("require-branch") == "fail"
    assert "is not a valid branch name" in result.check("require-branch")["reason"]


def test_branch_not_requested_is_a_skip(history):
    assert run_sentinel(history.path, {"tag": "v1.1.0"}).result("require-branch") == "skip"


# -- version-files -------------------------------------------------------------------
def test_version_files_pass_with_pep440_spelling(history):
    (history.path / "package.json").write_text('{"version": "1.2.0-rc.1"}')
    (history.path / "pyproject.toml").write_text('[project]\nversion = "1.2.0rc1"\n')
    history.commit("bump", {"VERSION": "1.2.0-rc.1\n"})
    history.tag("v1.2.0-rc.1")
    result = run_sentinel(
        history.path,
        {"tag": "v1.2.0-rc.1", "allow-prerelease": "true", "version-files": "pyproject.toml, package.json\nVERSION"},
    )
    assert result.code == 0, result.log
    for name in ("pyproject.toml", "package.json", "VERSION"):
        assert result.result(f"version-files:{name}") == "pass"


def test_version_file_mismatch_names_file_found_and_expected(history):
    history.tag("v1.2.0")
    result = run_sentinel(history.path, {"tag": "v1.2.0", "version-files": "pyproject.toml"})
    assert result.code == 1
    check = result.check("version-files:pyproject.toml")
    assert check["result"] == "fail"
    assert "'pyproject.toml' has version '1.1.0' ([project].version); the tag v1.2.0 expects 1.2.0" in check["reason"]
    assert any("version-files:pyproject.toml" in e for e in result.errors)


@pytest.mark.parametrize(
    ("file", "content", "why"),
    [
        ("pyproject.toml", '[project]\ndynamic = ["version"]\n', "computed at build time"),
        (
            "pyproject.toml",
            '[project]\ndynamic = ["version"]\n[tool.setuptools_scm]\n',
            "computed by setuptools-scm, from git",
        ),
        ("setup.cfg", "[metadata]\nversion = attr: pkg.__version__\n", "attr: pkg.__version__"),
    ],
)
def test_dynamic_version_fails_with_the_fix(history, file, content, why):
    (history.path / file).write_text(content)
    result = run_sentinel(history.path, {"tag": "v1.1.0", "version-files": file})
    assert result.code == 1
    check = result.check(f"version-files:{file}")
    assert check["result"] == "fail"
    assert why in check["reason"] and "cannot be compared with the tag" in check["reason"]
    assert check["fix"] == f"remove {file} from version-files, or make its version static"


# -- require-signed (local part) -----------------------------------------------------
def test_lightweight_tag_cannot_be_signed(history):
    result = run_sentinel(history.path, {"tag": "v1.0.0", "require-signed": "true", "require-newer": "false"})
    assert result.result("require-signed") == "fail"
    assert "lightweight" in result.check("require-signed")["reason"]


def test_signed_without_token_fails_asking_for_one(history):
    result = run_sentinel(history.path, {"tag": "v1.1.0", "require-signed": "true"})
    assert result.result("require-signed") == "fail"
    assert "no github-token" in result.check("require-signed")["reason"]


# -- no token: API checks skip, requested ones fail ----------------------------------
def test_without_token_api_checks_skip_or_fail_as_requested(history):
    result = run_sentinel(history.path, {"tag": "v1.1.0"})
    assert result.code == 0, result.log
    assert (
        "sentinel: v1.1.0 passed 4 check(s) (6 skipped: require-commit, require-branch, version-files, "
        "require-signed, not-already-released, required-checks)" in result.lines
    ), "a skip is named, never hidden in a pass"
    assert result.result("not-already-released") == "skip"
    assert result.result("required-checks") == "skip"
    asked = run_sentinel(history.path, {"tag": "v1.1.0", "required-checks": "test"})
    assert asked.code == 1
    assert asked.result("required-checks") == "fail"
    assert "needs the GitHub API and no github-token was given" in asked.check("required-checks")["reason"]


def test_summary_and_one_line_per_check(history):
    summary = history.path.parent / "summary.md"
    result = run_sentinel(history.path, {"tag": "v1.1.0"}, env={"GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text()
    assert "| require-newer | ✅ pass |" in text
    assert "Previous release tag: `v1.0.0`" in text
    for check in result.report["checks"]:
        assert any(line.startswith(f"{check['result'].upper():4}  {check['name']}:") for line in result.lines)


def test_bad_checks_timeout_is_an_input_error(history):
    result = run_sentinel(history.path, {"tag": "v1.1.0", "checks-timeout": "soon"})
    assert result.code == 1
    assert result.errors[0].startswith("::error title=sentinel::input 'checks-timeout' must be a whole number")


def test_names_from_inputs_cannot_break_the_summary_table(history):
    summary = history.path.parent / "summary.md"
    run_sentinel(history.path, {"tag": "v1.1.0", "version-files": "a|b"}, env={"GITHUB_STEP_SUMMARY": str(summary)})
    row = next(line for line in summary.read_text().splitlines() if line.startswith("| version-files:"))
    assert row.count("|") - row.count("\\|") == 4, row
