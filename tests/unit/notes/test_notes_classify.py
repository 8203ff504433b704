"""Classification, grouping and rendering on plain data: no git, no network."""

from __future__ import annotations

import re

import pytest

from sovereign.changelog.render import BODY_LIMIT, Links, Meta, build, full_notes, markdown, truncate
from sovereign.notes.classify import classify, conventional, inspect
from sovereign.notes.config import DEFAULT, parse_config
from sovereign.notes.group import group, introducers
from sovereign.notes.model import Change, Commit, PullRequest


def commit(sha: str, subject: str, body: str = "", parents: tuple[str, ...] = (), author: str = "Ann") -> Commit:
    return Commit(sha.ljust(40, "0"), tuple(p.ljust(40, "0") for p in parents), author, "a@x", 0, subject, body)


def change(subject: str, body: str = "", labels: tuple[str, ...] = (), author: str = "Ann") -> Change:
    c = commit("a", subject, body, author=author)
    return Change([c], PullRequest(7, subject, "u", author, labels, merge_commit=c.sha) if labels else None)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("feat(api)!: drop v1", ("feat", "api", True, "drop v1")),
        ("fix: a bug", ("fix", "", False, "a bug")),
        ("Feature: alias", ("feat", "", False, "alias")),
        ('Revert "feat: x"', ("revert", "", False, 'Revert "feat: x"')),
        ("Update README", ("", "", False, "Update README")),
        ("feat (api): not conventional", ("", "", False, "feat (api): not conventional")),
        # A prefix that is no conventional type is the component it touches.
        ("sentinel: save the report as json", ("", "sentinel", False, "save the report as json")),
        ("net/http: fix a race", ("", "net/http", False, "fix a race")),
        ("pyproject.toml: add a marker", ("", "pyproject.toml", False, "add a marker")),
        ("cmd/go, go/build: share the cache", ("", "cmd/go, go/build", False, "share the cache")),
        ("See https://example.com: docs", ("", "", False, "See https://example.com: docs")),
        # Backport markers in front are not part of the title.
        ("[9.0.x] fix: a bug", ("fix", "", False, "a bug")),
        ("[PR #12/ab12cd34 backport][9.0.x] code: add docstrings", ("", "code", False, "add docstrings")),
        ('[3.12] Revert "feat: x"', ("revert", "", False, 'Revert "feat: x"')),
        ("[refactor] keep this bracket", ("", "", False, "[refactor] keep this bracket")),
    ],
)
def test_conventional(title, expected):
    assert conventional(title) == expected


@pytest.mark.parametrize(
    ("subject", "body", "labels", "breaking", "security"),
    [
        ("feat!: x", "", (), True, False),
        ("refactor: x", "text\n\nBREAKING CHANGE: gone", (), True, False),
        ("refactor: x", "BREAKING-CHANGE: gone", (), True, False),
        ("refactor: x", "not a BREAKING CHANGE: mid-line", (), False, False),
        ("refactor: x", "BREAKING CHANGE the flag is gone", (), True, False),
        ("refactor: x", "intro\nBREAKING-CHANGE: gone", (), True, False),
        ("refactor: x", "breaking change: lower case is prose", (), False, False),
        ("chore(deps): bump step-security/harden-runner from 1 to 2", "security hardening agent", (), False, False),
        ("chore: update SECURITY.md", "", (), False, False),
        ("fix: path check", "Fixes CVE_2024_47081", (), False, True),
        ("fix: path check", "Fixes CVE 2024 47081", (), False, True),
        ("Rework", "", ("breaking-change",), True, False),
        ("fix: x", "See ghsa-2c3f-4g5h-6j7m", (), False, True),
        ("fix: CVE-2024-1234 overflow", "", (), False, True),
        ("fix: x", "GHSA-aaaa-bbbb-cccc is not a valid id", (), False, False),
        ("Harden", "", ("Security",), False, True),
        # A bump's body quotes the package's own notes: only an advisory id there counts.
        ("chore(deps): bump lib from 1 to 2", "Fixes a security vulnerability", (), False, False),
        ("chore(deps): bump lib from 1 to 2", "Release notes", (), False, False),
        ("Bump lib from 1.0 to 1.1", "Patches GHSA-2c3f-4g5h-6j7m", (), False, True),
        ("Update dependency lib to v1.1 [SECURITY]", "", (), False, True),
        ("fix(deps): update lib to 2.0 to close a vulnerability", "", (), False, True),
        ("fix(security): tighten", "", (), False, True),
    ],
)
def test_breaking_and_security(subject, body, labels, breaking, security):
    item = inspect(change(subject, body, labels), DEFAULT)
    assert (item.breaking, item.security) == (breaking, security)


def test_sections_order_overlay_first_and_exclusions_have_reasons():
    changes = [
        change("docs: readme"),
        change("feat: shiny"),
        change("fix!: breaks and fixes"),
        change("fix: GHSA-2c3f-4g5h-6j7m"),
        change("chore: tidy", author="renovate[bot]"),  # a bot's change is a change
        change("chore(deps): bump x from 1 to 2", author="dependabot[bot]"),
        change("feat: hidden", labels=("skip-changelog",)),
        change("chore(release): 1.2.0"),
        change("Something"),
    ]
    result = classify(changes, DEFAULT)
    assert [(t, [i.title for i in items]) for t, items in result.sections] == [
        ("Breaking changes", ["breaks and fixes"]),
        ("Security", ["GHSA-2c3f-4g5h-6j7m"]),
        ("Features", ["shiny"]),
        ("Documentation", ["readme"]),
        ("Dependencies", ["bump x from 1 to 2"]),
        ("Other", ["tidy", "Something"]),
    ]
    assert [x.reason for x in result.excluded] == [
        "label 'skip-changelog' is excluded by built-in defaults",
        "release commit",
    ]


