"""release-drafter's config read as it is, templates checked when read, and the config lookup order."""

from __future__ import annotations

from pathlib import Path

import pytest

from sovereign.notes.config import Config, VersionResolver, load_config, parse_config
from sovereign.notes.drafter import parse_drafter
from sovereign.notes.layout import substitute
from sovereign.notes.yamlread import YamlError

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "changelog" / "release-drafter.yml"
FILE = ".github/release-drafter.yml"


def drafter(text: str) -> Config:
    return parse_drafter(text, FILE)


def error_of(text: str) -> str:
    with pytest.raises(YamlError) as caught:
        drafter(text)
    return caught.value.line()


def test_a_real_config_shape_maps_onto_the_shared_config():
    config = drafter(FIXTURE.read_text(encoding="utf-8"))
    assert [(c.title, c.labels, c.collapse_after) for c in config.categories] == [
        ("Incompatible", ("kind: incompatible",), 0),
        ("Added", ("kind: addition", "kind: improvement"), 0),
        ("Repaired", ("kind: repair",), 0),
        ("Housekeeping", ("kind: chores",), 0),
        ("Everything else", (), 0),
        ("Third-party updates", ("kind: deps",), 2),
    ]
    assert all(c.types == () for c in config.categories), "release-drafter categorises by label only"
    assert config.fallback == "Everything else"
    assert config.exclude_labels == ("no-notes",)
    assert config.version_resolver == VersionResolver(
        ("kind: incompatible",), ("kind: addition",), ("kind: repair", "kind: chores", "kind: deps"), "patch"
    )
    assert "kind: incompatible" in config.breaking_labels and "breaking" in config.breaking_labels
    layout = config.layout
    assert layout.active and layout.change_template == "- $TITLE @$AUTHOR (#$NUMBER)"
    assert layout.change_title_escapes == "\\<*_&"
    assert layout.category_template == "## $TITLE" and layout.no_changes_template == "* No changes"
    assert layout.name_template == "Widget v$RESOLVED_VERSION" and layout.tag_template == "v$RESOLVED_VERSION"
    assert layout.template.startswith("# What changed in this release\n\n$CHANGES\n")
    assert config.notice == f"{FILE}: Sovereign does not implement autolabeler, filter-by-commitish: ignored " + (
        "(see changelog/README.md)"
    )


def test_defaults_are_release_drafters():
    config = drafter("template: $CHANGES\n")
    assert config.layout.change_template == "* $TITLE (#$NUMBER) @$AUTHOR"
    assert config.exclude_labels == Config("x", ()).exclude_labels, "no exclude-labels: Sovereign's defaults stay"
    assert config.version_resolver.default == "patch" and config.notice == ""
    assert drafter("").layout.template == "$CHANGES", "release-drafter requires a template; we still render"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("categories: 3\n", f"{FILE} line 1: 'categories' must be a list, got 3"),
        ("template: x\ncategories:\n  - 3\n", f"{FILE} line 3: 'categories[0]' must be a mapping with a title"),
        ("categories:\n  - label: x\n", f"{FILE} line 2: 'categories[0].title' is missing or empty"),
        ("categories:\n  - title: A\n    labels: 4\n", f"{FILE} line 3: 'categories[0].labels' must be a list"),
        ("categories:\n  - title: A\n    collapse-after: many\n", f"{FILE} line 3: 'categories[0].collapse-after'"),
        ("exclude-labels: skip\ninclude-labels: {a: 1}\n", f"{FILE} line 2: 'include-labels' must be a list"),
        ("template: [1]\n", f"{FILE} line 1: 'template' must be a string"),
        ("sort-by: date\n", f"{FILE} line 1: 'sort-by' must be merged_at or title, got 'date'"),
        ("sort-direction: up\n", f"{FILE} line 1: 'sort-direction' must be ascending or descending"),
        ("version-resolver: 3\n", f"{FILE} line 1: 'version-resolver' must be a mapping"),
        ("version-resolver:\n  majr: {}\n", f"{FILE} line 2: unknown key 'version-resolver.majr'"),
        ("version-resolver:\n  default: huge\n", f"{FILE} line 2: 'version-resolver.default' must be major or minor"),
        ("replacers:\n  - search: x\n", f"{FILE} line 2: 'replacers[0].replace' is missing"),
        ("replacers:\n  - search: '/(/g'\n    replace: y\n", f"{FILE} line 2: 'replacers[0].search' is not a valid"),
        ("replacers:\n  - search: '/a/y'\n    replace: b\n", f"{FILE} line 2: 'replacers[0].search' has flags"),
        ("- a list\n", f"{FILE} line 1: release-drafter's config must be a mapping of keys"),
    ],
)
def test_a_wrong_kind_is_one_error_naming_file_line_and_key(text, message):
    assert error_of(text).startswith(message)


