"""Patterns found on real repositories (docs/field-report.md), rebuilt in generated ones, git mode.

Every text here is our own; only the shapes are the real ones: a backport
bot's branch merged by a person, Dependabot groups and Renovate updates,
GitHub's private-advisory merge, merges titled by the pull request, merges
with empty bodies, component prefixes, backport markers, loose CVE ids.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from changelog_scenario import run_stage
from gitfactory import RepoBuilder

from sovereign.release import load

HUMAN = "Nora Quill <nora@example.com>"
MAINTAINER = "Otto Vance <otto@example.com>"
DEPENDABOT = "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"
RENOVATE = "renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>"
PRECOMMIT = "pre-commit-ci[bot] <66853113+pre-commit-ci[bot]@users.noreply.github.com>"
BACKPORTER = "backporter[bot] <45432694+backporter[bot]@users.noreply.github.com>"
NOREPLY_BOT = "helper <777+helper[bot]@users.noreply.github.com>"  # a bot known by its address only


def side(repo: RepoBuilder, branch: str, *commits: tuple[str, str]) -> list[str]:
    """Commits on a new branch from HEAD; back on main after."""
    repo.branch(branch)
    repo.checkout(branch)
    shas = [repo.commit(message, author=author) for message, author in commits]
    repo.checkout("main")
    return shas


def field_history(repo: RepoBuilder) -> dict[str, str]:
    shas: dict[str, str] = {}
    repo.commit("chore: start", author=MAINTAINER)
    repo.tag("v2.0.0")
    # A backport bot's branch, merged by a person: the PR title (merge body) carries the bot's markers.
    side(
        repo,
        "backports",
        (
            "docs: explain the cache option\n\n(cherry picked from commit "
            + "ab" * 20
            + ")\n\nCo-authored-by: Ira Penn <1234+irapenn@users.noreply.github.com>",
            BACKPORTER,
        ),
    )
    shas["backport"] = repo.merge(
        "backports",
        "Merge pull request #41 from octo/backporter/backports/2.0.x/abab/pr-40\n\n"
        "[PR #40/abababab backport][2.0.x] docs: explain the cache option",
    )
    # Dependabot's grouped update, merged with an empty merge body.
    side(repo, "dependabot/github_actions/actions-1f2e", ("Bump the actions group with 2 updates", DEPENDABOT))
    shas["group"] = repo.merge(
        "dependabot/github_actions/actions-1f2e", "Merge pull request #50 from octo/dependabot/x"
    )
    shas["renovate"] = repo.commit("chore(deps): update dependency left-pad to v2 (#51)", author=RENOVATE)
    shas["renovate-all"] = repo.commit("Update all non-major dependencies (#52)", author=RENOVATE)
    shas["precommit"] = repo.commit("[pre-commit.ci] pre-commit autoupdate (#53)", author=PRECOMMIT)
    shas["regenerate"] = repo.commit("chore: regenerate the plugin list", author=NOREPLY_BOT)
    shas["harden"] = repo.commit(
        "chore(deps): bump step-security/harden-runner from 2.1 to 2.2 (#54)", author=DEPENDABOT
    )
    shas["fixdeps"] = repo.commit("fix(deps): raise the floor of tomlkit to 0.13 (#55)", author=HUMAN)
    # GitHub's merge of a private advisory fork: once with a body, once with an empty one.
    side(repo, "advisory-1", ("sessions: pick the newest signing key", HUMAN))
    shas["fork"] = repo.merge("advisory-1", "Merge commit from fork\n\nSessions: use the newest signing key first")
    side(repo, "advisory-2", ("reject a path that escapes the upload folder", HUMAN))
    shas["fork-bare"] = repo.merge("advisory-2", "Merge commit from fork")
    shas["loose-cve"] = repo.commit("fix: refuse symlinked archives (CVE 2024 47081, CVE_2024_47082)", author=HUMAN)
    # A merge titled by the pull request, as GitHub writes it when set to "pull request title".
    shas["titled"] = side(repo, "ping", ("add the command", HUMAN), ("test the command", HUMAN))[0]
    shas["titled-merge"] = repo.merge("ping", "add a `ping` command (#60)")
    # Merges with empty bodies: one commit (its subject), two commits (the branch, readable).
    side(repo, "one", ("keep the cache warm between runs", HUMAN))
    shas["one"] = repo.merge("one", "Merge pull request #61 from nora/keep-warm")
    side(repo, "two", ("first half", HUMAN), ("second half", HUMAN))
    shas["two"] = repo.merge("two", "Merge pull request #62 from nora/fix-empty-config")
    # A bot's squash whose own title is a merge title: the body's first line names it.
    shas["squash-merge"] = repo.commit(
        "Merge pull request #30 from nora/tidy (#63)\n\nTidy the config loader\n\nCo-authored-by: " + HUMAN,
        author=BACKPORTER,
    )
    # Breaking commits inside a merged branch, written the ways people write them.
    side(
        repo,
        "v3-api",
        ("feat(api)!: drop the v1 routes", HUMAN),
        ("refactor: rename the flag\n\nBREAKING-CHANGE the `--fast` flag is now `--quick`", HUMAN),
        ("chore: tidy\n\nBREAKING CHANGE: `timeout` is in seconds now", HUMAN),
    )
    shas["breaking"] = repo.merge("v3-api", "Merge pull request #64 from nora/v3-api\n\nNew API routes")
    # Component prefixes and backport markers.
    shas["component"] = repo.commit("sentinel: save the report as json", author=MAINTAINER)
    shas["go"] = repo.commit("net/http: fix a header race", author=MAINTAINER)
    shas["marked"] = repo.commit("[2.0.x] cli: keep the --verbose flag", author=MAINTAINER)
    shas["marked-deps"] = repo.commit(
        "[PR #7/abcdef12 backport][2.0.x] build(deps): bump attrs from 23 to 24", author=HUMAN
    )
    # Text that must reach Markdown intact and inert.
    shas["text"] = repo.commit(
        "fix: accept `--with-commit` for snake_case_name, ping @acme/all-engineers and @someone", author=HUMAN
    )
    repo.tag("v2.1.0")
    return shas


@pytest.fixture(scope="module")
def field(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Any, str]:
    repo = RepoBuilder(tmp_path_factory.mktemp("field") / "repo")
    shas = field_history(repo)
    code, lines, step = run_stage(repo.path, tag="v2.1.0", source="git")
    assert code == 0, lines
    doc = load(step.outputs["json-file"])
    return shas, doc, Path(step.outputs["markdown-file"]).read_text(encoding="utf-8")


def entries(doc: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    return {e["commit"]: (s["title"], e) for s in doc["sections"] for e in s["entries"]}


def test_bots_changes_are_listed_in_their_section_never_as_contributors(field):
    shas, doc, notes = field
    found = entries(doc)
    section, backport = found[shas["backport"]]
    assert (section, backport["pr"], backport["title"], backport["type"]) == (
        "Documentation",
        41,
        "explain the cache option",
        "docs",
    )
    assert found[shas["group"]][0] == "Dependencies"
    assert found[shas["group"]][1]["title"] == "Bump the actions group with 2 updates"
    for name in ("renovate", "renovate-all", "precommit", "harden"):
        assert found[shas[name]][0] == "Dependencies", name
    assert found[shas["regenerate"]][0] == "Other", "a bot's chore is a change too"
    assert not any("bot" in x["reason"] for x in doc["excluded"])
    assert "Ira Penn" in doc["contributors"], "a Co-authored-by trailer is credited"
    assert not [n for n in doc["contributors"] if "bot" in n or n == "helper"]
    assert "@dependabot" not in notes and "by dependabot[bot]" in notes, "a bot is named, never mentioned"


def test_fix_deps_keeps_its_type_and_goes_under_dependencies(field):
    shas, doc, _ = field
    section, entry = entries(doc)[shas["fixdeps"]]
    assert (section, entry["type"], entry["scope"]) == ("Dependencies", "fix", "deps")


def test_security_is_precise_advisory_merges_and_loose_cve_ids(field):
    shas, doc, notes = field
    found = entries(doc)
    section, fork = found[shas["fork"]]
    assert (section, fork["title"], fork["scope"], fork["security"]) == (
        "Security",
        "use the newest signing key first",
        "Sessions",
        True,
    )
    assert fork["commits"][0] == shas["fork"] and len(fork["commits"]) == 2, "the merge owns the fix"
    bare = found[shas["fork-bare"]][1]
    assert (bare["title"], bare["security"]) == ("reject a path that escapes the upload folder", True)
    assert not any(x["commit"] in (shas["fork"], shas["fork-bare"]) for x in doc["excluded"])
    assert found[shas["loose-cve"]][1]["advisories"] == ["CVE-2024-47081", "CVE-2024-47082"]
    assert not found[shas["harden"]][1]["security"], "step-security/harden-runner is a name, not a fix"
    assert doc["stats"]["security"] == 3
    security = notes.split("### 🔒 Security", 1)[1].split("###", 1)[0]
    assert "🔒" not in security, "no marker repeated under its own heading"


def test_merges_are_titled_by_what_they_merged_never_boilerplate(field):
    shas, doc, notes = field
    found = entries(doc)
    titled = found[shas["titled-merge"]][1]
    assert (titled["pr"], titled["title"], titled["how"], len(titled["commits"])) == (
        60,
        "add a `ping` command",
        "merge commit",
        3,
    )
    assert found[shas["one"]][1]["title"] == "keep the cache warm between runs"
    assert found[shas["two"]][1]["title"] == "fix empty config"
    assert found[shas["group"]][1]["pr"] == 50
    assert found[shas["squash-merge"]][1]["title"] == "Tidy the config loader"
    assert "Merge pull request" not in notes.split("<details>")[0]
    assert "Merge commit" not in notes.split("<details>")[0]


def test_a_merged_branch_with_a_breaking_commit_is_breaking_and_says_why(field):
    shas, doc, notes = field
    section, merge = entries(doc)[shas["breaking"]]
    assert (section, merge["title"], merge["breaking"]) == ("Breaking changes", "New API routes", True)
    assert merge["breaking_notes"] == [  # type: ignore[typeddict-item]
        "`timeout` is in seconds now",
        "the `--fast` flag is now `--quick`",
        "drop the v1 routes",
    ]
    block = notes.split("### ⚠️ Breaking changes", 1)[1].split("###", 1)[0]
    assert "  - the `--fast` flag is now `--quick`" in block and "⚠️" not in block


def test_component_prefixes_are_scopes_and_backport_markers_go(field):
    shas, doc, notes = field
    found = entries(doc)
    assert {k: (found[shas[k]][1]["scope"], found[shas[k]][1]["title"]) for k in ("component", "go", "marked")} == {
        "component": ("sentinel", "save the report as json"),
        "go": ("net/http", "fix a header race"),
        "marked": ("cli", "keep the --verbose flag"),
    }
    assert found[shas["marked-deps"]][0] == "Dependencies"
    assert "- **sentinel:** save the report as json" in notes


def test_markdown_keeps_code_and_words_and_neutralises_mentions(field):
    shas, doc, notes = field
    line = next(x for x in notes.splitlines() if "snake_case_name" in x)
    assert line.startswith("- accept `--with-commit` for snake_case_name, ping `@acme/all-engineers` and `@someone`")
    assert "\\(" not in notes and "\\_" not in notes and "\\`" not in notes
    assert entries(doc)[shas["text"]][1]["title"].endswith("@acme/all-engineers and @someone"), "the JSON is as written"


def test_one_of_each_is_singular_and_a_configured_bot_is_left_out(tmp_path):
    repo = RepoBuilder(tmp_path / "repo")
    repo.commit("chore: start", author=MAINTAINER)
    repo.tag("v1.0.0")
    repo.commit(
        "build(deps): bump lodash from 1 to 2 (#3)",
        files={".github/release.yml": "changelog:\n  exclude:\n    authors: [dependabot]\n"},
        author=DEPENDABOT,
    )
    repo.commit("fix: one fix (#4)", author=HUMAN)
    repo.tag("v1.1.0")
    code, lines, step = run_stage(repo.path, tag="v1.1.0", source="git")
    assert code == 0, lines
    doc = load(step.outputs["json-file"])
    assert [x["reason"] for x in doc["excluded"]] == ["author 'dependabot[bot]' is excluded by .github/release.yml"]
    notes = Path(step.outputs["markdown-file"]).read_text(encoding="utf-8")
    assert "· 2 commits, 1 pull request, 1 contributor" in notes
    assert any("changelog: 2 commits, 1 pull request," in line for line in lines)


def test_a_pull_request_merged_into_a_maintenance_branch_owns_its_commits(tmp_path):
    # main ── merge of 2.0.x ── v2.1.0; on 2.0.x, a PR merged with its title as the merge subject.
    repo = RepoBuilder(tmp_path / "repo")
    repo.commit("chore: start", author=MAINTAINER)
    repo.tag("v2.0.0")
    repo.branch("2.0.x")
    repo.checkout("2.0.x")
    side(repo, "typo", ("correct the link in the upgrade guide", HUMAN))
    repo.checkout("2.0.x")
    titled = repo.merge("typo", "Correct the upgrade guide's link (#70)")
    repo.checkout("main")
    repo.commit("feat: colour the output", files={"colour.txt": "on"}, author=MAINTAINER)
    back = repo.merge("2.0.x", "Merge branch '2.0.x'")
    # A pull request merged by hand: the title follows the number, no "from owner/branch".
    side(repo, "loader", ("tidy the loader", HUMAN), ("test the loader", HUMAN))
    by_hand = repo.merge("loader", "Merge pull request #71 Tidy the config loader\n\nIt read the file twice.")
    repo.tag("v2.1.0")
    code, lines, step = run_stage(repo.path, tag="v2.1.0", source="git")
    assert code == 0, lines
    doc = load(step.outputs["json-file"])
    listed = [(e["pr"], e["title"], e["author"], len(e["commits"])) for s in doc["sections"] for e in s["entries"]]
    assert sorted(listed, key=str) == sorted(
        [
            (70, "Correct the upgrade guide's link", "Nora Quill", 2),  # the work's author, not who merged it
            (71, "Tidy the config loader", "Nora Quill", 3),
            (None, "colour the output", "Otto Vance", 1),
        ],
        key=str,
    )
    assert [(x["commit"], x["reason"].split(":")[0]) for x in doc["excluded"]] == [
        (back, "merge commit without a pull request")
    ]
    assert {titled, by_hand} <= {e["commit"] for s in doc["sections"] for e in s["entries"]}
