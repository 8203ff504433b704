"""Semver precedence (§11) and the choice of the previous tag."""

from __future__ import annotations

import pytest
from gitfactory import RepoBuilder

from sovereign import semver
from sovereign.gitrepo import GitRepo
from sovereign.tags import Previous, channel, previous_tag, release_tags, split_tag

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


def choose(tag: str, names: list[str], scheme: str = "semver") -> Previous:
    own = split_tag(tag, scheme)
    assert own is not None
    return previous_tag(tag, own[1], release_tags(tag, names, scheme))


def test_previous_release_is_the_highest_lower_version_ancestor_or_not():
    # v1.0.2 was tagged on a maintenance branch: still the previous release (issue 13).
    names = ["v1.0.0", "v1.1.0-rc.1", "v1.0.1", "v2.0.0", "other-9.9.9", "v1.0.2"]
    assert "other-9.9.9" not in release_tags("v1.1.0", names)
    chosen = choose("v1.1.0", names)
    assert chosen.tag == "v1.0.2", "a stable release skips prereleases"
    assert chosen.reason == "v1.0.2 is the highest release tag below v1.1.0"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("v2.0.0-rc.2", "v2.0.0-rc.1"),  # the same channel first
        ("v2.0.0-rc.1", "v1.9.0"),  # no earlier rc: the last stable, not v2.0.0-beta.3
        ("v2.0.0-beta.3", "v2.0.0-beta.2"),
        ("v2.0.0-alpha.1", "v2.0.0-alpha.0"),
        ("v2.0.0-pre.1", "v1.9.0"),  # a channel of its own: no earlier tag in it
        ("v2.1.0-rc.1", "v2.0.0"),  # a stable release above the channel's last tag wins
        ("v2.0.0", "v1.9.0"),
    ],
)
def test_prerelease_compares_within_its_channel_then_with_the_last_stable(tag, expected):
    names = ["v1.9.0", "v2.0.0-alpha.0", "v2.0.0-beta.2", "v2.0.0-beta.3", "v2.0.0-rc.1", "v2.0.0-rc.2", "v2.0.0"]
    assert choose(tag, names).tag == expected


def test_pep440_channels_read_a_b_rc_and_dev():
    names = ["24.0", "24.1a1", "24.1b1", "24.1b2", "24.1rc1", "24.1.dev0"]
    assert choose("24.1b3", names, "pep440").tag == "24.1b2"
    assert choose("24.1rc2", names, "pep440").tag == "24.1rc1"
    assert choose("24.1a2", names, "pep440").tag == "24.1a1"
    assert choose("24.1", names, "pep440").tag == "24.0"
    assert choose("24.1.dev1", names, "pep440").tag == "24.1.dev0"
    parsed = split_tag("24.1b3", "pep440")
    assert parsed is not None and channel(parsed[1]) == "beta"


def test_first_release():
    chosen = choose("v1.0.0", [])
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
