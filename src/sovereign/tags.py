"""Which earlier tag a release is compared with, and why.

Shared by the sentinel (output ``previous-tag``) and the changelog (its range).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sovereign import semver


@dataclass(frozen=True)
class Previous:
    tag: str | None  # None: this is the first release
    reason: str


def release_tags(tag: str, names: Iterable[str]) -> dict[str, semver.Version]:
    """The tags in ``names`` that share ``tag``'s prefix (``v``, ``pkg-``) and hold a version."""
    own = semver.split_tag(tag)
    prefix = own[0] if own else "v"
    found: dict[str, semver.Version] = {}
    for name in names:
        split = semver.split_tag(name)
        if split and split[0] == prefix:
            found[name] = split[1]
    return found


def previous_tag(
    tag: str,
    version: semver.Version,
    candidates: dict[str, semver.Version],
    is_ancestor: Callable[[str], bool],
) -> Previous:
    """The highest tag below ``tag`` by semver precedence that is an ancestor of it.

    A stable release skips prereleases (v1.1.0 compares with v1.0.0, not
    v1.1.0-rc.2); a prerelease compares with the previous tag of any kind.
    ``is_ancestor(name)`` is asked lazily, highest first.
    """
    below = sorted(
        ((v, name) for name, v in candidates.items() if v < version and name != tag),
        key=lambda pair: pair[0],
        reverse=True,
    )
    kind = "tag"
    if not version.is_prerelease:
        below = [(v, name) for v, name in below if not v.is_prerelease]
        kind = "release tag"
    skipped: list[str] = []
    for _, name in below:
        if is_ancestor(name):
            note = (
                f" (skipped {', '.join(skipped[:3])}{'…' if len(skipped) > 3 else ''}: not ancestors)"
                if skipped
                else ""
            )
            return Previous(name, f"{name} is the highest {kind} below {tag} that is an ancestor of it{note}")
        skipped.append(name)
    if skipped:
        return Previous(
            None, f"none of the {len(skipped)} lower {kind}s is an ancestor of {tag}: treated as the first release"
        )
    return Previous(None, f"no {kind} below {tag}: first release, everything from the root commit")