def test_an_unknown_placeholder_names_its_own_line_in_a_block():
    text = "categories: []\ntemplate: |\n  ## Changes\n\n  $CHANGES\n  by $AUTHORS\n"
    assert error_of(text) == (
        f"{FILE} line 6: unknown placeholder $AUTHORS in 'template' — use $BREAKING, $CHANGES, $COMPARE_URL, "
        "$CONTRIBUTORS, $NEXT_MAJOR_VERSION, $NEXT_MINOR_VERSION, $NEXT_PATCH_VERSION, $OWNER, $PREVIOUS_TAG, "
        "$REPOSITORY, $RESOLVED_VERSION, $SECURITY"
    )
    assert error_of("change-template: '* $TITLE $CHANGES'\n").startswith(
        f"{FILE} line 1: unknown placeholder $CHANGES in 'change-template' — use $AUTHOR, $BODY, $NUMBER"
    )
    assert error_of("no-changes-template: 'none: $CHANGES'\n").startswith(f"{FILE} line 1: unknown placeholder")


def test_a_dollar_that_is_no_placeholder_is_text():
    config = drafter("template: 'cost $5, ${{ secrets.X }}, $lower and $CHANGES'\n")
    assert substitute(config.layout.template, {"CHANGES": "x"}) == "cost $5, ${{ secrets.X }}, $lower and x"


def test_substitution_is_one_pass():
    assert substitute("$TITLE / $BODY", {"TITLE": "see $BODY", "BODY": "b"}) == "see $BODY / b"


def test_replacers_plain_and_regex_like_release_drafter():
    config = drafter(
        "replacers:\n"
        "  - search: 'a.b'\n    replace: X\n"  # plain text, first match only
        "  - search: '/CVE-(\\d{4})-(?<id>\\d+)/g'\n    replace: '[$&](https://cve.example/$1/$<id>) $$3 $9'\n"
        "  - search: '/widget/i'\n    replace: Gadget\n"
    )
    text = "a.b a.b axb CVE-2024-1 and CVE-2023-22 WIDGET widget"
    for replacer in config.layout.replacers:
        text = replacer.apply(text)
    assert text == (
        "X a.b axb [CVE-2024-1](https://cve.example/2024/1) $3 $9 and "
        "[CVE-2023-22](https://cve.example/2023/22) $3 $9 Gadget widget"
    )


def test_sovereign_yml_takes_the_three_templates_and_checks_them():
    text = "changelog:\n  template: |\n    $CHANGES\n    $BREAKING\n  change-template: '- $TITLE ($SCOPE)'\n"
    config = parse_config(text, ".github/sovereign.yml")
    assert config.layout.active and config.layout.change_template == "- $TITLE ($SCOPE)"
    assert config.layout.category_template == "### $TITLE", "Sovereign's own heading level"
    with pytest.raises(YamlError) as caught:
        parse_config("changelog:\n  change-template: |\n    - $TITLE\n    - $NAME\n", ".github/sovereign.yml")
    assert caught.value.line().startswith(".github/sovereign.yml line 4: unknown placeholder $NAME in ")
    assert "'changelog.change-template'" in caught.value.line()
    assert not parse_config("changelog:\n  categories: []\n", ".github/sovereign.yml").layout.active
    with pytest.raises(YamlError, match=r"unknown key 'changelog\.template'"):
        parse_config("changelog:\n  categories: []\n  template: x\n", ".github/release.yml", github_file=True)


def test_lookup_order_sovereign_then_release_drafter_then_release(tmp_path):
    github = tmp_path / ".github"
    github.mkdir()
    (github / "release.yml").write_text("changelog:\n  categories:\n    - title: GitHub's\n      labels: ['*']\n")
    assert load_config(tmp_path, "").categories[0].title == "GitHub's"
    (github / "release-drafter.yml").write_text("categories:\n  - title: Drafter's\n")
    assert load_config(tmp_path, "").source == ".github/release-drafter.yml"
    (github / "sovereign.yml").write_text("changelog:\n  categories:\n    - title: Ours\n      types: [feat]\n")
    assert load_config(tmp_path, "").categories[0].title == "Ours"
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "release-drafter-app.yml").write_text("categories:\n  - title: Named\n")
    assert load_config(tmp_path, "ci/release-drafter-app.yml").fallback == "Named", "a named drafter file"
