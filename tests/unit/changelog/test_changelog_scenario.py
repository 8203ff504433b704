"""A realistic release history, built with real git, and the notes git alone makes of it.

``realistic(builder)`` is shared with the action tests: merge, squash and
rebase merges, direct pushes, breaking and security commits, a bot, a release
commit, a non-UTF-8 message, a prerelease between releases and a tag on a
side branch.
"""

from __future__ import annotations

import json
from pathlib import Path

from gitfactory import RepoBuilder

from sovereign.changelog.stage import STAGE
from sovereign.gha import Step, execute
from sovereign.release import load

GHSA = "GHSA-2c3f-4g5h-6j7m"


def realistic(repo: RepoBuilder) -> dict[str, str]:
    """Build the history; returns the interesting commits by name."""
    shas: dict[str, str] = {}
    repo.commit("Initial commit", author="Alice <alice@example.com>")
    repo.tag("v1.0.0", annotated=True)
    # A maintenance branch with its own release: not an ancestor of v1.1.0.
    repo.branch("release-1.0")
    repo.checkout("release-1.0")
    shas["backport"] = repo.commit("fix: backport crash fix", author="Bob <bob@example.com>")
    repo.tag("v1.0.1")
    repo.checkout("main")
    shas["direct"] = repo.commit("feat(api): add widgets endpoint", author="Alice <alice@example.com>")
    # PR #1 merged with a merge commit.
    repo.branch("feature-a")
    repo.checkout("feature-a")
    shas["a1"] = repo.commit("feat: part one of feature A", author="Carol <carol@example.com>")
    shas["a2"] = repo.commit("fix: part two of feature A", author="Carol <carol@example.com>")
    repo.checkout("main")
    shas["merge"] = repo.merge("feature-a", "Merge pull request #1 from octo/feature-a\n\nAdd feature A")
    # PR #2 squash-merged.
    shas["squash"] = repo.commit("fix(parser): handle empty input (#2)", author="Dave <dave@example.com>")
    # PR #3 rebase-merged: two commits that name no PR.
    shas["rebase1"] = repo.commit("perf: cache the index", author="Erin <erin@example.com>")
    shas["rebase2"] = repo.commit("docs: explain the index cache", author="Erin <erin@example.com>")
    repo.tag("v1.1.0-rc.1", annotated=True)
    shas["bang"] = repo.commit("feat!: drop Python 3.8", author="Alice <alice@example.com>")
    shas["footer"] = repo.commit(
        "refactor: rename the config key\n\nBREAKING CHANGE: `old_key` is now `new_key`.",
        author="Bob <bob@example.com>",
    )
    shas["ghsa"] = repo.commit(f"fix: reject path traversal\n\nFixes {GHSA}.", author="Bob <bob@example.com>")
    shas["dependabot"] = repo.commit(
        "build(deps): bump requests from 2.31.0 to 2.32.0\n\nBumps requests. Fixes CVE-2024-35195.",
        author="dependabot[bot] <support@github.com>",
    )
    shas["bot"] = repo.commit("chore: regenerate files", author="github-actions[bot] <bot@example.com>")
    # A bare merge of a local branch: its commit is listed, the merge is accounted for.
    repo.branch("hotfix")
    repo.checkout("hotfix")
    shas["hotfix"] = repo.commit("fix: hotfix for the widget", author="Carol <carol@example.com>")
    repo.checkout("main")
    shas["bare-merge"] = repo.merge("hotfix", "Merge branch 'hotfix'")
    # A message that is not UTF-8 (Latin-1 bytes, no encoding header).
    message = repo.path.parent / "latin1.txt"
    message.write_bytes(b"fix: caf\xe9 cr\xe8me ::warning::owned\n")
    repo.git("commit", "-q", "--allow-empty", "-F", str(message), env={**repo._dates()})
    shas["latin1"] = repo.head()
    shas["release"] = repo.commit("chore(release): v1.1.0", author="Alice <alice@example.com>")
    repo.tag("v1.1.0", annotated=True)
    return shas


def run_stage(workspace: Path, env: dict[str, str] | None = None, **flags: str) -> tuple[int, list[str], Step]:
    """The stage in-process, as ``sovereign changelog --repository octo/widget <flags>`` would run it."""
    lines: list[str] = []
    env = {"GITHUB_WORKSPACE": str(workspace), "GITHUB_SERVER_URL": "https://github.example.com", **(env or {})}
    step = Step("changelog", env, out=lines.append)
    cli: dict[str, str | None] = {"repository": "octo/widget", **flags}
    return execute(STAGE, cli, env, step), lines, step


def test_git_notes_account_for_every_commit(tmp_path):
    repo = RepoBuilder(tmp_path / "repo")
    shas = realistic(repo)
    code, lines, step = run_stage(repo.path, tag="v1.1.0", source="git")
    assert code == 0, lines
    doc = load(step.outputs["json-file"])
    assert doc["previous_tag"] == "v1.0.0"
    assert "v1.0.1" in doc["previous_tag_reason"] and "not ancestors" in doc["previous_tag_reason"]  # type: ignore[typeddict-item]
    in_range = repo.git("rev-list", "v1.0.0..v1.1.0").split()
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
    assert reasons[shas["bot"]].startswith("bot author 'github-actions[bot]'")
    assert reasons[shas["bare-merge"]].startswith("merge commit without a pull request")
    assert entries[shas["hotfix"]]["title"] == "hotfix for the widget"
    assert set(doc["contributors"]) == {"Alice", "Bob", "Carol", "Dave", "Erin", "Test Author"}, "bots are not counted"
    assert step.outputs["breaking-count"] == "2" and step.outputs["security-count"] == "2"
    assert step.outputs["compare-url"] == "https://github.example.com/octo/widget/compare/v1.0.0...v1.1.0"
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
    assert rc.outputs["previous-tag"] == "v1.0.0"
    doc = json.loads(Path(rc.outputs["json-file"]).read_text(encoding="utf-8"))
    assert doc["version"] == "1.1.0-rc.1"