def test_release_yml_first_matching_category_wins_and_unmatched_still_listed():
    config = parse_config(
        "changelog:\n  categories:\n    - title: Feat\n      labels: [enhancement]\n      exclude:\n        labels: [wip]\n",
        "release.yml",
    )
    result = classify([change("a", labels=("enhancement",)), change("b", labels=("enhancement", "wip"))], config)
    assert [(t, [i.title for i in items]) for t, items in result.sections] == [("Feat", ["a"]), ("Other", ["b"])]


def test_merge_owns_the_commits_it_brought_in_even_across_nested_merges():
    # main: r - m1(merge of x1) - m2(merge of y2, whose branch also merged x1's branch)
    r = commit("r", "root")
    x1 = commit("x1", "feat: x", parents=("r",))
    m1 = commit("m1", "Merge pull request #1 from o/x", "X", parents=("r", "x1"))
    y1 = commit("y1", "fix: y", parents=("x1",))
    m2 = commit("m2", "Merge pull request #2 from o/y", "Y", parents=("m1", "y1"))
    commits = [m2, y1, m1, x1]  # r is the previous tag
    owner = introducers(commits, m2.sha)
    assert owner == {x1.sha: m1.sha, y1.sha: m2.sha}
    prs = {m1.sha: PullRequest(1, "X", "u", merge_commit=m1.sha), m2.sha: PullRequest(2, "Y", "u", merge_commit=m2.sha)}
    grouped = group(commits, prs, m2.sha)
    assert [(c.pr.number if c.pr else None, [x.sha[:2] for x in c.commits]) for c in grouped.changes] == [
        (2, ["m2", "y1"]),
        (1, ["m1", "x1"]),
    ]
    assert r.sha not in owner


def test_json_and_markdown_agree_and_escape_untrusted_text():
    evil = change("feat: <img src=x onerror=alert(1)> [link](javascript:alert(1)) @everyone")
    result = classify([evil], DEFAULT)
    links = Links("https://github.com", "o/r")
    meta = Meta("v1.0.0", "1.0.0", None, "first", "o/r", "2026-01-01T00:00:00Z", "git")
    doc = build(meta, result, [], 1, links)
    text = markdown(doc, set())
    assert doc["sections"][0]["entries"][0]["title"].startswith("<img")
    assert not re.search(r"(?<!\\)<img", text) and not re.search(r"(?<!\\)\]\(javascript", text)
    assert "\\<img" in text and "`@everyone`" in text


def test_truncate_stays_below_githubs_limit_with_a_link():
    body = "\n".join(f"- line {i}" for i in range(40_000))
    cut = truncate(body, full_notes("https://github.com/o/r/actions/runs/1", "changelog-v1.md"))
    assert len(cut) < BODY_LIMIT
    assert cut.endswith("[full notes](https://github.com/o/r/actions/runs/1#artifacts)\n")
    assert truncate("short", "x") == "short"


def test_without_a_run_the_cut_names_the_artifact_file_never_an_empty_link():
    where = full_notes("", "changelog-v1_2.md")
    assert where == "the full notes are in changelog-v1_2.md, among the changelog stage's artifacts"
    cut = truncate("- x\n" * 100, where, limit=200)
    assert cut.endswith(where + "\n") and "]()" not in cut and len(cut) < 200


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Update README", False),
        ("chore: bump the timeout to 30s", False),
        ("feat: update rolldown-related dependencies", False),  # typed a feature by its author: stays one
    ]
    + [
        (title, True)
        for title in (
            "Bump the github-actions group with 3 updates",
            "Bump the pip group across 1 directory with 2 updates",
            "chore(deps): update dependency left-pad to v2",
            "Update all non-major dependencies",
            "update actions/checkout action to v5",
            "Update actions/setup-node digest to 1a2b3c",
            "[pre-commit.ci] pre-commit autoupdate",
            "Lock file maintenance",
            "build(deps-dev): bump vitest from 1.0.0 to 1.1.0",
        )
    ],
)
def test_dependency_updates_go_under_dependencies(title, expected):
    assert inspect(change(title), DEFAULT).dependency is expected


def test_loose_advisory_ids_are_normalised():
    item = inspect(change("fix: CVE 2024 47081 and cve_2023_1234 and GHSA-2C3F-4G5H-6J7M"), DEFAULT)
    assert item.advisories == ["CVE-2023-1234", "CVE-2024-47081", "GHSA-2c3f-4g5h-6j7m"]


def test_an_advisory_merge_is_security_and_owns_its_commits():
    fix = commit("f1", "check the key order", parents=("r",))
    merge = commit("m1", "Merge commit from fork", parents=("r", "f1"))
    grouped = group([merge, fix], {}, merge.sha)
    assert grouped.bare_merges == [] and [c.sha[:2] for c in grouped.changes[0].commits] == ["m1", "f1"]
    item = inspect(grouped.changes[0], DEFAULT)
    assert (item.title, item.security, item.breaking) == ("check the key order", True, False)
    look_alike = commit("m2", "Merge commit from fork (#4)", parents=("r", "f1"))
    assert not inspect(Change([look_alike]), DEFAULT).security, "exactly GitHub's message, nothing else"


def test_exclude_authors_names_a_bot_with_or_without_its_suffix():
    config = parse_config("changelog:\n  exclude:\n    authors: [renovate]\n", "release.yml")
    result = classify([change("chore(deps): update x", author="renovate[bot]"), change("fix: y")], config)
    assert [x.reason for x in result.excluded] == ["author 'renovate[bot]' is excluded by release.yml"]
