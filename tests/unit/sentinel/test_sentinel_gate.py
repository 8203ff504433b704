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
def test_tag_format_pass_and_fail(tmp_path):
    good = run_sentinel(tmp_path, {"tag": "v1.2.3"})
    assert good.code == 0, good.log
    assert good.result("tag-format") == "pass"
    bad = run_sentinel(tmp_path, {"tag": "v1.2"})
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


def test_shallow_clone_without_token_skips_newer(history, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "v1.1.0", f"file://{history.path}", str(clone)],
        check=True,
        capture_output=True,
    )
    result = run_sentinel(clone, {"tag": "v1.1.0"})
    assert result.code == 0, result.log
    check = result.check("require-newer")
    assert check["result"] == "skip"
    assert "no tags" in check["reason"] and "github-token" in check["reason"]


# -- require-commit ------------------------------------------------------------------
def test_commit_matches_github_sha_annotated_tag_peeled(history):
    sha = history.head()
    result = run_sentinel(history.path, {"tag": "v1.1.0"}, env={"GITHUB_SHA": sha})
    assert result.result("require-commit") == "pass", result.log


def test_commit_differs_from_github_sha(history):
    other = history.git("rev-parse", "v1.0.0")
    result = run_sentinel(history.path, {"tag": "v1.1.0"}, env={"GITHUB_SHA": other})
    assert result.code == 1
    assert result.result("require-commit") == "fail"
    assert f"this run built GITHUB_SHA {other[:12]}" in result.check("require-commit")["reason"]


def test_commit_skipped_outside_actions_and_when_off(history):
    assert run_sentinel(history.path, {"tag": "v1.1.0"}).result("require-commit") == "skip"
    off = run_sentinel(history.path, {"tag": "v1.1.0", "require-commit": "false"}, env={"GITHUB_SHA": "0" * 40})
    assert off.result("require-commit") == "skip"
    assert off.code == 0, off.log


def test_missing_tag_fails_commit_check(history):
    result = run_sentinel(history.path, {"tag": "v9.0.0"}, env={"GITHUB_SHA": history.head()})
    assert result.result("require-commit") == "fail"
    assert "does not exist" in result.check("require-commit")["reason"]


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


def test_branch_without_history_or_token_fails_asking_for_a_token(history):
    result = run_sentinel(history.path, {"tag": "v1.1.0", "require-branch": "release/9"})
    assert result.result("require-branch") == "fail"
    assert "no github-token" in result.check("require-branch")["reason"]


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


def test_dynamic_version_is_a_skip_not_a_failure(history):
    (history.path / "pyproject.toml").write_text('[project]\ndynamic = ["version"]\n')
    result = run_sentinel(history.path, {"tag": "v1.1.0", "version-files": "pyproject.toml"})
    assert result.result("version-files:pyproject.toml") == "skip"
    assert result.code == 0, result.log


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
