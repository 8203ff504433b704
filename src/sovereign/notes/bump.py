"""The version bump the changes call for, and the version and tag it leads to.

One rule, shared by the changelog (outputs ``bump``, ``next-version``,
``next-tag``) and the sentinel (``bump-check``):

* a breaking change calls for a major bump, or a minor one while the major
  version is 0 (``breaking-in-0x: minor``, the default; ``major`` turns that off);
* a feature (a ``feat`` type, or one of the config's ``feature-labels``) calls
  for a minor bump;
* any other listed change calls for a patch bump; nothing listed, for none.

Pure: classified changes and versions in, names and versions out.
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import Version as PackagingVersion

from sovereign import semver, tags
from sovereign.markdown import plural
from sovereign.notes.classify import Classified, Item
from sovereign.notes.config import Config

LEVELS = ("none", "patch", "minor", "major")  # weakest first: a bump is enough when its rank is at least the need's


def rank(level: str) -> int:
    return LEVELS.index(level)


@dataclass(frozen=True)
class Bump:
    level: str  # one of LEVELS
    why: str  # e.g. "2 breaking changes", for summaries and messages
    deciding: tuple[Item, ...]  # the changes that called for this level


def is_feature(item: Item, config: Config) -> bool:
    return item.type == "feat" or bool(item.labels & set(config.feature_labels))


def needed(classified: Classified, config: Config, previous: tags.AnyVersion | None) -> Bump:
    """The bump the listed changes call for, over ``previous`` (None: a first release)."""
    listed = [item for _, items in classified.sections for item in items]
    if classified.breaking:
        in_0x = previous is None or previous.major == 0
        why = plural(len(classified.breaking), "breaking change")
        if in_0x and config.breaking_in_0x == "minor":
            return Bump("minor", why + " while the major version is 0", tuple(classified.breaking))
        return Bump("major", why, tuple(classified.breaking))
    features = tuple(item for item in listed if is_feature(item, config))
    if features:
        return Bump("minor", plural(len(features), "feature"), features)
    if listed:
        # release-drafter's version-resolver: changes without one of its patch labels take its default.
        default = config.version_resolver.default
        unlabelled = tuple(item for item in listed if not item.labels & set(config.version_resolver.patch))
        if unlabelled and rank(default) > rank("patch"):
            why = f"{plural(len(unlabelled), 'change')} without a version label (version-resolver default: {default})"
            return Bump(default, why, unlabelled)
        return Bump("patch", f"{plural(len(listed), 'change')}, none of them a feature or breaking", tuple(listed))
    return Bump("none", "no change is listed", ())


def between(previous: tags.AnyVersion, version: tags.AnyVersion) -> str:
    """The bump from ``previous`` to ``version``, read from their release numbers (``none``: the same numbers)."""
    if version.major != previous.major:
        return "major"
    if version.minor != previous.minor:
        return "minor"
    if version.patch != previous.patch:
        return "patch"
    return "none"


def stable(version: tags.AnyVersion) -> tags.AnyVersion:
    """The release a prerelease leads to: 1.2.0 for 1.2.0-rc.1 (and 1.2 for 1.2rc1)."""
    if isinstance(version, tags.Pep440):
        return tags.Pep440(PackagingVersion(version.parsed.base_version))
    return semver.Version(version.major, version.minor, version.patch)


def _numbers(previous: tags.AnyVersion | None, level: str) -> tuple[int, int, int]:
    """The next release's numbers. A prerelease already counts towards its release,
    as npm does it: 1.2.0-rc.1 bumped by patch or minor is 1.2.0, 2.0.0-rc.1 by major is 2.0.0."""
    if previous is None:
        major, minor, patch = {"major": (1, 0, 0), "minor": (0, 1, 0)}.get(level, (0, 1, 0))
        return major, minor, patch
    major, minor, patch = previous.major, previous.minor, previous.patch
    lands = level == "patch" or (level == "minor" and patch == 0) or (level == "major" and minor == patch == 0)
    if previous.is_prerelease and lands:
        return major, minor, patch
    if level == "major":
        return major + 1, 0, 0
    if level == "minor":
        return major, minor + 1, 0
    return major, minor, patch + 1


def next_version(previous: tags.AnyVersion | None, level: str, scheme: str) -> tags.AnyVersion | None:
    """``previous`` bumped by ``level``; None when nothing calls for a release.

    A first release is 0.1.0 unless a major bump is called for (1.0.0). PEP 440
    versions keep their number of components where they can: 26.2 bumped by
    minor is 26.3, by patch 26.2.1.
    """
    if level == "none":
        return None
    major, minor, patch = _numbers(previous, level)
    if scheme == "semver":
        return semver.Version(major, minor, patch)
    width = len(previous.parsed.release) if isinstance(previous, tags.Pep440) else 3
    needed_width = {"major": 1, "minor": 2, "patch": 3}[level]
    numbers = (major, minor, patch)[: max(width, needed_width, 2)]
    return tags.Pep440(PackagingVersion(".".join(str(n) for n in numbers)))


def next_tag(prefix: str, version: tags.AnyVersion | None) -> str:
    """The tag of ``version`` in the previous release's pattern: ``v1.3.0``, ``app-v1.3.0``, ``2.0``."""
    return f"{prefix}{version}" if version is not None else ""
