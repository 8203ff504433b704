"""The sentinel action, run as the runner runs it (bootstrap included)."""

from __future__ import annotations

import json

import pytest

GOOD = ["v1.2.3", "v0.0.0", "v10.20.30"]
BAD = ["v1.2", "1.2.3", "v01.2.3", "v1.2.3\n", "v1.2.٣", "v1.2.3$(id)", "v1.2.3-rc.1", "-v1.2.3"]


@pytest.mark.parametrize("tag", GOOD)
def test_good_tag_passes_with_outputs(action, tag):
    result = action("sentinel", {"tag": tag})
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


def test_prerelease_allowed(action):
    result = action("sentinel", {"tag": "v2.0.0-rc.1", "allow-prerelease": "true"})
    assert result.returncode == 0, result.log
    assert result.outputs["prerelease"] == "rc.1"
    assert result.outputs["is-prerelease"] == "true"


def test_tag_defaults_to_pushed_tag(action):
    result = action("sentinel", github={"ref": "refs/tags/v3.1.4", "ref_name": "v3.1.4"})
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


def test_custom_pattern(action):
    result = action("sentinel", {"tag": "release-4.5.6", "tag-pattern": r"release-\d+\.\d+\.\d+"})
    assert result.returncode == 0, result.log
    assert result.outputs["version"] == "4.5.6"
