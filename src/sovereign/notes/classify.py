"""Which section each change goes in, what is breaking or a security fix, and what is left out (and why)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sovereign.notes import titles
from sovereign.notes.config import BREAKING_TITLE, OTHER_TITLE, SECURITY_TITLE, Category, Config
from sovereign.notes.group import is_advisory_merge
from sovereign.notes.model import Change
from sovereign.notes.people import BOT_SUFFIX
from sovereign.notes.release_commits import RELEASE_COMMIT
from sovereign.notes.reverts import REVERT_TITLE, titled

CONVENTIONAL = re.compile(r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\r\n]*)\))?(?P<bang>!)?:\s*(?P<desc>\S.*)$")
# `net/http: fix …`, `pyproject.toml: add …`, `cmd/go, go/build: …`: a component, not a type.
COMPONENT = re.compile(r"^(?P<scope>[\w.+-]+(?:/[\w.+-]+)*(?:,\s*[\w.+-]+(?:/[\w.+-]+)*)*):\s+(?P<desc>\S.*)$")
TYPES = frozenset(
    [
        "feat",
        "fix",
        "docs",
        "style",
        "refactor",
        "perf",
        "test",
        "tests",
        "build",
        "ci",
        "chore",
        "revert",
        "deps",
        "security",
        "release",
    ]
)
# At the start of a body line, upper case, with or without the colon.
BREAKING_FOOTER = re.compile(r"^[ \t]*BREAKING[ -]CHANGES?(?::|[ \t]|$)[ \t]*(?P<text>.*)$", re.M)
# GHSA ids in GitHub's alphabet; CVE ids also as people write them: `CVE 2024 47081`, `CVE_2024_47081`.
ADVISORY = re.compile(r"\b(?:GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|CVE[-_ ]\d{4}[-_ ]\d{4,})\b", re.I)
DEPENDENCY_UPDATE = re.compile(
    r"^(?:\[[^\]]*\]\s*)?(?:"
    r"(?:bump|update|upgrade)s?\s+\S+.*\bfrom\s+\S+\s+to\s+\S+"  # Dependabot: Bump x from 1 to 2
    r"|bumps?\s+the\s+\S+\s+group\b"  # Dependabot groups: Bump the pip group with 3 updates
    r"|(?:update|upgrade|pin)\s+(?:dependency|dependencies|module)\b"  # Renovate: Update dependency x to v2
    r"|(?:update|upgrade)\s+\S+\s+(?:action|digest|docker tag|image)\s+to\b"  # Renovate: Update x action to v4
    r"|(?:update|upgrade)\s.*\bdependencies\b"  # Renovate groups: Update all non-major dependencies
    r"|(?:\[pre-commit\.ci\]\s*)?pre-commit autoupdate\b"
    r"|lock file maintenance\b"
    r")",
    re.I,
)
# A word, not part of a name: `step-security/harden-runner` or `SECURITY.md` is no security fix.
SECURITY_WORDS = re.compile(r"(?<![\w/.-])(?:security|vulnerabilit(?:y|ies))(?![\w/.-])", re.I)
_WEIGHT = {t: i for i, t in enumerate(("security", "feat", "fix", "perf", "deps", "docs", "refactor", "revert"))}
_TYPE_ALIASES = {"feature": "feat", "bugfix": "fix", "doc": "docs", "performance": "perf", "dep": "deps"}
_DEPENDENCY_KINDS = ("", "chore", "build", "fix", "ci", "deps")


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
    dependency: bool = False  # a dependency update: the Dependencies section, whatever its type
    breaking_notes: list[str] = field(default_factory=list)  # what the breaking commits say, beyond the title


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
    """``(type, scope, bang, description)``; type "" when the title is not conventional.

    A prefix that is no conventional type (``sentinel:``, ``net/http:``) is the
    scope; backport markers (``[9.0.x] ``) in front are not part of the title.
    """
    title = titles.strip_markers(title)
    match = CONVENTIONAL.match(title)
    if match:
        kind = match.group("type").lower()
        kind = _TYPE_ALIASES.get(kind, kind)
        if kind in TYPES:
            description = titled(match.group("desc")) if kind == "revert" else match.group("desc")
            return kind, (match.group("scope") or "").strip(), bool(match.group("bang")), description
    component = COMPONENT.match(title)
    if component:
        return "", component.group("scope"), False, component.group("desc")
    if REVERT_TITLE.match(title):
        return "revert", "", False, title
    return "", "", False, title


def _texts(change: Change) -> list[str]:
    texts = [change.title, *(c.subject + "\n" + c.body for c in change.commits)]
    if change.pr and change.pr.body:
        texts.append(change.pr.body)
    return texts


def _breaking_notes(change: Change) -> list[str] | None:
    """What each breaking commit (or the PR body) says; None when nothing is breaking."""
    notes: list[str] = []
    breaking = False
    messages = [(c.subject, c.body) for c in change.commits]
    messages += [("", change.pr.body)] if change.pr and change.pr.body else []
    for subject, body in messages:
        footers = [m.group("text").strip() for m in BREAKING_FOOTER.finditer(subject + "\n" + body)]
        _, _, bang, description = conventional(subject)
        if footers or bang:
            breaking = True
            notes += [f for f in footers if f] or ([description] if subject else [])
    return list(dict.fromkeys(notes)) if breaking else None


def inspect(change: Change, config: Config) -> Item:
    kind, scope, bang, description = conventional(titles.title(change))
    if not kind:  # a PR titled in prose may still hold conventional commits: the weightiest type wins
        typed = sorted(
            (f for f in (conventional(c.subject) for c in change.commits) if f[0]),
            key=lambda f: _WEIGHT.get(f[0], len(_WEIGHT)),
        )
        if typed:
            kind, scope = typed[0][0], scope or typed[0][1]
    labels = {label.lower() for label in change.labels}
    joined = "\n".join(_texts(change))
    update = bool(DEPENDENCY_UPDATE.match(description)) or scope.lower().startswith("deps") or "dependencies" in labels
    dependency = update and kind in _DEPENDENCY_KINDS
    kind = kind or ("deps" if dependency else "")
    notes = _breaking_notes(change)
    breaking = bang or notes is not None or bool(labels & set(config.breaking_labels))
    advisories = sorted({_canonical(m) for m in ADVISORY.findall(joined)})
    security = (
        bool(labels & set(config.security_labels))
        or bool(advisories)
        or kind == "security"
        or scope.lower() == "security"
        or any(is_advisory_merge(c) for c in change.commits)
        or (dependency and bool(SECURITY_WORDS.search(description)))
    )
    return Item(
        change,
        description,
        kind,
        scope,
        breaking,
        security,
        advisories,
        change.author,
        frozenset(labels),
        dependency,
        [n for n in notes or [] if n != description],
    )


def _canonical(advisory: str) -> str:
    """``GHSA-xxxx-xxxx-xxxx`` (lower-case body, as GitHub writes it) or ``CVE-YYYY-NNNN``."""
    if advisory.upper().startswith("GHSA"):
        return "GHSA" + advisory[4:].lower()
    return "CVE-" + "-".join(re.split(r"[-_ ]", advisory)[1:])


def _author_in(author: str, names: Iterable[str]) -> bool:
    """Logins ignore case; ``dependabot`` also names ``dependabot[bot]``."""
    if not names:  # the usual case, asked for every change and category
        return False
    wanted = {n.lower() for n in names}
    login = author.lower()
    return login in wanted or (login.endswith(BOT_SUFFIX) and login[: -len(BOT_SUFFIX)] in wanted)


def _excluded_because(item: Item, config: Config) -> str:
    hit = sorted(item.labels & set(config.exclude_labels))
    if hit:
        return f"label '{hit[0]}' is excluded by {config.source}"
    if config.include_labels and not item.labels.intersection(config.include_labels):
        return f"no label listed in include-labels of {config.source}"
    if _author_in(item.author, config.exclude_authors):
        return f"author '{item.author}' is excluded by {config.source}"
    if item.breaking or item.security:
        return ""  # never hide these behind a release heuristic
    if RELEASE_COMMIT.match(item.change.title.strip()):
        return "release commit"
    return ""


def _matches(category: Category, item: Item) -> bool:
    if item.labels.intersection(category.exclude_labels) or _author_in(item.author, category.exclude_authors):
        return False
    kind = "deps" if item.dependency else item.type
    return "*" in category.labels or bool(item.labels.intersection(category.labels)) or kind in category.types


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
