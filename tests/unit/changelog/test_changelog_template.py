"""Notes laid out by templates: release-drafter's config with labels from the API, every placeholder,
literal substitution, escapes, collapse-after, sorting, and the release's name from name-template."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses
from changelog_scenario import run_stage
from gitfactory import RepoBuilder
from test_changelog_api import FakeGitHub, pr, run_api

from sovereign import semver
from sovereign.changelog.template import next_versions
from sovereign.release import load

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "changelog" / "release-drafter.yml"


def labelled_release(repo: RepoBuilder, config: str, path: str = ".github/release-drafter.yml") -> dict[str, dict]:
    """v1.0.0, then squash-merged pull requests with labels, one left-out PR and one direct push; v1.1.0."""
    repo.commit("chore: start", files={path: config})
    repo.tag("v1.0.0")
    table: dict[str, dict] = {}
    prs = [
        (10, "Add a widget catalogue", ("kind: addition",), "carol"),
        (11, "Fix the parser on empty input", ("kind: repair",), "dave"),
        (12, "Remove the v1 endpoints", ("kind: incompatible",), "erin"),
        (13, "Bump alpha from 1.0 to 1.1", ("kind: deps",), "carol"),
        (14, "Bump beta from 2.0 to 2.1", ("kind: deps",), "carol"),
        (15, "Bump gamma from 3.0 to 3.1", ("kind: deps",), "carol"),
        (16, "Tidy the internals", ("no-notes",), "dave"),
    ]
    for number, title, labels, author in prs:
        sha = repo.commit(f"{title} (#{number})", author=f"{author.title()} <{author}@example.com>")
        table[sha] = pr(number, title, sha, labels, author=author, body=f"Body of #{number}.")
    repo.commit("Reword the readme", author="Alice Example <alice@example.com>")
    repo.tag("v1.1.0")
    return table


@responses.activate
def test_release_drafter_config_renders_with_its_categories_and_change_template(repo):
    table = labelled_release(repo, FIXTURE.read_text(encoding="utf-8"))
    fake = FakeGitHub(repo.path, table, users={})  # direct commits: no GitHub user linked
    fake.install(responses.mock)
    code, lines, step = run_api(repo.path, tag="v1.1.0", **{"publish-release": "true"})
    assert code == 0, lines
    notes = Path(step.outputs["markdown-file"]).read_text(encoding="utf-8")
    assert notes == (
        "# What changed in this release\n\n"
        "## Breaking changes\n\n"
        "- Remove the v1 endpoints @erin (#12)\n\n"
        "## Added\n\n"
        "- Add a widget catalogue @carol (#10)\n\n"
        "## Repaired\n\n"
        "- Fix the parser on empty input @dave (#11)\n\n"
        "## Everything else\n\n"
        f"- Reword the readme @<!---->Alice Example (#{repo.head()[:7]})\n\n"
        "## Third-party updates\n\n"
        "<details>\n<summary>3 changes</summary>\n\n"
        "- Bump gamma from 3.0 to 3.1 @carol (#15)\n"
        "- Bump beta from 2.0 to 2.1 @carol (#14)\n"
        "- Bump alpha from 1.0 to 1.1 @carol (#13)\n"
        "</details>\n\n"
        "Thanks to @erin, @carol, @dave and <!---->Alice Example.\n\n"
        "**Everything since the last release**: https://github.com/octo/widget/compare/v1.0.0...v1.1.0\n"
    )
    assert "Tidy the internals" not in notes, "exclude-labels"
    assert step.outputs["markdown"] == notes
    assert fake.writes[0][1]["name"] == "Widget v1.1.0" and fake.writes[0][1]["tag_name"] == "v1.1.0"
    assert fake.writes[0][1]["body"] == notes
    notices = [line for line in lines if line.startswith("::notice")]
    assert notices == [
        "::notice title=changelog::.github/release-drafter.yml: Sovereign does not implement autolabeler, "
        "filter-by-commitish: ignored (see changelog/README.md)"
    ]
    doc = load(step.outputs["json-file"])
    assert doc["stats"]["breaking"] == 1, "version-resolver's major label marks the change breaking"


@responses.activate
def test_include_labels_sort_and_replacers(repo):
    config = (
        "template: '$CHANGES'\n"
        "change-template: '* $TITLE'\n"
        "include-labels: ['kind: deps', 'kind: repair']\n"
        "sort-by: title\nsort-direction: ascending\n"
        "categories:\n  - title: All\n    labels: ['kind: deps', 'kind: repair']\n"
        "replacers:\n  - search: '/Bump (\\w+)/g'\n    replace: 'Update $1'\n"
    )
    FakeGitHub(repo.path, labelled_release(repo, config), users={}).install(responses.mock)
    code, lines, step = run_api(repo.path, tag="v1.1.0")
    assert code == 0, lines
    assert step.outputs["markdown"] == (
        "## All\n\n"
        "* Update alpha from 1.0 to 1.1\n"
        "* Update beta from 2.0 to 2.1\n"
        "* Update gamma from 3.0 to 3.1\n"
        "* Fix the parser on empty input\n"
    ), "sorted by the titles before the replacers rewrite them, as release-drafter does"
    excluded = load(step.outputs["json-file"])["excluded"]
    assert {x["reason"] for x in excluded if x["pr"] in (10, 12)} == {
        "no label listed in include-labels of .github/release-drafter.yml"
    }


@responses.activate
def test_every_placeholder_and_literal_substitution(repo):
    config = (
        "changelog:\n"
        "  template: |\n"
        "    [$OWNER/$REPOSITORY] $PREVIOUS_TAG -> $RESOLVED_VERSION"
        " (next: $NEXT_MAJOR_VERSION $NEXT_MINOR_VERSION $NEXT_PATCH_VERSION)\n"
        "    compare: $COMPARE_URL\n"
        "    breaking:\n    $BREAKING\n"
        "    security:\n    $SECURITY\n"
        "    changes:\n    $CHANGES\n"
        "    by: $CONTRIBUTORS\n"
        "  change-template: '* $SCOPE|$TITLE|$NUMBER|$AUTHOR|$URL|$BODY'\n"
    )
    repo.commit("chore: start", files={".github/sovereign.yml": config})
    repo.tag("v1.4.2")
    hostile = "fix(ui)!: show $BODY and ${{ secrets.X }} and $TITLE"
    sha = repo.commit(f"{hostile} (#20)", author="Carol <carol@example.com>")
    table = {sha: pr(20, hostile, sha, author="carol", body="the $TITLE of ${{ secrets.TOKEN }}")}
    ghsa = repo.commit("fix: reject bad paths\n\nFixes GHSA-2c3f-4g5h-6j7m.", author="Bob <bob@example.com>")
    repo.commit("feat: add a thing", author="Bob <bob@example.com>")
    repo.tag("v1.5.0")
    FakeGitHub(repo.path, table, users={}).install(responses.mock)
    code, lines, step = run_api(repo.path, tag="v1.5.0")
    assert code == 0, lines
    base = "https://github.example.com/octo/widget"
    assert step.outputs["markdown"] == (
        "[octo/widget] v1.4.2 -> 1.5.0 (next: 2.0.0 1.5.0 1.4.3)\n"
        f"compare: {base}/compare/v1.4.2...v1.5.0\n"
        "breaking:\n"
        rf"* ui|show $BODY and $\{{\{{ secrets.X \}}\}} and $TITLE|20|carol|{base}/pull/20|"
        r"the $TITLE of $\{\{ secrets.TOKEN \}\}" + "\n"
        "security:\n"
        f"* |reject bad paths|{ghsa[:7]}|<!---->Bob|{base}/commit/{ghsa}|Fixes GHSA-2c3f-4g5h-6j7m.\n"
        "changes:\n"
        "### Features\n\n"
        f"* |add a thing|{repo.head()[:7]}|<!---->Bob|{base}/commit/{repo.head()}|\n"
        "by: @carol and <!---->Bob\n"
    ), "$BREAKING and $SECURITY placed by the template are not listed again in $CHANGES"
    assert "secrets.TOKEN }}" not in step.outputs["markdown"]


def test_change_title_escapes_and_mentions(repo):
    config = "template: $CHANGES\nchange-template: '- $TITLE'\nchange-title-escapes: '\\<*_&#@'\n"
    repo.commit("chore: start", files={".github/release-drafter.yml": config})
    repo.tag("v1.0.0")
    repo.commit("Fix a_b & c for @octo/team in #3")
    repo.tag("v1.0.1")
    code, lines, step = run_stage(repo.path, tag="v1.0.1", source="git")
    assert code == 0, lines
    line = step.outputs["markdown"].splitlines()[-1]
    assert line.startswith("- Fix a\\_b \\& c for @<!---->octo/team in \\#<!---->3"), line


def test_no_changes_template(repo):
    repo.commit("chore: start", files={".github/release-drafter.yml": "template: 'v$RESOLVED_VERSION: $CHANGES'\n"})
    repo.tag("v1.0.0")
    repo.commit("chore(release): v1.0.1")
    repo.tag("v1.0.1")
    code, lines, step = run_stage(repo.path, tag="v1.0.1", source="git")
    assert code == 0, lines
    assert step.outputs["markdown"] == "v1.0.1: * No changes\n"


@pytest.mark.parametrize(
    ("previous", "expected"),
    [
        (None, ("1.0.0", "0.1.0", "0.0.1")),
        ("1.2.3", ("2.0.0", "1.3.0", "1.2.4")),
        ("1.2.0-rc.1", ("2.0.0", "1.2.0", "1.2.0")),
        ("2.0.0-beta.1", ("2.0.0", "2.0.0", "2.0.0")),
    ],
)
def test_next_versions_follow_semver_inc(previous, expected):
    version = semver.parse(previous) if previous else None
    found = next_versions(version)
    assert (found["NEXT_MAJOR_VERSION"], found["NEXT_MINOR_VERSION"], found["NEXT_PATCH_VERSION"]) == expected
