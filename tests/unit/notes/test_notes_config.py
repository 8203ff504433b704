"""The YAML reader (ruamel.yaml with lines) and the changelog config built on it."""

from __future__ import annotations

import pytest
import yaml
from changelog_scenario import run_stage

from sovereign.errors import SovereignError
from sovereign.notes.config import DEFAULT, load_config, parse_config
from sovereign.notes.yamlread import Map, Seq, YamlError, parse

GITHUB_EXAMPLE = """\
# .github/release.yml
changelog:
  exclude:
    labels:
      - ignore-for-release
    authors:
      - octocat
  categories:
    - title: Breaking Changes 🛠
      labels:
        - Semver-Major
        - breaking-change
    - title: Exciting New Features 🎉
      labels:
        - Semver-Minor
        - enhancement
    - title: Other Changes
      labels:
        - "*"
"""

SUBSET = [
    GITHUB_EXAMPLE,
    "a: [x, 'y, z', \"w # not a comment\"]  # a comment\nb: plain value\n",
    "list:\n- one\n- 'it''s'\n- \"tab\\there\"\n",
    "outer:\n  - title: A\n    labels: []\n  - title: B\n",
    "\ufeff---\nkey: value\n",
    "k: 'v: w'\n",
    "empty:\nnext: 1\nflag: true\nratio: 1.5\n",
    "base: &b [x]\ncopy: *b\n",
    "template: |\n  ## What changed\n\n  $CHANGES\nfolded: >-\n  one\n  two\n",
]


@pytest.mark.parametrize("text", SUBSET)
def test_reads_what_yaml_reads(text):
    expected = yaml.safe_load(text.lstrip("\ufeff"))
    if isinstance(expected, dict):
        expected = {k: ("" if v is None else v) for k, v in expected.items()}
    assert parse(text, "f.yml") == expected


def test_keys_and_items_keep_their_lines():
    doc = parse("# head\nchangelog:\n  categories:\n    - title: A\n\n    - title: |\n        B\n", "f.yml")
    assert isinstance(doc, Map) and doc.lines == {"changelog": 2}
    body = doc["changelog"]
    assert isinstance(body, Map) and body.lines == {"categories": 3}
    items = body["categories"]
    assert isinstance(items, Seq) and items.lines == [4, 6]
    assert items[1] == {"title": "B\n"} and type(items[1]["title"]) is str


BAD = {
    "changelog:\n\tcategories: []\n": (2, "'\\t'"),
    "a: b\na: c\n": (2, 'duplicate key "a"'),
    "a: [x, y\n": (1, "expected ',' or ']'"),
    "a: 'open\n": (1, "end of stream"),
    'a: "bad \\q"\n': (1, "unknown escape"),
    "a: b\n  c: d\n": (2, "mapping values are not allowed"),
    "a: 1\n---\nb: 2\n": (2, "another document"),
    "a: b: c\n": (1, "mapping values are not allowed"),
    "a: *nowhere\n": (1, "undefined alias"),
}


@pytest.mark.parametrize("text", BAD)
def test_invalid_yaml_names_the_file_and_line(text):
    line, what = BAD[text]
    with pytest.raises(YamlError) as err:
        parse(text, ".github/sovereign.yml")
    assert err.value.what.startswith(f".github/sovereign.yml line {line}: not valid YAML: "), err.value.what
    assert what in err.value.what


def test_github_release_yml_is_understood_as_is():
    config = parse_config(GITHUB_EXAMPLE, ".github/release.yml")
    assert [c.title for c in config.categories] == ["Breaking Changes 🛠", "Exciting New Features 🎉", "Other Changes"]
    assert config.categories[0].labels == ("semver-major", "breaking-change")
    assert config.exclude_labels == ("ignore-for-release",)
    assert config.exclude_authors == ("octocat",)


