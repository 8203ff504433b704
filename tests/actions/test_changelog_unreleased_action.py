"""Before the tag: unreleased notes, the next version, and the one draft release kept current (issue 16).

Run as the runner runs the action, on real repositories; the GitHub releases API
is a stateful stand-in on a real loopback socket (tests/fake_releases.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fake_releases import Releases
from gitfactory import RepoBuilder
from localserver import Reply, Seen, serve

from sovereign.release import DRAFT_MARKER, load

TOKEN = "ghs_drafttoken0042"


def released(tmp_path: Path, tag: str = "v1.2.0") -> RepoBuilder:
    repo = RepoBuilder(tmp_path / "workspace")
    repo.commit("feat: the first feature")
    repo.tag(tag, annotated=True)
    return repo


def test_unreleased_notes_after_a_tag(action, tmp_path):
    repo = released(tmp_path)
    fix = repo.commit("fix: a crash on empty input")
    feat = repo.commit("feat(api): widgets endpoint")
    result = action("changelog", {"unreleased": "true", "source": "git"}, workspace=repo.path)
    assert result.returncode == 0, result.log
    out = result.outputs
    assert (out["bump"], out["next-version"], out["next-tag"]) == ("minor", "1.3.0", "v1.3.0")
    assert (out["previous-tag"], out["commit-count"]) == ("v1.2.0", "2")
    assert out["markdown-file"] == str(repo.path / "sovereign-artifacts" / "changelog-unreleased.md")
    assert out["markdown"].startswith("## v1.3.0 (")
    assert "[Compare v1.2.0...HEAD](https://github.com/octo/widget/compare/v1.2.0..." in out["markdown"]
    doc = load(out["json-file"])
    assert doc["unreleased"] is True and doc["tag"] == "v1.3.0" and doc["ref"] == "HEAD"
    assert doc["compare_url"] == f"https://github.com/octo/widget/compare/v1.2.0...{feat}"
    assert [c["commit"] for c in doc["bump_commits"]] == [feat]
    assert {e["commit"] for s in doc["sections"] for e in s["entries"]} == {fix, feat}
    assert result.summary.startswith("## Sovereign changelog — `HEAD` — unreleased changes\n")
    assert "| bump | minor — 1 feature |" in result.summary
    assert f"| decided by | {feat[:7]} widgets endpoint |" in result.summary


def test_unreleased_up_to_a_ref_and_nothing_to_release(action, tmp_path):
    repo = released(tmp_path)
    repo.commit("fix: later, on main")
    result = action("changelog", {"unreleased": "true", "ref": "v1.2.0"}, workspace=repo.path)
    assert result.returncode == 0, result.log
    out = result.outputs
    assert (out["bump"], out["next-version"], out["next-tag"], out["commit-count"]) == ("none", "", "", "0")
    assert out["markdown"].startswith("## Unreleased (")
    assert "| next version | none: nothing calls for a release |" in result.summary


@pytest.mark.parametrize(
    ("previous", "subjects", "bump", "next_tag"),
    [
        ("v1.2.0", ["fix: a crash", "docs: explain"], "patch", "v1.2.1"),
        ("v1.2.0", ["fix: a crash", "feat: widgets"], "minor", "v1.3.0"),
        ("v1.2.0", ["feat: widgets", "feat!: drop the v1 API"], "major", "v2.0.0"),
        ("v0.4.1", ["feat!: drop the v1 API"], "minor", "v0.5.0"),  # breaking while the major version is 0
        ("v0.4.1", ["fix: a crash"], "patch", "v0.4.2"),
        ("app-v1.2.0", ["refactor: config\n\nBREAKING CHANGE: key renamed"], "major", "app-v2.0.0"),
    ],
)
def test_the_next_version_for_fix_feat_and_breaking(action, tmp_path, previous, subjects, bump, next_tag):
    repo = released(tmp_path, previous)
    for subject in subjects:
        repo.commit(subject)
    result = action("changelog", {"unreleased": "true"}, workspace=repo.path)
    assert result.returncode == 0, result.log
    assert (result.outputs["bump"], result.outputs["next-tag"]) == (bump, next_tag)
    assert result.outputs["next-version"] == next_tag.removeprefix("app-").removeprefix("v")


def test_breaking_in_0x_major_is_configurable(action, tmp_path):
    repo = RepoBuilder(tmp_path / "workspace")
    repo.commit("chore: config", files={".github/sovereign.yml": "changelog:\n  breaking-in-0x: major\n"})
    repo.tag("v0.4.1")
    repo.commit("feat!: drop the old API")
    result = action("changelog", {"unreleased": "true"}, workspace=repo.path)
    assert result.returncode == 0, result.log
    assert (result.outputs["bump"], result.outputs["next-tag"]) == ("major", "v1.0.0")


def test_tag_mode_reports_the_bump_too(action, tmp_path):
    repo = released(tmp_path)
    breaking = repo.commit("feat!: new config format")
    repo.tag("v1.3.0")
    result = action("changelog", {"tag": "v1.3.0"}, workspace=repo.path)
    assert result.returncode == 0, result.log
    assert (result.outputs["bump"], result.outputs["next-tag"]) == ("major", "v2.0.0")
    assert result.outputs["markdown"].startswith("## v1.3.0 (")
    assert load(result.outputs["json-file"])["bump_commits"][0]["commit"] == breaking


def github_stand_in(releases: Releases):
    def reply(seen: Seen) -> Reply:
        answer = releases.handle(seen.method, seen.path, seen.body)
        if answer is None:
            return Reply(500, b'{"message": "not part of this stand-in"}')
        return Reply(answer[0], json.dumps(answer[1]).encode())

    return reply


def test_one_draft_created_updated_renamed_then_taken_over_by_publish_release(action, tmp_path):
    repo = released(tmp_path)
    releases = Releases()
    inputs = {"unreleased": "true", "draft-release": "true", "github-token": TOKEN, "source": "git"}
    with serve(github_stand_in(releases)) as (url, _):
        github = {"api_url": url, "graphql_url": url + "/graphql"}
        repo.commit("fix: a crash")
        first = action("changelog", inputs, workspace=repo.path, github=github)
        again = action("changelog", inputs, workspace=repo.path, github=github)  # a re-run
        repo.commit("feat: widgets")
        pushed = action("changelog", inputs, workspace=repo.path, github=github)  # the next push
        renamed_draft = dict(releases.drafts[0])
        repo.commit("feat!: drop the v1 API")
        breaking = action("changelog", inputs, workspace=repo.path, github=github)
        breaking_draft = dict(releases.drafts[0])
        repo.tag("v2.0.0")
        tagged = action(
            "changelog",
            {"tag": "v2.0.0", "publish-release": "true", "github-token": TOKEN, "source": "git"},
            workspace=repo.path,
            github=github,
        )
    for result in (first, again, pushed, breaking, tagged):
        assert result.returncode == 0, result.log
    assert [r.outputs["next-tag"] for r in (first, again, pushed, breaking)] == ["v1.2.1", "v1.2.1", "v1.3.0", "v2.0.0"]
    assert [method for method, _ in releases.writes] == ["POST", "PATCH", "PATCH", "PATCH", "PATCH"]
    created = releases.writes[0][1]
    assert (
        created["draft"] is True and created["tag_name"] == "v1.2.1" and created["body"].endswith(DRAFT_MARKER + "\n")
    )
    assert created["target_commitish"] == repo.git("rev-parse", "HEAD~2")
    assert "GitHub Release: updated the draft https://github.example.com/octo/widget/releases/untagged-100" in again.log
    assert (renamed_draft["tag_name"], renamed_draft["name"]) == ("v1.3.0", "v1.3.0")
    assert "updated the draft (renamed from v1.2.1)" in pushed.log
    assert (breaking_draft["tag_name"], breaking_draft["id"]) == ("v2.0.0", 100)
    assert "drop the v1 API" in breaking_draft["body"]
    # The tag push publishes that same draft: one release in all, never a second one.
    assert len(releases.items) == 1
    release = releases.items[0]
    assert (release["id"], release["tag_name"], release["draft"]) == (100, "v2.0.0", False)
    assert DRAFT_MARKER not in release["body"] and release["body"].startswith("## v2.0.0 (")
    assert "GitHub Release: published the draft of v2.0.0" in tagged.log
    assert tagged.outputs["release-url"] == "https://github.example.com/octo/widget/releases/tag/v2.0.0"
    assert all(TOKEN not in r.summary for r in (first, pushed, tagged))


def test_a_draft_made_by_hand_is_left_alone(action, tmp_path):
    repo = released(tmp_path)
    repo.commit("feat: widgets")
    releases = Releases()
    releases.items.append({"id": 7, "tag_name": "v1.3.0", "name": "mine", "draft": True, "body": "hand-written"})
    inputs = {"unreleased": "true", "draft-release": "true", "github-token": TOKEN, "source": "git"}
    with serve(github_stand_in(releases)) as (url, _):
        result = action("changelog", inputs, workspace=repo.path, github={"api_url": url})
    assert result.returncode == 0, result.log
    assert releases.items[0] == {"id": 7, "tag_name": "v1.3.0", "name": "mine", "draft": True, "body": "hand-written"}
    assert len(releases.drafts) == 2 and DRAFT_MARKER in releases.drafts[1]["body"]


def test_nothing_to_release_writes_no_draft(action, tmp_path):
    repo = released(tmp_path)
    releases = Releases()
    inputs = {"unreleased": "true", "draft-release": "true", "github-token": TOKEN}
    with serve(github_stand_in(releases)) as (url, script):
        result = action("changelog", inputs, workspace=repo.path, github={"api_url": url, "graphql_url": url + "/g"})
    assert result.returncode == 0, result.log
    assert releases.writes == [] and script.seen == []
    assert "::notice title=changelog::draft-release: nothing calls for a release" in result.stdout


def test_dry_run_draft_saves_the_request(action, tmp_path):
    repo = released(tmp_path)
    repo.commit("fix: a crash")
    result = action(
        "changelog", {"unreleased": "true", "draft-release": "true", "dry-run": "true"}, workspace=repo.path
    )
    assert result.returncode == 0, result.log
    saved = json.loads((repo.path / "sovereign-artifacts" / "changelog-release-request-v1.2.1.json").read_text())
    assert saved["method"] == "POST" and saved["json"]["draft"] is True and saved["json"]["tag_name"] == "v1.2.1"


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"draft-release": "true", "tag": "v1.2.0", "github-token": TOKEN},
            "input 'draft-release: true' needs 'unreleased: true'",
        ),
        (
            {"draft-release": "true", "unreleased": "true", "github-token": ""},
            "input 'draft-release: true' needs a token",
        ),
        (
            {"publish-release": "true", "unreleased": "true", "github-token": TOKEN},
            "input 'publish-release: true' needs a tag, and 'unreleased: true' has none",
        ),
        (
            {"unreleased": "true", "ref": "no-such-branch"},
            "input 'ref': 'no-such-branch' does not exist in the checkout",
        ),
        ({"unreleased": "maybe"}, "input 'unreleased' must be a boolean"),
    ],
)
def test_bad_inputs_are_one_clear_error(action, tmp_path, inputs, message):
    repo = released(tmp_path)
    result = action("changelog", inputs, workspace=repo.path)
    assert result.returncode in (1, 2), result.log
    assert len(result.errors) == 1 and message in result.errors[0], result.errors
    assert "Traceback" not in result.log
    assert not (repo.path / "sovereign-artifacts").exists()
