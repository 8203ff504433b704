"""The sentinel's bump-check through the action: the tag's bump against what its changes call for,
classified by the changelog's own code and config (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitfactory import RepoBuilder


def history(tmp_path: Path, previous: str, *subjects: str, config: str = "") -> tuple[RepoBuilder, list[str]]:
    repo = RepoBuilder(tmp_path / "workspace")
    repo.commit("feat: the start", files={".github/sovereign.yml": config} if config else None)
    repo.tag(previous, annotated=True)
    return repo, [repo.commit(subject) for subject in subjects]


def bump_check(result) -> dict[str, str]:
    return next(c for c in json.loads(result.outputs["report"])["checks"] if c["name"] == "bump-check")


def test_a_breaking_change_released_as_a_patch_warns_by_default(action, tmp_path):
    repo, shas = history(tmp_path, "v1.2.0", "fix: a crash", "feat!: drop the v1 API", "feat: widgets")
    repo.tag("v1.2.1")
    result = action("sentinel", {"tag": "v1.2.1"}, workspace=repo.path)
    assert result.returncode == 0, result.log
    check = bump_check(result)
    assert check["result"] == "warn"
    assert check["reason"] == (
        f"v1.2.1 is a patch bump over v1.2.0, but 1 breaking change calls for major: {shas[1][:7]} feat!: drop the v1 API"
    )
    assert check["fix"].startswith("release v2.0.0 instead")
    warnings = [line for line in result.stdout.splitlines() if line.startswith("::warning")]
    assert len(warnings) == 1 and "bump-check: v1.2.1 is a patch bump over v1.2.0" in warnings[0]
    assert "| bump-check | ⚠️ warn |" in result.summary
    assert "✅ the release may proceed (1 warning(s))" in result.summary
    report = json.loads(result.outputs["report"])
    assert report["bump"] == {
        "needed": "major",
        "actual": "patch",
        "previous_tag": "v1.2.0",
        "next_tag": "v2.0.0",
        "why": "1 breaking change",
        "commits": [shas[1]],
    }
    page = (repo.path / "sovereign-artifacts" / "preview-v1.2.1.html").read_text(encoding="utf-8")
    assert '<tr class="warn"><td><code>bump-check</code></td><td>⚠️ warn</td>' in page


def test_bump_check_fail_blocks_a_feature_released_as_a_patch(action, tmp_path):
    repo, shas = history(tmp_path, "v1.2.0", "fix: a crash", "feat: widgets")
    repo.tag("v1.2.1")
    result = action("sentinel", {"tag": "v1.2.1", "bump-check": "fail"}, workspace=repo.path)
    assert result.returncode == 1, result.log
    assert result.errors == [
        f"::error title=sentinel::bump-check: v1.2.1 is a patch bump over v1.2.0, but 1 feature calls for minor: "
        f"{shas[1][:7]} feat: widgets — release v1.3.0 instead (a bigger bump is fine), "
        "or set bump-check: off if this is intended"
    ]
    assert "❌ the release is blocked" in result.summary


@pytest.mark.parametrize(
    ("previous", "subjects", "tag", "config"),
    [
        ("v1.2.0", ["fix: a crash"], "v1.2.1", ""),
        ("v1.2.0", ["fix: a crash"], "v2.0.0", ""),  # bigger than needed is fine
        ("v0.4.1", ["feat!: new API"], "v0.5.0", ""),  # breaking while 0.x: minor is enough
        ("v1.2.0", ["Add widgets"], "v1.2.1", "changelog:\n  feature-labels: []\n"),  # not conventional: a patch
    ],
)
def test_enough_of_a_bump_passes(action, tmp_path, previous, subjects, tag, config):
    repo, _ = history(tmp_path, previous, *subjects, config=config)
    repo.tag(tag)
    result = action("sentinel", {"tag": tag, "bump-check": "fail"}, workspace=repo.path)
    assert result.returncode == 0, result.log
    assert bump_check(result)["result"] == "pass"


def test_the_changelog_config_decides_as_for_the_notes(action, tmp_path):
    config = "changelog:\n  breaking-in-0x: major\n"
    repo, _ = history(tmp_path, "v0.4.1", "feat!: new API", config=config)
    repo.tag("v0.5.0")
    result = action("sentinel", {"tag": "v0.5.0", "bump-check": "fail"}, workspace=repo.path)
    assert result.returncode == 1
    assert "calls for major" in result.errors[0] and "release v1.0.0 instead" in result.errors[0]


def test_a_prerelease_is_compared_with_the_last_release(action, tmp_path):
    repo, _ = history(tmp_path, "v1.2.0", "feat: widgets")
    repo.tag("v1.3.0-rc.1")
    repo.commit("feat!: drop the v1 API")
    repo.tag("v1.3.0-rc.2")
    inputs = {"tag": "v1.3.0-rc.2", "allow-prerelease": "true", "bump-check": "fail"}
    result = action("sentinel", inputs, workspace=repo.path)
    assert result.returncode == 1
    assert "v1.3.0-rc.2 is a minor bump over v1.2.0, but 1 breaking change calls for major" in result.errors[0]


def test_off_and_unreadable_history(action, tmp_path):
    repo, _ = history(tmp_path, "v1.2.0", "feat!: drop the v1 API")
    repo.tag("v1.2.1")
    off = action("sentinel", {"tag": "v1.2.1", "bump-check": "off"}, workspace=repo.path)
    assert off.returncode == 0 and bump_check(off) == {
        "name": "bump-check",
        "result": "skip",
        "reason": "bump-check is off",
        "fix": "",
    }
    # No checkout and no token: the gate fails closed (tag-exists); warn steps aside, fail cannot vouch either.
    empty = tmp_path / "empty"
    empty.mkdir()
    skipped = action("sentinel", {"tag": "v1.2.1"}, workspace=empty)
    assert skipped.returncode == 1 and bump_check(skipped)["result"] == "skip"
    failed = action("sentinel", {"tag": "v1.2.1", "bump-check": "fail"}, workspace=empty)
    assert failed.returncode == 1
    assert any(
        "bump-check: the changes could not be read: the workspace is not a git checkout" in line
        for line in failed.errors
    ), failed.errors


def test_bad_bump_check_value_is_one_clear_error(action, tmp_path):
    result = action("sentinel", {"tag": "v1.2.1", "bump-check": "strict"})
    assert result.returncode == 1
    assert result.errors == [
        "::error title=sentinel::input 'bump-check' must be fail, warn or off, got 'strict' — "
        "use bump-check: warn (the default), fail to block a release bumped too little, or off"
    ]
    assert "Traceback" not in result.log


def test_a_broken_changelog_config_warns_with_warn_and_stops_with_fail(action, tmp_path):
    repo, _ = history(tmp_path, "v1.2.0", "fix: a crash", config="changelog:\n  breaking-in-0x: huge\n")
    repo.tag("v1.2.1")
    warned = action("sentinel", {"tag": "v1.2.1"}, workspace=repo.path)
    assert warned.returncode == 0, warned.log
    assert bump_check(warned)["result"] == "warn"
    assert "the changelog's config cannot be read: .github/sovereign.yml line 2" in bump_check(warned)["reason"]
    failed = action("sentinel", {"tag": "v1.2.1", "bump-check": "fail"}, workspace=repo.path)
    assert failed.returncode == 1 and len(failed.errors) == 1
    assert ".github/sovereign.yml line 2: 'changelog.breaking-in-0x' must be minor or major" in failed.errors[0]
