"""Version schemes for tags: semver (default) and PEP 440, and the tags a scheme cannot read."""

from __future__ import annotations

import json

import pytest
from changelog_scenario import run_stage
from sentinel_runner import run_sentinel

from sovereign import tags
from sovereign.errors import SovereignError


@pytest.mark.parametrize(
    ("tag", "prefix", "text", "pre"),
    [
        ("26.2", "", "26.2", False),
        ("v2.34.0.dev1", "v", "2.34.0.dev1", True),
        ("1.0rc1", "", "1.0rc1", True),
        ("pkg-1.0.post2", "pkg-", "1.0.post2", False),
        ("v1.2.3-rc.1", "v", "1.2.3rc1", True),  # semver prereleases read as PEP 440 too
    ],
)
def test_pep440_tags_split_into_prefix_and_version(tag, prefix, text, pre):
    split = tags.split_tag(tag, "pep440")
    assert split is not None
    assert (split[0], str(split[1]), split[1].is_prerelease) == (prefix, text, pre)
    assert tags.split_tag(tag, "semver") is None or tag == "v1.2.3-rc.1"


def test_pep440_order_and_output_fields():
    def v(text):
        found = tags.parse_version(text, "pep440")
        assert found is not None
        return found

    assert v("1.0.dev1") < v("1.0a1") < v("1.0rc1") < v("1.0") == v("1.0.0") < v("1.0.post1") < v("1.1")
    assert (v("2.3rc1").major, v("2.3rc1").minor, v("2.3rc1").patch, v("2.3rc1").prerelease) == (2, 3, 0, ("rc1",))
    assert tags.parse_version("v1.0", "pep440") is None and tags.parse_version("1.0 ", "pep440") is None


def test_tags_the_scheme_cannot_read_are_named_newest_first():
    names = ["26.1.2", "26.2", "3.0", "26.2.1", "25.1b1", "other", "26.2.x"]
    candidates = tags.release_tags("26.2.1", names)
    assert set(candidates) == {"26.1.2", "26.2.1"}
    ignored = tags.unreadable("26.2.1", names, candidates, "semver")
    assert ignored == ("26.2.x", "26.2", "25.1b1", "3.0")
    found = tags.note_ignored(tags.Previous("26.1.2", "why"), ignored, "semver")
    assert found.ignored == ignored
    assert found.reason == (
        "why (4 tags that are not semver were ignored: 26.2.x, 26.2, 25.1b1…; "
        "set version-scheme: pep440 if releases are tagged that way)"
    )
    assert tags.unreadable("26.2.1", names, tags.release_tags("26.2.1", names, "pep440"), "pep440") == ("26.2.x",)


def test_an_unknown_scheme_is_a_usage_error():
    assert tags.check_scheme("") == "semver" and tags.check_scheme(" PEP440 ") == "pep440"
    with pytest.raises(SovereignError, match="must be semver or pep440, got 'calver'"):
        tags.check_scheme("calver")


def python_project(repo):
    """A Python project that tags PEP 440 versions, a dev tag among them."""
    repo.commit("first")
    repo.tag("1.0")
    repo.commit("second")
    repo.tag("1.1.dev0")
    repo.commit("third")
    repo.tag("1.1rc1")
    repo.commit("fourth", {"pyproject.toml": '[project]\nname = "w"\nversion = "1.1"\n'})
    repo.tag("1.1", annotated=True)


def test_changelog_pep440_compares_with_the_last_pep440_release(repo):
    python_project(repo)
    code, lines, _ = run_stage(repo.path, tag="1.1", source="git", **{"version-scheme": "pep440"})
    assert code == 0, lines
    doc = json.loads((repo.path / "sovereign-artifacts" / "changelog-1.1.json").read_text())
    assert (doc["previous_tag"], doc["version"], doc["stats"]["commits"]) == ("1.0", "1.1", 3)
    assert not any(line.startswith("::notice") for line in lines)


def test_changelog_semver_ignores_pep440_tags_with_a_notice(repo):
    python_project(repo)
    repo.commit("fifth")
    repo.tag("v1.2.0")
    repo.commit("sixth")
    repo.tag("v1.2.1.dev1")
    repo.commit("seventh")
    repo.tag("v1.3.0")
    code, lines, _ = run_stage(repo.path, tag="v1.3.0", source="git")
    assert code == 0, lines
    doc = json.loads((repo.path / "sovereign-artifacts" / "changelog-v1.3.0.json").read_text())
    assert doc["previous_tag"] == "v1.2.0"
    assert "1 tag that is not semver was ignored: v1.2.1.dev1" in doc["previous_tag_reason"]
    notices = [line for line in lines if line.startswith("::notice")]
    assert notices and "1 tag that is not semver was ignored" in notices[0]


def test_changelog_pep440_tag_under_semver_points_at_the_scheme(repo):
    python_project(repo)
    code, lines, _ = run_stage(repo.path, tag="1.1", source="git")
    assert code == 1
    assert any("holds no semver version" in line and "version-scheme: pep440" in line for line in lines), lines


def test_sentinel_pep440_gates_the_tag_and_finds_the_previous_release(repo):
    python_project(repo)
    result = run_sentinel(
        repo.path,
        {"tag": "1.1", "version-scheme": "pep440", "version-files": "pyproject.toml", "require-commit": "false"},
    )
    assert result.code == 0, result.lines
    assert result.result("tag-format") == "pass" and result.result("require-newer") == "pass"
    assert result.result("version-files:pyproject.toml") == "pass"
    assert (result.outputs["previous-tag"], result.outputs["version"], result.outputs["minor"]) == ("1.0", "1.1", "1")


def test_sentinel_pep440_refuses_a_prerelease_and_an_older_version(repo):
    python_project(repo)
    pre = run_sentinel(repo.path, {"tag": "1.1rc1", "version-scheme": "pep440", "require-commit": "false"})
    assert pre.result("tag-format") == "fail" and "is a prerelease (1.1rc1)" in pre.check("tag-format")["reason"]
    repo.tag("1.0.post1")
    old = run_sentinel(repo.path, {"tag": "1.0.post1", "version-scheme": "pep440", "require-commit": "false"})
    assert old.result("require-newer") == "fail"
    assert "not newer than 1.1" in old.check("require-newer")["reason"]


def test_sentinel_semver_names_the_pep440_tags_it_ignored(repo):
    python_project(repo)
    repo.commit("fifth")
    repo.tag("v2.0.0")
    result = run_sentinel(repo.path, {"tag": "v2.0.0", "require-commit": "false"})
    assert result.code == 0, result.lines
    assert result.outputs["previous-tag"] == ""  # no semver release below
    assert "that are not semver were ignored" not in result.check("require-newer")["reason"]  # other prefix
    bad = run_sentinel(repo.path, {"tag": "v2.0.0", "version-scheme": "calver"})
    assert bad.code == 1
    assert bad.lines[-1].startswith("::error title=sentinel::input 'version-scheme' must be semver or pep440")
