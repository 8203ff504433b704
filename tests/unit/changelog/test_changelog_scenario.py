"""The notes git alone makes of the realistic history (``changelog_scenario``)."""

from __future__ import annotations

import json
from pathlib import Path

from changelog_scenario import GHSA, realistic, run_stage
from gitfactory import RepoBuilder

from sovereign.release import load


def test_git_notes_account_for_every_commit(tmp_path):
    repo = RepoBuilder(tmp_path / "repo")
    shas = realistic(repo)
    code, lines, step = run_stage(repo.path, tag="v1.1.0", source="git")
    assert code == 0, lines
    doc = load(step.outputs["json-file"])
    # v1.0.1 lives on the release-1.0 branch: not an ancestor, yet the previous release (issue 13;
    # the old rule took v1.0.0, the highest ancestor).
    assert doc["previous_tag"] == "v1.0.1"
    assert "not an ancestor of v1.1.0" in doc["previous_tag_reason"]  # type: ignore[typeddict-item]
    in_range = repo.git("rev-list", "v1.0.1..v1.1.0").split()
    listed = [sha for s in doc["sections"] for e in s["entries"] for sha in e["commits"]]  # type: ignore[typeddict-item]
    left_out = [sha for x in doc["excluded"] for sha in x["commits"]]
    assert sorted(listed + left_out) == sorted(in_range), "every commit exactly once"
    assert doc["stats"]["commits"] == len(in_range) == 16
    assert shas["backport"] not in listed + left_out

    titles = {s["title"]: [e["title"] for e in s["entries"]] for s in doc["sections"]}
    assert list(titles)[:2] == ["Breaking changes", "Security"]
    assert titles["Breaking changes"] == ["rename the config key", "drop Python 3.8"]
    assert sorted(titles["Security"]) == ["bump requests from 2.31.0 to 2.32.0", "reject path traversal"]
    entries = {e["commit"]: e for s in doc["sections"] for e in s["entries"]}
    merge = entries[shas["merge"]]
    assert (merge["pr"], merge["title"], merge["author"]) == (1, "Add feature A", "Carol")
    assert merge["commits"] == [shas["merge"], shas["a2"], shas["a1"]]  # type: ignore[typeddict-item]
    assert merge["url"] == "https://github.example.com/octo/widget/pull/1"
    squash = entries[shas["squash"]]
    assert (squash["pr"], squash["title"], squash["scope"], squash["type"]) == (
        2,
        "handle empty input",
        "parser",
        "fix",
    )
    assert entries[shas["rebase1"]]["pr"] is None, "git alone cannot see a rebase merge's PR"
    assert entries[shas["direct"]]["url"].endswith("/commit/" + shas["direct"])
    # git re-encodes what it can; whatever is left is decoded with replacement, never a crash.
    assert entries[shas["latin1"]]["title"].startswith(("café crème", "caf\ufffd cr\ufffdme"))
    assert entries[shas["ghsa"]]["security"] and entries[shas["ghsa"]]["advisories"] == [GHSA]  # type: ignore[typeddict-item]
    reasons = {x["commit"]: x["reason"] for x in doc["excluded"]}
    assert reasons[shas["release"]] == "release commit"
    assert shas["bot"] not in reasons and entries[shas["bot"]]["author"] == "github-actions[bot]", (
        "bots' work is listed"
    )
    assert reasons[shas["bare-merge"]].startswith("merge commit without a pull request")
    assert entries[shas["hotfix"]]["title"] == "hotfix for the widget"
    assert set(doc["contributors"]) == {"Alice", "Bob", "Carol", "Dave", "Erin", "Test Author"}, "bots are not counted"
    assert step.outputs["breaking-count"] == "2" and step.outputs["security-count"] == "2"
    assert step.outputs["compare-url"] == "https://github.example.com/octo/widget/compare/v1.0.1...v1.1.0"
    # Untrusted commit text never reaches the log as a workflow command.
    assert not any(line.startswith("::warning::owned") for line in lines)
    notes = Path(step.outputs["markdown-file"]).read_text(encoding="utf-8")
    assert notes.index("Breaking changes") < notes.index("Security") < notes.index("Features")
    assert "[#1](https://github.example.com/octo/widget/pull/1)" in notes


def test_prerelease_compares_with_previous_tag_of_any_kind(tmp_path):
    repo = RepoBuilder(tmp_path / "repo")
    realistic(repo)
    repo.commit("fix: after the release")
    repo.tag("v1.2.0-rc.1")
    code, lines, step = run_stage(repo.path, tag="v1.2.0-rc.1", source="git")
    assert code == 0, lines
    assert step.outputs["previous-tag"] == "v1.1.0"
    assert step.outputs["commit-count"] == "1"
    rc = run_stage(repo.path, tag="v1.1.0-rc.1", source="git")[2]
    assert rc.outputs["previous-tag"] == "v1.0.1", "the last stable release, on its maintenance branch"
    doc = json.loads(Path(rc.outputs["json-file"]).read_text(encoding="utf-8"))
    assert doc["version"] == "1.1.0-rc.1"
