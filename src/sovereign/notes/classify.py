"""Which section each change goes in, what is breaking or a security fix, and what is left out (and why)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sovereign.notes.config import BREAKING_TITLE, OTHER_TITLE, SECURITY_TITLE, Category, Config
from sovereign.notes.model import Change

CONVENTIONAL = re.compile(r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\r\n]*)\))?(?P<bang>!)?:\s*(?P<desc>\S.*)$")
BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE:", re.M)
ADVISORY = re.compile(r"\b(GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|CVE-\d{4}-\d{4,})\b", re.I)
DEPENDENCY_BUMP = re.compile(r"^(?:\[[^\]]*\]\s*)?(?:[Bb]ump|[Uu]pdate|[Uu]pgrade)s?\s+\S+.*\bfrom\s+\S+\s+to\s+\S+")
SECURITY_WORDS = re.compile(r"\bsecurity\b|\bvulnerab", re.I)
RELEASE_COMMIT = re.compile(
    r"^(?:chore\(release\)!?:|release[: ]\s*v?\d+\.\d+|(?:bump|set) version\b|prepare (?:for )?release\b|v?\d+\.\d+\.\d+\s*$)",
    re.I,
)
_WEIGHT = {t: i for i, t in enumerate(("security", "feat", "fix", "perf", "deps", "docs", "refactor", "revert"))}
_TYPE_ALIASES = {"feature": "feat", "bugfix": "fix", "doc": "docs", "performance": "perf", "dep": "deps"}


@dataclass
class Item:
    """A change with what classification found."""

    change: Change
    title: str  # without the conventional-commit prefix
    type: str
    scope: str
    breaking: bool
    security: bool
    advisories: list[str] = field(default_factory=list)
    author: str = ""  # change.author, computed once: categories ask for it many times
    labels: frozenset[str] = frozenset()  # lower-cased


@dataclass
class Exclusion:
    change: Change
    reason: str


@dataclass
class Classified:
    sections: list[tuple[str, list[Item]]]
    breaking: list[Item]
    security: list[Item]
    excluded: list[Exclusion]


def conventional(title: str) -> tuple[str, str, bool, str]:
    """``(type, scope, bang, description)``; type "" when the title is not conventional."""
    match = CONVENTIONAL.match(title.strip())
    if not match:
        revert = re.match(r'^Revert "(.+)"\s*$', title.strip())
        return ("revert", "", False, title.strip()) if revert else ("", "", False, title.strip())
    kind = match.group("type").lower()
    return (
        _TYPE_ALIASES.get(kind, kind),
        (match.group("scope") or "").strip(),
        bool(match.group("bang")),
        match.group("desc"),
    )


def _texts(change: Change) -> list[str]:
    texts = [change.title, *(c.subject + "\n" + c.body for c in change.commits)]
    if change.pr and change.pr.body:
        texts.append(change.pr.body)
    return texts


def inspect(change: Change, config: Config) -> Item:
    kind, scope, bang, description = conventional(change.title)
    if not kind:  # a PR titled in prose may still hold conventional commits: the weightiest type wins
        found = [conventional(c.subject) for c in change.commits]
        bang = any(f[2] for f in found)
        typed = sorted((f for f in found if f[0]), key=lambda f: _WEIGHT.get(f[0], len(_WEIGHT)))
        if typed:
            kind, scope = typed[0][0], typed[0][1]
    labels = {label.lower() for label in change.labels}
    texts = _texts(change)
    joined = "\n".join(texts)
    is_bump = bool(DEPENDENCY_BUMP.match(description)) or scope.lower().startswith("deps") or "dependencies" in labels
    if is_bump and kind in ("", "chore", "build", "fix", "ci"):
        kind = "deps"
    breaking = (
        bang
        or any(BREAKING_FOOTER.search(c.body) for c in change.commits)
        or bool(change.pr and BREAKING_FOOTER.search(change.pr.body))
        or bool(labels & set(config.breaking_labels))
    )
    advisories = sorted({_canonical(m) for m in ADVISORY.findall(joined)})
    security = (
        bool(labels & set(config.security_labels))
        or bool(advisories)
        or kind == "security"
        or scope.lower() == "security"
        or (kind == "deps" and bool(SECURITY_WORDS.search(joined)))
    )
    return Item(change, description, kind, scope, breaking, security, advisories, change.author, frozenset(labels))


def _canonical(advisory: str) -> str:
    """``GHSA-xxxx-xxxx-xxxx`` (lower-case body, as GitHub writes it) or ``CVE-YYYY-NNNN``."""
    return "GHSA" + advisory[4:].lower() if advisory.upper().startswith("GHSA") else advisory.upper()


def _excluded_because(item: Item, config: Config) -> str:
    hit = sorted(item.labels & set(config.exclude_labels))
    if hit:
        return f"label '{hit[0]}' is excluded by {config.source}"
    if config.include_labels and not item.labels.intersection(config.include_labels):
        return f"no label listed in include-labels of {config.source}"
    if item.author.lower() in {a.lower() for a in config.exclude_authors}:  # logins ignore case
        return f"author '{item.author}' is excluded by {config.source}"
    if item.breaking or item.security:
        return ""  # never hide these behind a bot or release heuristic
    if item.author.endswith("[bot]") and item.type != "deps":
        return f"bot author '{item.author}' (not a dependency or security change)"
    if RELEASE_COMMIT.match(item.change.title.strip()):
        return "release commit"
    return ""


def _matches(category: Category, item: Item) -> bool:
    if item.labels.intersection(category.exclude_labels) or item.author.lower() in category.exclude_authors:
        return False
    return "*" in category.labels or bool(item.labels.intersection(category.labels)) or item.type in category.types


def classify(changes: list[Change], config: Config) -> Classified:
    buckets: dict[str, list[Item]] = {c.title: [] for c in config.categories}
    other: list[Item] = []
    breaking: list[Item] = []
    security: list[Item] = []
    excluded: list[Exclusion] = []
    for change in changes:
        item = inspect(change, config)
        reason = _excluded_because(item, config)
        if reason:
            excluded.append(Exclusion(change, reason))
            continue
        breaking += [item] if item.breaking else []
        security += [item] if item.security else []
        if item.breaking or item.security:
            continue  # listed once, in the overlay sections that come first
        category = next((c for c in config.categories if _matches(c, item)), None)
        # The fallback category (release-drafter's category without labels) takes what no other takes.
        (buckets[category.title] if category else buckets.get(config.fallback, other)).append(item)
    overlay_security = [i for i in security if not i.breaking]
    sections = [(BREAKING_TITLE, breaking), (SECURITY_TITLE, overlay_security)]
    sections += list(buckets.items())
    if other:
        title = OTHER_TITLE if OTHER_TITLE not in buckets else f"{OTHER_TITLE} (uncategorised)"
        sections.append((title, other))
    return Classified([(t, items) for t, items in sections if items], breaking, security, excluded)
