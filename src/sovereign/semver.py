"""Semantic versions (semver.org 2.0.0): parse strictly, order by precedence (§11).

Precedence is never taken from ``git tag --sort`` or ``sort -V``: both put
``1.0.0-rc.1`` above ``1.0.0``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# [0-9], not \d: \d also matches non-ASCII digits such as "٣".
NUM = r"(?:0|[1-9][0-9]*)"
_IDENT = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
PRERELEASE = rf"{_IDENT}(?:\.{_IDENT})*"
BUILD = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
VERSION = rf"(?P<major>{NUM})\.(?P<minor>{NUM})\.(?P<patch>{NUM})(?:-(?P<pre>{PRERELEASE}))?(?:\+(?P<build>{BUILD}))?"
_VERSION_RE = re.compile(VERSION)
_VERSION_AT_END_RE = re.compile(rf"(?<![0-9.]){VERSION}\Z")


@functools.total_ordering
@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: str = ""

    @property
    def is_prerelease(self) -> bool:
        return bool(self.prerelease)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(self.prerelease)
        if self.build:
            text += "+" + self.build
        return text

    def _key(self) -> tuple[object, ...]:
        # A release sorts above its prereleases; numeric identifiers sort below
        # alphanumeric ones and compare as numbers; build metadata is ignored.
        pre: tuple[object, ...] = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()


def _from_match(match: re.Match[str]) -> Version:
    pre = match.group("pre")
    return Version(
        int(match.group("major")),
        int(match.group("minor")),
        int(match.group("patch")),
        tuple(pre.split(".")) if pre else (),
        match.group("build") or "",
    )


def parse(text: str) -> Version | None:
    """The version if ``text`` is exactly a semver version, else None."""
    match = _VERSION_RE.fullmatch(text)
    return _from_match(match) if match else None


def from_tag(tag: str) -> Version | None:
    """The version a tag ends with (``v1.2.3``, ``release-1.2.3-rc.1``), or None."""
    match = _VERSION_AT_END_RE.search(tag)
    return _from_match(match) if match else None


def split_tag(tag: str) -> tuple[str, Version] | None:
    """``("v", 1.2.3)`` for ``v1.2.3``: the prefix and the version it ends with."""
    match = _VERSION_AT_END_RE.search(tag)
    return (tag[: match.start()], _from_match(match)) if match else None
