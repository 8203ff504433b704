"""The strict YAML-subset reader and the changelog config built on it."""

from __future__ import annotations

import pytest
import yaml

from sovereign.changelog.config import DEFAULT, load_config, parse_config
from sovereign.changelog.yamlish import YamlError, parse
from sovereign.errors import SovereignError

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
    "k: v: w\n".replace("v: w", "'v: w'"),
    "empty:\nnext: 1\n",
]


@pytest.mark.parametrize("text", SUBSET)
def test_reads_what_yaml_reads(text):
    expected = yaml.safe_load(text.lstrip("\ufeff"))
    if isinstance(expected, dict):
        expected = {k: ("" if v is None else str(v) if isinstance(v, int) else v) for k, v in expected.items()}
    assert parse(text, "f.yml") == expected


BAD = {
    "changelog:\n\tcategories: []\n": (2, "tab used for indentation"),
    "a: b\na: c\n": (2, "duplicate key 'a' (first on line 1)"),
    "a: &anchor b\n": (1, "unsupported YAML syntax"),
    "a: [x, [y]]\n": (1, "unsupported flow list"),
    "a: [x, y\n": (1, "unterminated flow list"),
    "a: 'open\n": (1, "unterminated single-quoted string"),
    'a: "bad \\q"\n': (1, "unsupported escape"),
    "a:\n  - x\n   - y\n": (3, "unexpected indentation"),
    "a: b\n  c: d\n": (2, "unexpected"),
    "just text\n": (1, "expected 'key: value'"),
    "a: 1\n---\nb: 2\n": (2, "several YAML documents"),
    "a: b: c\n": (1, "unexpected ':' in value"),
}


@pytest.mark.parametrize("text", BAD)
def test_refuses_what_it_does_not_understand_naming_the_line(text):
    line, what = BAD[text]
    with pytest.raises(YamlError) as err:
        parse(text, ".github/sovereign.yml")
    assert err.value.what.startswith(f".github/sovereign.yml line {line}: "), err.value.what
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
