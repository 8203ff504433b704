"""The bump rule and the version arithmetic of notes/bump.py, on classified changes."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest

from sovereign import semver, tags
from sovereign.notes import bump
from sovereign.notes.classify import classify
from sovereign.notes.config import DEFAULT, parse_config
from sovereign.notes.model import Change, Commit, PullRequest


def change(subject: str, body: str = "", labels: tuple[str, ...] = ()) -> Change:
    commit = Commit(hashlib.sha1(subject.encode()).hexdigest(), ("p",), "Ann", "a@x", 1, subject, body)
    pr = PullRequest(7, subject, "https://x/pull/7", "ann", labels) if labels else None
    return Change([commit], pr)


def needed(*changes: Change, previous: str | None = "1.2.3", config=DEFAULT) -> bump.Bump:
    version = semver.parse(previous) if previous else None
    return bump.needed(classify(list(changes), config), config, version)


@pytest.mark.parametrize(
    ("subjects", "level"),
    [
        (["fix: a crash"], "patch"),
        (["docs: typo", "chore: tidy"], "patch"),
        (["fix: a crash", "feat: widgets"], "minor"),
        (["feat!: drop the old API", "feat: widgets"], "major"),
        (["refactor: rename\n\nBREAKING CHANGE: key renamed"], "major"),
        ([], "none"),
        (["chore(release): v1.2.3"], "none"),  # left out of the notes: nothing listed
    ],
)
def test_the_bump_follows_the_weightiest_listed_change(subjects, level):
    changes = [change(*s.split("\n\n", 1)) for s in subjects]
    assert needed(*changes).level == level


def test_the_changes_that_decided_are_named():
    fix, feat, breaking = change("fix: a"), change("feat: b"), change("perf!: c")
    decided = needed(fix, feat, breaking)
    assert [i.change for i in decided.deciding] == [breaking]
    assert decided.why == "1 breaking change"
    assert [i.change for i in needed(fix, feat).deciding] == [feat]
    assert {i.change.title for i in needed(fix, change("docs: d")).deciding} == {"fix: a", "docs: d"}
    assert needed(fix, feat, change("feat: e")).why == "2 features"
    assert needed(fix).why == "1 change, none of them a feature or breaking"


def test_a_label_mapped_to_minor_is_a_feature():
    assert needed(change("Add widgets", labels=("enhancement",))).level == "minor"
    config = parse_config("changelog:\n  feature-labels: [shiny]\n", "sovereign.yml")
    assert needed(change("Add widgets", labels=("shiny",)), config=config).level == "minor"
    assert needed(change("Add widgets", labels=("enhancement",)), config=config).level == "patch"


def test_breaking_is_minor_while_major_is_zero_unless_configured():
    breaking = change("feat!: new API")
    assert needed(breaking, previous="0.4.1").level == "minor"
    assert "while the major version is 0" in needed(breaking, previous="0.4.1").why
    assert needed(breaking, previous=None).level == "minor"  # a first release is 0.x too
    strict = replace(DEFAULT, breaking_in_0x="major")
    assert needed(breaking, previous="0.4.1", config=strict).level == "major"
    assert parse_config("changelog:\n  breaking-in-0x: major\n", "f").breaking_in_0x == "major"


def test_breaking_in_0x_takes_only_minor_or_major():
    with pytest.raises(Exception, match=r"f line 2: 'changelog.breaking-in-0x' must be minor or major, got 'huge'"):
        parse_config("changelog:\n  breaking-in-0x: huge\n", "f")


@pytest.mark.parametrize(
    ("previous", "level", "expected"),
    [
        ("1.2.3", "patch", "1.2.4"),
        ("1.2.3", "minor", "1.3.0"),
        ("1.2.3", "major", "2.0.0"),
        ("0.4.1", "minor", "0.5.0"),
        ("1.3.0-rc.1", "patch", "1.3.0"),  # the prerelease already counts towards 1.3.0
        ("1.3.0-rc.1", "minor", "1.3.0"),
        ("1.3.1-rc.1", "minor", "1.4.0"),
        ("2.0.0-rc.1", "major", "2.0.0"),
        ("2.1.0-rc.1", "major", "3.0.0"),
        (None, "patch", "0.1.0"),
        (None, "minor", "0.1.0"),
        (None, "major", "1.0.0"),
    ],
)
def test_next_semver_version(previous, level, expected):
    version = semver.parse(previous) if previous else None
    assert str(bump.next_version(version, level, "semver")) == expected


@pytest.mark.parametrize(
    ("previous", "level", "expected"),
    [("26.2", "minor", "26.3"), ("26.2", "patch", "26.2.1"), ("26.2", "major", "27.0"), ("1.2.3", "minor", "1.3.0")],
)
def test_next_pep440_version_keeps_its_components(previous, level, expected):
    assert str(bump.next_version(tags.parse_version(previous, "pep440"), level, "pep440")) == expected


def test_nothing_to_release_has_no_next_version_or_tag():
    assert bump.next_version(semver.parse("1.2.3"), "none", "semver") is None
    assert bump.next_tag("v", None) == ""


def test_next_tag_keeps_the_prefix():
    assert bump.next_tag("app-v", semver.parse("1.3.0")) == "app-v1.3.0"


@pytest.mark.parametrize(
    ("previous", "version", "level"),
    [("1.2.3", "2.0.0", "major"), ("1.2.3", "1.3.0", "minor"), ("1.2.3", "1.2.4", "patch"), ("1.2.3", "1.2.3", "none")],
)
def test_the_bump_between_two_releases(previous, version, level):
    assert bump.between(semver.parse(previous), semver.parse(version)) == level


def test_rank_orders_the_levels():
    assert [bump.rank(x) for x in ("none", "patch", "minor", "major")] == [0, 1, 2, 3]
    assert str(bump.stable(semver.parse("2.0.0-rc.1"))) == "2.0.0"
    assert str(bump.stable(tags.parse_version("2.0rc1", "pep440"))) == "2.0"


def test_release_drafters_version_resolver_decides_by_label_and_default():
    from sovereign.notes.config import VersionResolver

    resolver = VersionResolver(major=("major",), minor=("minor",), patch=("patch",), default="minor")
    config = replace(DEFAULT, version_resolver=resolver, feature_labels=resolver.minor)
    assert needed(change("fix: one", labels=("patch",)), config=config).level == "patch"
    found = needed(change("fix: one", labels=("patch",)), change("docs: two"), config=config)
    assert (found.level, len(found.deciding)) == ("minor", 1)
    assert "version-resolver default: minor" in found.why
    assert needed(change("chore: three", labels=("minor",)), config=config).level == "minor"
    assert needed(change("docs: two"), config=DEFAULT).level == "patch", "without a resolver, the rule is unchanged"
