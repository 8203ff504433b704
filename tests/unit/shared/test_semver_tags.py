"""Semver precedence (§11) and the choice of the previous tag."""

from __future__ import annotations

import pytest
from gitfactory import RepoBuilder

from sovereign import semver
from sovereign.gitrepo import GitRepo
from sovereign.tags import previous_tag, release_tags

# semver.org §11's own example, in ascending order.
ORDERED = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "2.0.0",
]


def test_precedence_follows_semver_section_11():
    versions = [semver.parse(v) for v in ORDERED]
    assert all(versions)
    assert sorted(reversed(versions)) == versions  # type: ignore[type-var]


def test_build_metadata_is_ignored():
    assert semver.parse("1.0.0+build.5") == semver.parse("1.0.0")


@pytest.mark.parametrize("bad", ["1.2", "01.2.3", "1.2.3-01", "1.2.٣", "1.2.3\n", "v1.2.3", "1.2.3-", "1.2.3+"])
def test_strict_parse(bad):
    assert semver.parse(bad) is None


def test_from_tag_and_split():
    assert semver.split_tag("pkg-a-1.2.3-rc.1") == ("pkg-a-", semver.parse("1.2.3-rc.1"))
    assert semver.from_tag("v01.2.3") is None


def test_previous_release_skips_prereleases_and_non_ancestors():
    names = ["v1.0.0", "v1.1.0-rc.1", "v1.0.1", "v2.0.0", "other-9.9.9", "v1.0.2"]
    candidates = release_tags("v1.1.0", names)
    assert "other-9.9.9" not in candidates
    ancestors = {"v1.0.0", "v1.0.1", "v1.1.0-rc.1"}  # v1.0.2 was tagged on a side branch
    chosen = previous_tag("v1.1.0", semver.parse("1.1.0"), candidates, ancestors.__contains__)  # type: ignore[arg-type]
    assert chosen.tag == "v1.0.1"
    assert "skipped v1.0.2" in chosen.reason


def test_prerelease_compares_with_any_kind():
    candidates = release_tags("v1.1.0-rc.2", ["v1.0.0", "v1.1.0-rc.1"])
    chosen = previous_tag("v1.1.0-rc.2", semver.parse("1.1.0-rc.2"), candidates, lambda _: True)  # type: ignore[arg-type]
    assert chosen.tag == "v1.1.0-rc.1"


def test_first_release():
    chosen = previous_tag("v1.0.0", semver.parse("1.0.0"), {}, lambda _: True)  # type: ignore[arg-type]
    assert chosen.tag is None and "first release" in chosen.reason


def test_git_tags_are_peeled(repo: RepoBuilder):
    first = repo.commit("one")
    repo.tag("v1.0.0", annotated=True)
    repo.tag("v1.0.1")
    second = repo.commit("two")
    git = GitRepo(repo.path)
    tags = git.tags()
    assert tags["v1.0.0"].commit == first and tags["v1.0.0"].annotated
    assert tags["v1.0.1"].commit == first and not tags["v1.0.1"].annotated
    assert git.commit_of("v1.0.0") == first and git.commit_of("HEAD") == second
    assert git.commit_of("--help") is None and git.commit_of("nope") is None
    assert git.is_ancestor("v1.0.0", "HEAD") and not git.is_ancestor("HEAD", "v1.0.0")
    assert not git.is_shallow()
