"""Which commits a release compares and lists, on histories shaped like real ones (issue 13).

Maintenance branches with cherry-picks and backport bots, prerelease channels,
reverts and release commits, each rebuilt in a generated repository.
"""

from __future__ import annotations

from typing import Any

import pytest
from changelog_scenario import run_stage
from gitfactory import RepoBuilder
from maintenance_history import BOT, cherry_pick, maintenance, revert

from sovereign.notes.release_commits import RELEASE_COMMIT
from sovereign.release import load


def notes(repo: RepoBuilder, tag: str, **flags: str) -> tuple[Any, Any]:
    code, lines, step = run_stage(repo.path, tag=tag, source="git", **flags)
    assert code == 0, lines
    return load(step.outputs["json-file"]), step


def listed(doc: Any) -> dict[str, Any]:
    """Every entry by each of its commits."""
    return {sha: e for s in doc["sections"] for e in s["entries"] for sha in e["commits"]}


def reasons(doc: Any) -> dict[str, str]:
    return {sha: x["reason"] for x in doc["excluded"] for sha in x["commits"]}


def accounted(doc: Any, repo: RepoBuilder, span: str) -> None:
    """Every commit of ``span`` is listed or left out, exactly once."""
    seen = sorted([*listed(doc), *reasons(doc)])
    assert seen == sorted(repo.git("rev-list", span).split())
    assert len(seen) == len(set(seen)) == doc["stats"]["commits"]


# -- item 1: the previous release and the range ------------------------------------
def test_maintenance_release_is_the_previous_one_and_its_cherry_pick_is_left_out(repo):
    shas = maintenance(repo)
    doc, step = notes(repo, "v9.1.0")
    assert step.outputs["previous-tag"] == "v9.0.1", "the old rule took v9.0.0, the highest ancestor"
    assert "not an ancestor of v9.1.0" in doc["previous_tag_reason"]  # type: ignore[typeddict-item]
    assert "the range is v9.0.1..v9.1.0" in doc["previous_tag_reason"]  # type: ignore[typeddict-item]
    accounted(doc, repo, "v9.0.1..v9.1.0")
    assert reasons(doc) == {shas["C"]: "already released in v9.0.1"}
    assert list(listed(doc)) == [shas["D"]]
    assert doc["stats"]["excluded"] == 1
    assert step.outputs["compare-url"].endswith("/compare/v9.0.1...v9.1.0")


def test_same_patch_without_a_trailer_and_a_trailer_without_the_same_patch(repo):
    repo.commit("feat: start", {"f.txt": "1\n"})
    repo.tag("v1.0.0")
    repo.branch("1.0.x")
    same = repo.commit("fix: quiet the warning", {"w.txt": "quiet\n"})
    reworked = repo.commit("fix: retry twice", {"r.txt": "retry = 2\n"})
    new = repo.commit("feat: new on main", {"n.txt": "n\n"})
    repo.checkout("1.0.x")
    cherry_pick(repo, same, False)  # git cherry-pick without -x: only the patch ties it
    repo.commit(f"fix: retry on the old branch\n\n(cherry picked from commit {reworked})", {"r.txt": "retries = 2\n"})
    repo.tag("v1.0.1")
    repo.checkout("main")
    repo.tag("v1.1.0")
    doc, _ = notes(repo, "v1.1.0")
    assert reasons(doc) == {same: "already released in v1.0.1", reworked: "already released in v1.0.1"}
    assert list(listed(doc)) == [new]


def test_a_backport_reverted_on_its_branch_was_not_released(repo):
    repo.commit("feat: start", {"f.txt": "1\n"})
    repo.tag("v1.0.0")
    repo.branch("1.0.x")
    fix = repo.commit("fix: sort keys in insertion order", {"k.txt": "order\n"})
    repo.checkout("1.0.x")
    copy = cherry_pick(repo, fix)
    undo = revert(repo, copy)  # "will wait for 1.1.0 instead"
    repo.tag("v1.0.1")
    repo.checkout("main")
    repo.tag("v1.1.0")
    doc, _ = notes(repo, "v1.1.0")
    assert list(listed(doc)) == [fix], "1.1.0 is the first release that ships it"
    branch, _ = notes(repo, "v1.0.1")
    assert reasons(branch) == {
        copy: f"reverted in this release (by {undo[:7]})",
        undo: f"reverted in this release (reverts {copy[:7]})",
    }


