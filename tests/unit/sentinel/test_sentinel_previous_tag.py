"""The sentinel's ``previous-tag`` on histories with maintenance branches: the changelog's rule (issue 13)."""

from __future__ import annotations

import pytest
from changelog_scenario import run_stage
from gitfactory import RepoBuilder
from maintenance_history import cherry_pick, maintenance
from sentinel_runner import run_sentinel


def test_previous_tag_is_the_maintenance_release_not_the_highest_ancestor(repo):
    maintenance(repo)
    result = run_sentinel(repo.path, {"tag": "v9.1.0"})
    assert result.result("require-newer") == "pass", result.log
    assert result.outputs["previous-tag"] == "v9.0.1", "v9.0.0 is the highest ancestor; v9.0.1 the previous release"
    assert "v9.0.1 is the highest release tag below v9.1.0" in result.check("require-newer")["reason"]


def several_lines(repo: RepoBuilder) -> None:
    """9.0.x and 9.1.x maintenance branches, prereleases of 9.2.0 on main, and a release candidate channel."""
    repo.commit("feat: base")
    repo.tag("v9.0.0")
    repo.branch("9.0.x")
    fix = repo.commit("fix: one", {"one.txt": "1"})
    repo.tag("v9.1.0")
    repo.branch("9.1.x")
    repo.commit("feat: two", {"two.txt": "2"})
    repo.tag("v9.2.0-beta.1")
    repo.commit("feat: three", {"three.txt": "3"})
    repo.tag("v9.2.0-rc.1")
    repo.checkout("9.0.x")
    cherry_pick(repo, fix)
    repo.tag("v9.0.1")
    repo.checkout("9.1.x")
    repo.commit("fix: four", {"four.txt": "4"})
    repo.tag("v9.1.1")
    repo.checkout("main")
    repo.commit("fix: five", {"five.txt": "5"})
    repo.tag("v9.2.0-rc.2")
    repo.commit("docs: six", {"six.txt": "6"})
    repo.tag("v9.2.0")


@pytest.mark.parametrize(
    ("tag", "previous"),
    [
        ("v9.2.0", "v9.1.1"),  # a stable release: the highest lower stable, on the 9.1.x branch
        ("v9.2.0-rc.2", "v9.2.0-rc.1"),  # the same channel first
        ("v9.2.0-rc.1", "v9.1.1"),  # no earlier rc: the last stable, not v9.2.0-beta.1
        ("v9.1.1", "v9.1.0"),
        ("v9.0.1", "v9.0.0"),
    ],
)
def test_sentinel_and_changelog_name_the_same_previous_release(repo, tag, previous):
    several_lines(repo)
    gate = run_sentinel(repo.path, {"tag": tag, "require-newer": "false", "allow-prerelease": "true"})
    assert gate.outputs["previous-tag"] == previous, gate.log
    code, lines, step = run_stage(repo.path, tag=tag, source="git")
    assert code == 0, lines
    assert step.outputs["previous-tag"] == previous