def test_sovereign_yml_extensions():
    text = (
        "changelog:\n  breaking-labels: [api-break]\n  security-labels: [sec]\n"
        "  categories:\n    - title: Features\n      types: [feat]\n"
    )
    config = parse_config(text, ".github/sovereign.yml")
    assert config.breaking_labels == ("api-break",) and config.security_labels == ("sec",)
    assert config.categories[0].types == ("feat",)


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("changelog:\n  categoriez: []\n", 2, "unknown key 'changelog.categoriez'"),
        ("changelog:\n  categories:\n    - labels: [x]\n", 3, "'changelog.categories[0].title' is missing"),
        ("changelog:\n  categories: nope\n", 2, "'changelog.categories' must be a list"),
        (
            "changelog:\n  exclude:\n    labels:\n      - title: x\n",
            3,
            "'changelog.exclude.labels' must be a list of strings",
        ),
        ("other: 1\n", 1, "unknown key 'other'"),
    ],
)
def test_config_errors_name_file_line_and_key(text, line, what):
    with pytest.raises(YamlError) as err:
        parse_config(text, ".github/sovereign.yml")
    assert err.value.what.startswith(f".github/sovereign.yml line {line}: {what}"), err.value.what


def test_sovereign_yml_wins_over_release_yml_and_defaults_apply_without_either(tmp_path):
    assert load_config(tmp_path, "") is DEFAULT
    github = tmp_path / ".github"
    github.mkdir()
    (github / "release.yml").write_text("changelog:\n  categories:\n    - title: R\n      labels: ['*']\n")
    assert load_config(tmp_path, "").source == ".github/release.yml"
    (github / "sovereign.yml").write_text("changelog:\n  categories:\n    - title: S\n      labels: ['*']\n")
    assert load_config(tmp_path, "").categories[0].title == "S"
    with pytest.raises(SovereignError, match="does not exist"):
        load_config(tmp_path, "missing.yml")
    with pytest.raises(SovereignError, match="outside the workspace"):
        load_config(tmp_path, "../../etc/passwd")


def test_a_real_release_yml_with_block_scalars_is_read():
    text = (
        "changelog:\n  exclude:\n    authors: [renovate]\n  categories:\n"
        "    - title: >-\n        New\n        features\n      labels: [feature]\n"
        "    - title: |\n        Everything else\n      labels: ['*']\n"
    )
    config = parse_config(text, ".github/release.yml", github_file=True)
    assert [c.title for c in config.categories] == ["New features", "Everything else"]
    assert config.exclude_authors == ("renovate",) and not config.warning


@pytest.mark.parametrize(
    ("text", "why"),
    [
        # GoReleaser: changelog: is its own shape, and there are other top-level keys
        ("version: 2\nbuilds:\n  - main: ./cmd\nchangelog:\n  sort: asc\n", "top-level keys"),
        ("changelog:\n  use: github\n  groups:\n    - title: Features\n", "neither categories nor exclude"),
        # release-drafter saved under GitHub's name, with a block-scalar template
        ("name-template: 'v$NEXT'\ntemplate: |\n  ## Changes\n  $CHANGES\n", "top-level keys"),
        ("- just\n- a list\n", "not a mapping"),
    ],
)
def test_another_tools_release_yml_is_ignored_with_a_warning(tmp_path, text, why):
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "release.yml").write_text(text)
    config = load_config(tmp_path, "")
    assert config.categories == DEFAULT.categories
    assert config.warning.startswith(".github/release.yml is not GitHub's release-notes config (")
    assert why in config.warning


def test_named_or_sovereign_files_of_another_shape_are_still_errors(tmp_path):
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "release.yml").write_text("version: 2\nbuilds: []\n")
    with pytest.raises(YamlError, match="line 1: unknown key 'version'"):
        load_config(tmp_path, ".github/release.yml")  # named on purpose: the user says it is ours
    (tmp_path / ".github" / "sovereign.yml").write_text("changelog:\n  sort: asc\n")
    with pytest.raises(YamlError, match=r"line 2: unknown key 'changelog\.sort'"):
        load_config(tmp_path, "")


def test_the_stage_warns_and_carries_on_with_another_tools_release_yml(repo):
    repo.commit("feat: first", {".github/release.yml": "version: 2\nchangelog:\n  sort: asc\n"})
    repo.tag("v1.0.0")
    code, lines, _ = run_stage(repo.path, tag="v1.0.0", source="git")
    assert code == 0, lines
    warnings = [line for line in lines if line.startswith("::warning")]
    assert len(warnings) == 1 and "is not GitHub's release-notes config" in warnings[0]