def test_a_merged_pull_request_backported_whole_is_left_out(repo):
    repo.commit("feat: start", {"f.txt": "1\n"})
    repo.tag("v2.0.0")
    repo.branch("2.0.x")
    repo.branch("feature")
    repo.checkout("feature")
    repo.commit("fix: part one", {"p1.txt": "1\n"})
    repo.commit("fix: part two", {"p2.txt": "2\n"})
    repo.checkout("main")
    merge = repo.merge("feature", "Merge pull request #40 from octo/feature\n\nFix the importer")
    later = repo.commit("feat: exporter (#41)", {"e.txt": "e\n"})
    repo.checkout("2.0.x")
    cherry_pick(repo, merge, True, "-m", "1")  # a bot backports the merge as one commit
    repo.tag("v2.0.1")
    repo.checkout("main")
    repo.tag("v2.1.0")
    doc, _ = notes(repo, "v2.1.0")
    accounted(doc, repo, "v2.0.1..v2.1.0")
    assert reasons(doc)[merge] == "already released in v2.0.1"
    assert [e["pr"] for e in {id(e): e for e in listed(doc).values()}.values()] == [41]
    assert later in listed(doc)


def test_prerelease_channels_pick_the_same_channel_then_the_last_stable(repo):
    repo.commit("feat: one")
    repo.tag("v1.0.0")
    repo.branch("1.0.x")
    repo.commit("feat: two")
    repo.tag("v2.0.0-beta.1")
    repo.commit("feat: three")
    repo.tag("v2.0.0-rc.1")
    repo.commit("fix: four")
    repo.tag("v2.0.0-rc.2")
    repo.checkout("1.0.x")
    repo.commit("fix: on the branch")
    repo.tag("v1.0.1")
    repo.checkout("main")
    expected = {"v2.0.0-rc.2": "v2.0.0-rc.1", "v2.0.0-rc.1": "v1.0.1", "v2.0.0-beta.1": "v1.0.1"}
    for tag, previous in expected.items():
        doc, _ = notes(repo, tag)
        assert doc["previous_tag"] == previous, tag
        accounted(doc, repo, f"{previous}..{tag}")


def test_a_given_previous_tag_may_be_on_another_branch(repo):
    shas = maintenance(repo)
    doc, _ = notes(repo, "v9.1.0", **{"previous-tag": "v9.0.1"})
    assert doc["previous_tag_reason"].startswith("v9.0.1 was given as previous-tag; it is not an ancestor")  # type: ignore[typeddict-item]
    assert reasons(doc) == {shas["C"]: "already released in v9.0.1"}


# -- item 7: each change listed once -----------------------------------------------
def backports(repo: RepoBuilder) -> dict[str, str]:
    """Two fixes on main, each backported to 1.0.x by a bot: one squash-merged, one merged."""
    shas = {"root": repo.commit("feat: start", {"f.txt": "1\n"})}
    repo.tag("v1.0.0")
    repo.branch("1.0.x")
    shas["orig10"] = repo.commit("fix: escape file names (#10)", {"n.txt": "escaped\n"}, author="Ann <ann@example.com>")
    shas["orig11"] = repo.commit("fix: free the cache (#11)", {"c.txt": "freed\n"}, author="Ben <ben@example.com>")
    repo.checkout("1.0.x")
    # A backport bot's squash merge: the original's title and number, then the backport's own.
    shas["squash"] = repo.commit(
        f"fix: escape file names (#10) (#12)\n\n(cherry picked from commit {shas['orig10']})\n\n"
        "Co-authored-by: Ann <ann@example.com>",
        {"n.txt": "escaped\n"},
        author=BOT,
    )
    # A merged backport PR: its branch holds the cherry-picked original, subject and all.
    repo.branch("backport-11")
    repo.checkout("backport-11")
    shas["pick11"] = cherry_pick(repo, shas["orig11"])
    repo.checkout("1.0.x")
    shas["merge13"] = repo.merge(
        "backport-11", "Merge pull request #13 from octo/backport-11\n\n[1.0.x] fix: free the cache"
    )
    repo.tag("v1.0.1")
    repo.checkout("main")
    shas["new"] = repo.commit("feat: watch mode (#14)", {"w.txt": "w\n"})
    repo.tag("v1.1.0")
    return shas


def test_a_backport_lists_its_pull_request_once(repo):
    shas = backports(repo)
    doc, _ = notes(repo, "v1.0.1")
    accounted(doc, repo, "v1.0.0..v1.0.1")
    entries = list({id(e): e for e in listed(doc).values()}.values())
    # Listed or (a bot's change, until bots are kept) left out: either way each number once.
    numbers = sorted(e["pr"] for e in [*entries, *doc["excluded"]])
    assert numbers == [12, 13], "#11 is not listed beside its backport #13, nor #10 beside #12"
    assert listed(doc)[shas["pick11"]]["pr"] == 13
    assert listed(doc)[shas["merge13"]]["commits"] == [shas["merge13"], shas["pick11"]]


def test_originals_of_backports_are_already_released_in_the_branch_release(repo):
    shas = backports(repo)
    doc, _ = notes(repo, "v1.1.0")
    assert doc["previous_tag"] == "v1.0.1"
    accounted(doc, repo, "v1.0.1..v1.1.0")
    assert reasons(doc) == {shas["orig10"]: "already released in v1.0.1", shas["orig11"]: "already released in v1.0.1"}
    assert [e["pr"] for e in {id(e): e for e in listed(doc).values()}.values()] == [14]


