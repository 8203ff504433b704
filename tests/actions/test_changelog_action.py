"""The changelog action, run as the runner runs it (bootstrap included), on real repositories."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from gitfactory import RepoBuilder

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from changelog_scenario import realistic

from sovereign.release import load


def test_notes_for_a_realistic_release(action, tmp_path):
    repo = RepoBuilder(tmp_path / "workspace")
    shas = realistic(repo)
    result = action(
        "changelog",
        {"source": "git"},
        workspace=repo.path,
        github={"ref": "refs/tags/v1.1.0", "ref_name": "v1.1.0", "server_url": "https://ghe.example.com"},
    )
    assert result.returncode == 0, result.log
    out = result.outputs
    # v1.0.1 is on the release-1.0 branch: not an ancestor, yet the previous release (issue 13).
    assert out["previous-tag"] == "v1.0.1"
    assert (out["commit-count"], out["pr-count"], out["breaking-count"], out["security-count"]) == ("16", "2", "2", "2")
    assert out["compare-url"] == "https://ghe.example.com/octo/widget/compare/v1.0.1...v1.1.0"
    assert out["markdown-file"] == str(repo.path / "sovereign-artifacts" / "changelog-v1.1.0.md")
    assert out["markdown"] == Path(out["markdown-file"]).read_text(encoding="utf-8")
    doc = load(out["json-file"])
    assert doc["tag"] == "v1.1.0" and doc["repository"] == "octo/widget"
    assert {x["commit"] for x in doc["excluded"]} == {shas["release"], shas["bare-merge"]}, "a bot's change is listed"
    assert "v1.0.1 is the highest release tag below v1.1.0" in result.summary
    assert "not an ancestor of v1.1.0" in result.summary
    assert "no API calls" in result.summary
    # The Latin-1 commit says ::warning:: — it must reach the log fenced, never as a command.
    assert not any(line.startswith("::warning::owned") for line in result.stdout.splitlines())
    assert result.env_file == {} and result.path_file == ""


def test_first_release_takes_everything_from_the_root(action, tmp_path):
    repo = RepoBuilder(tmp_path / "workspace")
    repo.commit("feat: first")
    repo.commit("fix: second")
    repo.tag("v0.1.0")
    result = action("changelog", {"tag": "v0.1.0"}, workspace=repo.path)
    assert result.returncode == 0, result.log
    assert result.outputs["previous-tag"] == ""
    assert result.outputs["commit-count"] == "2"
    assert result.outputs["compare-url"] == "https://github.com/octo/widget/commits/v0.1.0"
    assert "first release, everything from the root commit" in result.summary


def test_bad_inputs_are_one_clear_error_each(action, tmp_path):
    repo = RepoBuilder(tmp_path / "workspace")
    repo.commit("feat: first")
    repo.tag("v1.0.0")
    repo.branch("side")
    repo.checkout("side")
    repo.commit("fix: elsewhere")
    repo.tag("v1.0.1")
    repo.checkout("main")
    repo.commit("feat: second")
    repo.tag("v1.1.0")
    cases = {
        ("v9.9.9", ""): "tag 'v9.9.9' does not exist in the checkout",
        ("v1.1.0", "v0.0.1"): "input 'previous-tag': tag 'v0.0.1' does not exist",
        ("v1.1.0", "v1.1.0"): "input 'previous-tag' is the release's own tag 'v1.1.0'",
    }
    for (tag, previous), message in cases.items():
        result = action("changelog", {"tag": tag, "previous-tag": previous}, workspace=repo.path)
        assert result.returncode == 1, result.log
        assert len(result.errors) == 1 and message in result.errors[0], result.errors
        assert "Traceback" not in result.log


def test_invalid_config_names_file_line_and_key(action, tmp_path):
    repo = RepoBuilder(tmp_path / "workspace")
    repo.commit(
        "feat: first", files={".github/release.yml": "changelog:\n  categories:\n    - title: New\n      lables: [x]\n"}
    )
    repo.tag("v1.0.0")
    result = action("changelog", {"tag": "v1.0.0"}, workspace=repo.path)
    assert result.returncode == 1
    assert result.errors == [
        "::error title=changelog::.github/release.yml line 4: unknown key 'changelog.categories[0].lables' — "
        "allowed here: exclude, labels, title, types"
    ]


def test_release_yml_categories_and_exclusions_apply(action, tmp_path):
    repo = RepoBuilder(tmp_path / "workspace")
    config = (
        "changelog:\n  exclude:\n    authors: [Mallory]\n  categories:\n    - title: Everything\n      labels: ['*']\n"
    )
    repo.commit("chore: config", files={".github/release.yml": config})
    repo.tag("v1.0.0")
    repo.commit("feat: kept")
    repo.commit("feat: by mallory", author="Mallory <m@example.com>")
    repo.tag("v1.1.0")
    result = action("changelog", {"tag": "v1.1.0"}, workspace=repo.path)
    assert result.returncode == 0, result.log
    doc = json.loads(Path(result.outputs["json-file"]).read_text(encoding="utf-8"))
    assert [(s["title"], [e["title"] for e in s["entries"]]) for s in doc["sections"]] == [("Everything", ["kept"])]
    assert doc["excluded"][0]["reason"] == "author 'Mallory' is excluded by .github/release.yml"


def test_a_lost_answer_on_creating_the_release_says_it_may_exist(action, tmp_path):
    """The release POST went out; the answer did not come back (a reset, then a 502 from a gateway)."""
    from localserver import Reply, Seen, serve

    repo = RepoBuilder(tmp_path / "workspace")
    repo.commit("feat: first")
    repo.tag("v1.2.0")
    for lost in (Reply(reset="before"), Reply(502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"})):

        def github(seen: Seen, lost: Reply = lost) -> Reply:
            if seen.method == "GET" and seen.path == "/repos/octo/widget/releases/tags/v1.2.0":
                return Reply(404, b'{"message": "Not Found"}')
            if seen.method == "GET" and seen.path.partition("?")[0] == "/repos/octo/widget/releases":
                return Reply(200, b"[]")  # no draft of ours to take over
            if seen.method == "POST" and seen.path == "/repos/octo/widget/releases":
                return lost
            return Reply(404, b'{"message": "Not Found"}')

        with serve(github) as (url, script):
            result = action(
                "changelog",
                {"source": "git", "tag": "v1.2.0", "publish-release": "true", "github-token": "ghp_lost0123456789"},
                workspace=repo.path,
                github={"api_url": url, "graphql_url": url + "/graphql"},
            )
        assert result.returncode == 1, result.log
        assert [s.method for s in script.seen] == ["GET", "GET", "POST"], "the create is never sent twice"
        [error] = result.errors
        assert (
            "the release of v1.2.0 may have been created anyway; re-running is safe: it finds and updates it" in error
        )
        assert "could not connect" not in error and "try again later" not in error and "DNS" not in error


DRAFTER_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "changelog" / "release-drafter.yml"


def test_a_release_drafter_config_renders_as_it_is(action, tmp_path):
    """A release-drafter user's file, unchanged: its template, categories and change-template.
    Git mode knows no labels, so every change goes to the category without labels."""
    repo = RepoBuilder(tmp_path / "workspace")
    repo.commit("chore: start", files={".github/release-drafter.yml": DRAFTER_FIXTURE.read_text(encoding="utf-8")})
    repo.tag("v1.0.0")
    repo.commit("Add a widget catalogue (#10)", author="Carol <carol@example.com>")
    repo.commit("Fix the *parser* on <empty> input (#11)", author="Dave <dave@example.com>")
    direct = repo.commit("Reword the readme", author="Carol <carol@example.com>")
    repo.tag("v1.1.0")
    result = action("changelog", {"tag": "v1.1.0", "source": "git"}, workspace=repo.path)
    assert result.returncode == 0, result.log
    assert result.outputs["markdown"] == (
        "# What changed in this release\n\n"
        "## Everything else\n\n"
        f"- Reword the readme @<!---->Carol (#{direct[:7]})\n"
        "- Fix the \\*parser\\* on \\<empty\\> input @<!---->Dave (#11)\n"
        "- Add a widget catalogue @<!---->Carol (#10)\n\n"
        "Thanks to <!---->Carol and <!---->Dave.\n\n"
        "**Everything since the last release**: https://github.com/octo/widget/compare/v1.0.0...v1.1.0\n"
    )
    assert [line for line in result.stdout.splitlines() if line.startswith("::notice")] == [
        "::notice title=changelog::.github/release-drafter.yml: Sovereign does not implement autolabeler, "
        "filter-by-commitish: ignored (see changelog/README.md)"
    ]


def test_a_bad_release_drafter_config_or_template_is_one_error(action, tmp_path):
    repo = RepoBuilder(tmp_path / "workspace")
    repo.commit("feat: first", files={".github/release-drafter.yml": "template: $CHANGES\ncategories: 3\n"})
    repo.tag("v1.0.0")
    result = action("changelog", {"tag": "v1.0.0"}, workspace=repo.path)
    assert result.returncode == 1
    assert result.errors == [
        "::error title=changelog::.github/release-drafter.yml line 2: 'categories' must be a list, got 3 — "
        "see changelog/README.md for the config format"
    ]
    repo.commit(
        "chore: templates", files={".github/sovereign.yml": "changelog:\n  template: |\n    $CHANGES\n    $CHANGELOG\n"}
    )
    repo.tag("v1.0.1")
    result = action("changelog", {"tag": "v1.0.1"}, workspace=repo.path)
    assert result.returncode == 1 and "Traceback" not in result.log
    assert len(result.errors) == 1
    assert result.errors[0].startswith(
        "::error title=changelog::.github/sovereign.yml line 4: unknown placeholder $CHANGELOG in 'changelog.template'"
    )
