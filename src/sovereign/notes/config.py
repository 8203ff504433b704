"""Changelog configuration: ``.github/sovereign.yml``, else ``.github/release-drafter.yml``
(release-drafter's own shape, read by :mod:`sovereign.notes.drafter`), else GitHub's ``.github/release.yml``.

Both use GitHub's release.yml shape under ``changelog:`` (``exclude.labels``,
``exclude.authors``, ``categories`` with ``title``/``labels``/``exclude``);
``sovereign.yml`` may add ``types`` (conventional-commit types) to a category,
``breaking-labels`` / ``security-labels``, what decides the version bump:
``feature-labels`` (labels that call for a minor bump) and ``breaking-in-0x``
(``minor`` or ``major``: what a breaking change bumps while the major version is 0), and the layout
templates (``template``, ``change-template``, ``no-changes-template``). Unknown keys are errors naming
file, line and key: a typo must not silently change the notes. A
``.github/release.yml`` found on its own that has another tool's shape
(GoReleaser, release-please, release-drafter) is not ours to judge: it is
ignored with a warning and the built-in categories apply.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sovereign.errors import SovereignError
from sovereign.notes import yamlread
from sovereign.notes.layout import SOVEREIGN_KEYS, SOVEREIGN_LAYOUT, Layout, LayoutReader
from sovereign.notes.yamlread import Map, Seq, YamlError

GITHUB_FILES = (".github/release.yml", ".github/release.yaml")
DRAFTER_FILES = (".github/release-drafter.yml", ".github/release-drafter.yaml")
CANDIDATES = (".github/sovereign.yml", ".github/sovereign.yaml", *DRAFTER_FILES, *GITHUB_FILES)
BREAKING_TITLE = "Breaking changes"
SECURITY_TITLE = "Security"
OTHER_TITLE = "Other"
BREAKING_IN_0X = ("minor", "major")


@dataclass(frozen=True)
class Category:
    title: str
    labels: tuple[str, ...] = ()  # "*" matches every entry
    types: tuple[str, ...] = ()  # conventional-commit types
    exclude_labels: tuple[str, ...] = ()
    exclude_authors: tuple[str, ...] = ()
    collapse_after: int = 0  # more entries than this are folded in a <details> block (0: never)


@dataclass(frozen=True)
class VersionResolver:
    """release-drafter's ``version-resolver``: labels that call for each bump (lower-cased), and the
    bump for changes none of them label. For the bump: a ``major`` label also marks the change breaking."""

    major: tuple[str, ...] = ()
    minor: tuple[str, ...] = ()
    patch: tuple[str, ...] = ()
    default: str = "patch"


NO_RESOLVER = VersionResolver()


@dataclass(frozen=True)
class Config:
    source: str  # the file read, or "built-in defaults"
    categories: tuple[Category, ...]
    exclude_labels: tuple[str, ...] = ("skip-changelog", "ignore-for-release", "no-changelog")
    exclude_authors: tuple[str, ...] = ()
    breaking_labels: tuple[str, ...] = ("breaking", "breaking-change", "breaking change", "semver-major", "major")
    security_labels: tuple[str, ...] = ("security", "vulnerability", "cve")
    feature_labels: tuple[str, ...] = ("feature", "enhancement", "feat", "semver-minor", "minor")
    breaking_in_0x: str = "minor"  # what a breaking change bumps while the major version is 0 (BREAKING_IN_0X)
    warning: str = ""  # why the file found was ignored
    include_labels: tuple[str, ...] = ()  # when set, only changes with one of these labels are listed
    fallback: str = ""  # the category that takes what no other category takes ("": Other, last)
    layout: Layout = SOVEREIGN_LAYOUT  # templates; inactive keeps Sovereign's own layout
    version_resolver: VersionResolver = NO_RESOLVER
    notice: str = ""  # keys that were read but that Sovereign does not implement


DEFAULT_CATEGORIES = (
    Category("Features", ("feature", "enhancement", "feat"), ("feat",)),
    Category("Fixes", ("bug", "fix", "bugfix"), ("fix",)),
    Category("Performance", ("performance", "perf"), ("perf",)),
    Category("Documentation", ("documentation", "docs"), ("docs",)),
    Category("Dependencies", ("dependencies", "deps"), ("deps",)),
    Category(OTHER_TITLE, ("*",)),
)
DEFAULT = Config("built-in defaults", DEFAULT_CATEGORIES)

_TOP = {"changelog"}
_CHANGELOG = {"exclude", "categories", "breaking-labels", "security-labels", "feature-labels", "breaking-in-0x"}
_EXCLUDE = {"labels", "authors"}
_CATEGORY = {"title", "labels", "types", "exclude"}


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file

    def mapping(self, value: yamlread.Value, where: str, line: int, allowed: set[str]) -> Map:
        if not isinstance(value, Map):
            if value == "":
                empty = Map(line)
                return empty
            raise YamlError(self.file, line, f"'{where}' must be a mapping")
        for key in value:
            if key not in allowed:
                raise YamlError(
                    self.file,
                    value.lines[key],
                    f"unknown key '{where}.{key}'" if where else f"unknown key '{key}'",
                    f"allowed here: {', '.join(sorted(allowed))}",
                )
        return value

    def strings(self, parent: Map, key: str, where: str) -> tuple[str, ...]:
        if key not in parent:
            return ()
        value, line = parent[key], parent.lines[key]
        if value == "":
            return ()
        if isinstance(value, str):
            return (value,)  # GitHub accepts a single string too
        if not isinstance(value, Seq) or not all(isinstance(v, str) for v in value):
            raise YamlError(self.file, line, f"'{where + '.' if where else ''}{key}' must be a list of strings")
        return tuple(str(v) for v in value)


def foreign_shape(document: yamlread.Value) -> str:
    """Why a parsed release.yml is not GitHub's release-notes config, or "" when it is."""
    if not isinstance(document, Map):
        return "it is not a mapping"
    others = sorted(key for key in document if key not in _TOP)
    if others:
        return f"it has top-level keys GitHub's release.yml does not have ({', '.join(others[:4])})"
    body = document.get("changelog", "")
    if isinstance(body, Map) and body and not any(key in body for key in ("exclude", "categories")):
        return f"its changelog: has neither categories nor exclude ({', '.join(sorted(body)[:4])})"
    return ""


