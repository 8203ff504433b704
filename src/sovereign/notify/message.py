"""One platform-neutral message, built from a changelog JSON or from Markdown notes.

Texts here are as found (untrusted); URLs are already checked (:func:`safe_url`).
Renderers decide how much fits and escape for their platform.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

from sovereign.github_env import run_url
from sovereign.notify.sanitize import plain, safe_url
from sovereign.release import Changelog

STATUSES = ("success", "failure", "cancelled")
BREAKING = "⚠️ Breaking changes"
SECURITY = "🔒 Security"
# status -> (icon, word); each platform adds its own colour
LOOK = {"success": ("✅", "Released"), "failure": ("❌", "Failed"), "cancelled": ("⏹️", "Cancelled")}
ENTRY_CHARS = 300  # one entry's title, after escaping: a notification, not the notes
NAME_CHARS = 60  # a contributor or author name


@dataclass(frozen=True)
class Item:
    """One change: its title, a short reference (``#12`` or a commit), a link.

    The link is checked when it is shown: most entries of a big release never are.
    """

    text: str
    ref: str = ""
    raw_url: str = ""
    author: str = ""

    @cached_property
    def url(self) -> str:
        return safe_url(self.raw_url)


@dataclass(frozen=True)
class Group:
    title: str
    items: tuple[Item, ...]
    count: int  # every entry of the section, highlighted ones included


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Message:
    title: str
    status: str
    repository: str
    tag: str
    highlights: tuple[Group, ...]  # breaking, then security
    groups: tuple[Group, ...]  # the sections, highlighted entries left out of their items
    contributors: tuple[str, ...]
    links: tuple[Link, ...]  # release, compare, snapshot, run
    notes_url: str  # where "…and N more" points: the full notes

    @property
    def total(self) -> int:
        """How many entries can be shown (each once)."""
        return sum(len(g.items) for g in (*self.highlights, *self.groups))

    def shown_order(self) -> Iterator[tuple[Group, Item]]:
        """Entries in display order: breaking, security, then each section."""
        for group in (*self.highlights, *self.groups):
            for item in group.items:
                yield group, item

    @property
    def counts(self) -> list[tuple[str, int]]:
        return [(g.title, g.count) for g in self.groups if g.count]


def default_title(repository: str, tag: str, status: str) -> str:
    what = {"success": "released", "failure": "release failed", "cancelled": "release cancelled"}[status]
    return " ".join(part for part in (repository, tag, what) if part)


def _item(entry: Mapping[str, object]) -> Item:
    pr, commit = entry.get("pr"), str(entry.get("commit") or "")[:7]
    ref = f"#{pr}" if type(pr) is int else commit if commit.isalnum() else plain(commit)
    return Item(
        text=str(entry.get("title") or ""),
        ref=ref,
        raw_url=str(entry.get("url") or ""),
        author=str(entry.get("author") or ""),
    )


def _entries(value: object) -> list[Mapping[str, object]]:
    """The entries of a list, skipping anything that is not an object."""
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def _key(entry: Mapping[str, object]) -> tuple[str, str, object]:
    return (str(entry.get("commit") or ""), str(entry.get("title") or ""), entry.get("pr"))


def _names(value: object) -> tuple[str, ...]:
    """The contributors, leaving out names that are blank once cleaned (only a zero-width space, say)."""
    names = (str(name) for name in value) if isinstance(value, list) else ()
    return tuple(name for name in names if plain(name))


def _links(release: str, compare: str, snapshot: str, run: str) -> tuple[Link, ...]:
    pairs = (("Release", release), ("Compare", compare), ("Snapshot", snapshot), ("Run", run))
    return tuple(Link(label, safe) for label, url in pairs if (safe := safe_url(url)))


def from_changelog(
    changelog: Changelog,
    *,
    status: str,
    title: str = "",
    repository: str = "",
    tag: str = "",
    release_url: str = "",
    snapshot_url: str = "",
    environ: Mapping[str, str] | None = None,
) -> Message:
    """The message for a ``sovereign.changelog/v1`` document."""
    repository = repository or str(changelog.get("repository") or "")
    tag = tag or str(changelog.get("tag") or "")
    breaking = _entries(changelog.get("breaking"))
    seen = {_key(e) for e in breaking}
    security = [e for e in _entries(changelog.get("security")) if _key(e) not in seen]
    seen |= {_key(e) for e in security}
    highlights = tuple(
        Group(name, tuple(_item(e) for e in entries), len(entries))
        for name, entries in ((BREAKING, breaking), (SECURITY, security))
        if entries
    )
    groups = []
    for section in changelog.get("sections") or []:
        if not isinstance(section, dict):
            continue
        entries = _entries(section.get("entries"))
        rest = tuple(_item(e) for e in entries if _key(e) not in seen)
        groups.append(Group(str(section.get("title") or "Changes"), rest, len(entries)))
    release = release_url or str(changelog.get("release_url") or "")
    compare = str(changelog.get("compare_url") or "")
    run = run_url(environ or {})
    links = _links(release, compare, snapshot_url, run)
    return Message(
        title=title or default_title(repository, tag, status),
        status=status,
        repository=repository,
        tag=tag,
        highlights=highlights,
        groups=tuple(groups),
        contributors=_names(changelog.get("contributors")),
        links=links,
        notes_url=next((link.url for link in links if link.label in ("Release", "Compare", "Run")), ""),
    )


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")


def from_markdown(
    notes: str,
    *,
    status: str,
    title: str = "",
    repository: str = "",
    tag: str = "",
    release_url: str = "",
    snapshot_url: str = "",
    environ: Mapping[str, str] | None = None,
) -> Message:
    """The message for plain Markdown notes: headings become sections, lines entries."""
    sections: list[tuple[str, list[Item]]] = []
    for line in notes.splitlines():
        heading = _HEADING.match(line)
        if heading:
            sections.append((heading.group(1) or "Changes", []))
            continue
        bullet = _BULLET.match(line)
        text = (bullet.group(1) if bullet else line).strip()
        if not text:
            continue
        if not sections:
            sections.append(("Changes", []))
        sections[-1][1].append(Item(text=text))
    links = _links(release_url, "", snapshot_url, run_url(environ or {}))
    return Message(
        title=title or default_title(repository, tag, status),
        status=status,
        repository=repository,
        tag=tag,
        highlights=(),
        groups=tuple(Group(name, tuple(items), len(items)) for name, items in sections if items),
        contributors=(),
        links=links,
        notes_url=next((link.url for link in links if link.label in ("Release", "Run")), ""),
    )