def test_a_backport_and_its_original_in_one_release_are_listed_once(repo):
    repo.commit("feat: start", {"f.txt": "1\n"})
    repo.tag("v1.0.0")
    repo.branch("1.0.x")
    orig = repo.commit("fix: trim spaces (#20)", {"t.txt": "trim\n"})
    repo.checkout("1.0.x")
    copy = repo.commit(
        f"fix: trim spaces (#20) (#21)\n\n(cherry picked from commit {orig})", {"t2.txt": "x\n"}, author=BOT
    )
    repo.checkout("main")
    repo.merge("1.0.x", "Merge branch '1.0.x'")  # the maintenance branch merged back, no release in between
    repo.tag("v1.1.0")
    doc, _ = notes(repo, "v1.1.0")
    assert reasons(doc)[copy] == "backport of #20, listed once"
    assert listed(doc)[orig]["pr"] == 20


# -- item 8: release commits ---------------------------------------------------------
RELEASES = [
    "chore: release v7.6.0",
    "chore(release): 1.2.0",
    "chore(release): publish",
    "Release 1.2.0",
    "release: v8.2.0",
    "v2.34.0.dev1",
    "Bump version to 1.2.0",
    "release version 3.1.0",
    "start version 3.1.1",
    "Bump for release",
    "Bump for development",
    "Prepare release version 9.0.3",
    "[9.0.x] Prepare release version 9.0.3",
    "chore(main): release 1.2.0 (#90)",
]
CHANGES = [
    "Release notes: fix a broken link",
    "fix: release the lock on exit",
    "Release the file handle early",
    "Bump requests from 2.31.0 to 2.32.0",
    "bump version of the schema to 3",
    "feat: v2 API",
    "Start using a faster parser",
]


@pytest.mark.parametrize("title", RELEASES)
def test_release_commit_spellings_are_recognised(title):
    assert RELEASE_COMMIT.match(title)


@pytest.mark.parametrize("title", CHANGES)
def test_changes_that_mention_a_release_are_not_release_commits(title):
    assert not RELEASE_COMMIT.match(title)


def test_release_commits_are_left_out_with_a_reason(repo):
    repo.commit("feat: start")
    repo.tag("v1.0.0")
    release = {repo.commit(title): title for title in RELEASES}
    kept = {repo.commit(title): title for title in CHANGES}
    repo.tag("v1.1.0")
    doc, _ = notes(repo, "v1.1.0")
    accounted(doc, repo, "v1.0.0..v1.1.0")
    assert {sha: reasons(doc).get(sha) for sha in release} == dict.fromkeys(release, "release commit")
    assert set(kept) <= set(listed(doc))


# -- item 9: reverts -----------------------------------------------------------------
def test_a_revert_and_what_it_reverts_cancel_out_in_one_release(repo):
    repo.commit("feat: start", {"f.txt": "1\n"})
    repo.tag("v1.0.0")
    feature = repo.commit("feat: cache lookups (#30)", {"cache.txt": "on\n"})
    undo = revert(repo, feature)
    kept = repo.commit("fix: tidy", {"t.txt": "t\n"})
    repo.tag("v1.1.0")
    doc, _ = notes(repo, "v1.1.0")
    accounted(doc, repo, "v1.0.0..v1.1.0")
    assert reasons(doc)[feature] == f"reverted in this release (by {undo[:7]})"
    assert reasons(doc)[undo] == "reverted in this release (reverts #30)"
    assert list(listed(doc)) == [kept]


def test_a_revert_of_a_revert_leaves_the_original(repo):
    repo.commit("feat: start", {"f.txt": "1\n"})
    repo.tag("v1.0.0")
    feature = repo.commit("feat: parallel download", {"p.txt": "on\n"})
    first = revert(repo, feature)
    second = revert(repo, first)
    repo.tag("v1.1.0")
    doc, _ = notes(repo, "v1.1.0")
    assert list(listed(doc)) == [feature]
    assert set(reasons(doc)) == {first, second}


def test_reverts_of_earlier_releases_keep_revert_in_their_title(repo):
    repo.commit("feat: start", {"f.txt": "1\n"})
    old = repo.commit("fix: sort output by name", {"s.txt": "name\n"})
    repo.tag("v1.0.0")
    revert(repo, old)
    repo.commit("revert: drop the colour flag\n\nRefs: 1234567", {"c.txt": "c\n"})
    repo.commit('[1.0.x] Revert "fix: trim the log (#5) (#6)"', {"l.txt": "l\n"})
    repo.tag("v1.1.0")
    doc, _ = notes(repo, "v1.1.0")
    entries = [e for s in doc["sections"] for e in s["entries"]]
    assert sorted(e["title"] for e in entries) == [
        'Revert "drop the colour flag"',
        'Revert "fix: sort output by name"',
        'Revert "fix: trim the log (#5) (#6)"',  # the branch marker is not part of the title
    ]
    assert {e["type"] for e in entries} == {"revert"}
    assert doc["excluded"] == []