def parse_config(text: str, file: str, *, github_file: bool = False) -> Config:
    """The config in ``text``; ``github_file``: found as GitHub's release.yml, so another tool's shape is ignored."""
    check = _Checker(file)
    document = yamlread.parse(text, file)
    why = foreign_shape(document) if github_file else ""
    if why:
        warning = f"{file} is not GitHub's release-notes config ({why}): ignored, built-in categories used"
        return replace(DEFAULT, warning=warning)
    root = check.mapping(document, "", 1, _TOP)
    if "changelog" not in root:
        raise YamlError(file, 1, "no 'changelog:' key", "put categories and exclude under changelog:")
    allowed = _CHANGELOG if github_file else _CHANGELOG | set(SOVEREIGN_KEYS)  # GitHub's file has no templates
    body = check.mapping(root["changelog"], "changelog", root.lines["changelog"], allowed)
    exclude = check.mapping(body.get("exclude", ""), "changelog.exclude", body.lines.get("exclude", 1), _EXCLUDE)
    categories: list[Category] = []
    if "categories" in body:
        raw = body["categories"]
        if not isinstance(raw, Seq):
            raise YamlError(file, body.lines["categories"], "'changelog.categories' must be a list")
        for item, line in zip(raw, raw.lines, strict=True):
            where = f"changelog.categories[{len(categories)}]"
            cat = check.mapping(item, where, line, _CATEGORY)
            title = cat.get("title")
            if not isinstance(title, str) or not title.strip():
                raise YamlError(file, cat.line, f"'{where}.title' is missing or empty", "give every category a title")
            own_exclude = check.mapping(
                cat.get("exclude", ""), f"{where}.exclude", cat.lines.get("exclude", line), _EXCLUDE
            )
            categories.append(
                Category(
                    title.strip(),
                    tuple(x.lower() for x in check.strings(cat, "labels", where)),
                    tuple(x.lower() for x in check.strings(cat, "types", where)),
                    tuple(x.lower() for x in check.strings(own_exclude, "labels", f"{where}.exclude")),
                    tuple(x.lower() for x in check.strings(own_exclude, "authors", f"{where}.exclude")),
                )
            )
    config = Config(
        file,
        tuple(categories) or DEFAULT_CATEGORIES,
        tuple(x.lower() for x in check.strings(exclude, "labels", "changelog.exclude")),
        check.strings(exclude, "authors", "changelog.exclude"),
    )
    templates = LayoutReader(file, text, "changelog").templates(body, SOVEREIGN_KEYS)
    if templates:
        config = replace(config, layout=replace(Layout(active=True), **templates))
    if "breaking-labels" in body:
        config = replace(
            config, breaking_labels=tuple(x.lower() for x in check.strings(body, "breaking-labels", "changelog"))
        )
    if "security-labels" in body:
        config = replace(
            config, security_labels=tuple(x.lower() for x in check.strings(body, "security-labels", "changelog"))
        )
    if "feature-labels" in body:
        config = replace(
            config, feature_labels=tuple(x.lower() for x in check.strings(body, "feature-labels", "changelog"))
        )
    if "breaking-in-0x" in body:
        value = body["breaking-in-0x"]
        if value not in BREAKING_IN_0X:
            raise YamlError(
                file,
                body.lines["breaking-in-0x"],
                f"'changelog.breaking-in-0x' must be minor or major, got {value!r}",
                "minor: a breaking change bumps 0.3.1 to 0.4.0; major: to 1.0.0",
            )
        config = replace(config, breaking_in_0x=str(value))
    return config


def load_config(workspace: Path, given: str) -> Config:
    """The config named by the ``config`` input, else the first file that exists, else defaults."""
    if given:
        path = (workspace / given).resolve()
        if workspace != path and workspace not in path.parents:
            raise SovereignError(
                f"input 'config' {given!r} points outside the workspace", "use a path in the repository"
            )
        if not path.is_file():
            raise SovereignError(f"input 'config': {given} does not exist", "fix the path, or leave config empty")
        return _read(path, given)
    for name in CANDIDATES:
        path = workspace / name
        if path.is_file():
            return _read(path, name, github_file=name in GITHUB_FILES)
    return DEFAULT


def _read(path: Path, shown: str, *, github_file: bool = False) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SovereignError(f"{shown} is not UTF-8 text", "save it as UTF-8") from None
    if path.name.startswith("release-drafter"):  # release-drafter's config-name is free; its files keep the stem
        from sovereign.notes.drafter import parse_drafter  # noqa: PLC0415 - drafter builds on this module

        return parse_drafter(text, shown)
    return parse_config(text, shown, github_file=github_file)
