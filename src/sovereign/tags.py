"""Which earlier tag a release is compared with, and why; the version scheme tags are read with.

Shared by the sentinel (output ``previous-tag``) and the changelog (its range).
Two schemes: ``semver`` (the default, :mod:`sovereign.semver`) and ``pep440``
(``packaging``'s versions: ``1.0rc1``, ``2.34.0.dev1``, ``26.2``) for Python
projects that tag that way. Tags the scheme cannot read are left out of the
choice and named, so a skipped release is never silent.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from packaging.version import InvalidVersion
from packaging.version import Version as PackagingVersion

from sovereign import semver
from sovereign.errors import SovereignError
from sovereign.markdown import plural

SCHEMES = ("semver", "pep440")


@functools.total_ordering
@dataclass(frozen=True)
class Pep440:
    """A PEP 440 version with the fields a semver Version offers (for outputs and messages)."""

    parsed: PackagingVersion

    @property
    def major(self) -> int:
        return self._release(0)

    @property
    def minor(self) -> int:
        return self._release(1)

    @property
    def patch(self) -> int:
        return self._release(2)

    @property
    def prerelease(self) -> tuple[str, ...]:
        """``("rc1",)``, ``("dev2",)``, ``("b1", "dev0")``: what makes it a prerelease."""
        pre = self.parsed.pre
        dev = self.parsed.dev
        return ((f"{pre[0]}{pre[1]}",) if pre else ()) + ((f"dev{dev}",) if dev is not None else ())

    @property
    def is_prerelease(self) -> bool:
        return self.parsed.is_prerelease  # a, b, rc and dev releases; post releases are final

    def _release(self, index: int) -> int:
        release = self.parsed.release
        return release[index] if index < len(release) else 0

    def __str__(self) -> str:
        return str(self.parsed)

    def __lt__(self, other: Pep440) -> bool:
        return self.parsed < other.parsed


class AnyVersion(Protocol):
    """What both schemes' versions offer: order, prerelease, and the numbers outputs show."""

    @property
    def major(self) -> int: ...
    @property
    def minor(self) -> int: ...
    @property
    def patch(self) -> int: ...
    @property
    def prerelease(self) -> tuple[str, ...]: ...
    @property
    def is_prerelease(self) -> bool: ...
    def __lt__(self, other: Any, /) -> bool: ...  # only ever compared within one scheme


def check_scheme(value: str, input_name: str = "version-scheme") -> str:
    """The scheme named by an input (empty: semver), or a usage error."""
    scheme = value.strip().lower() or "semver"
    if scheme not in SCHEMES:
        raise SovereignError(
            f"input '{input_name}' must be semver or pep440, got {value!r}",
            "use version-scheme: semver (vMAJOR.MINOR.PATCH tags) or pep440 (1.0, 1.0rc1, 2.0.dev1)",
        )
    return scheme


def parse_version(text: str, scheme: str) -> AnyVersion | None:
    """``text`` read whole as a version of ``scheme``, or None."""
    if scheme == "semver":
        return semver.parse(text)
    if not (text[:1].isdigit() and text.isascii() and text == text.strip()):  # packaging also reads " v1.0 "
        return None
    try:
        return Pep440(PackagingVersion(text))
    except InvalidVersion:
        return None


def split_tag(tag: str, scheme: str) -> tuple[str, AnyVersion] | None:
    """``("v", 1.2.3)`` for ``v1.2.3``: the prefix and the version the tag ends with."""
    if scheme == "semver":
        return semver.split_tag(tag)
    for start in (m.start() for m in re.finditer(r"(?<![0-9.])[0-9]", tag)):  # longest version first
        version = parse_version(tag[start:], scheme)
        if version is not None:
            return tag[:start], version
    return None


@dataclass(frozen=True)
class Previous:
    tag: str | None  # None: this is the first release
    reason: str
    ignored: tuple[str, ...] = ()  # tags that look like versions but the scheme cannot read


def release_tags(tag: str, names: Iterable[str], scheme: str = "semver") -> dict[str, AnyVersion]:
    """The tags in ``names`` that share ``tag``'s prefix (``v``, ``pkg-``) and hold a version."""
    own = split_tag(tag, scheme)
    prefix = own[0] if own else "v"
    found: dict[str, AnyVersion] = {}
    for name in names:
        split = split_tag(name, scheme)
        if split and split[0] == prefix:
            found[name] = split[1]
    return found


def unreadable(tag: str, names: Iterable[str], candidates: Mapping[str, object], scheme: str) -> tuple[str, ...]:
    """Tags with ``tag``'s prefix and a digit after it that ``scheme`` cannot read (``26.2``, ``1.0rc1``)."""
    own = split_tag(tag, scheme)
    prefix = own[0] if own else "v"
    found = (
        name
        for name in names
        if name not in candidates
        and name != tag
        and name.startswith(prefix)
        and name[len(prefix) : len(prefix) + 1].isdigit()
    )
    return tuple(sorted(found, key=_natural, reverse=True))  # the newest-looking first


def _natural(name: str) -> list[tuple[int, str]]:
    """``26.2`` above ``3.0``: numbers compare as numbers."""
    return [(int(part), "") if part.isdigit() else (-1, part) for part in re.findall(r"[0-9]+|[^0-9]+", name)]


def ignored_tags(count: int, scheme: str) -> str:
    """``1 tag that is not semver was``, ``3 tags that are not semver were``: the start of a notice."""
    return f"{plural(count, 'tag')} that {'is' if count == 1 else 'are'} not {scheme} {'was' if count == 1 else 'were'}"


def note_ignored(previous: Previous, ignored: tuple[str, ...], scheme: str) -> Previous:
    """``previous`` with the tags left out named in its reason."""
    if not ignored:
        return previous
    shown = ", ".join(ignored[:3]) + ("…" if len(ignored) > 3 else "")
    hint = "; set version-scheme: pep440 if releases are tagged that way" if scheme == "semver" else ""
    note = f" ({ignored_tags(len(ignored), scheme)} ignored: {shown}{hint})"
    return Previous(previous.tag, previous.reason + note, ignored)


_CHANNEL_ALIASES = {"a": "alpha", "b": "beta", "c": "rc"}  # PEP 440 spellings


def channel(version: AnyVersion) -> str:
    """A prerelease's channel: ``rc`` for ``-rc.2``/``rc2``, ``beta`` for ``-beta.1``/``b1``, ``dev`` for ``.dev3``."""
    first = version.prerelease[0] if version.prerelease else ""
    word = re.match(r"[A-Za-z]*", first)
    name = word.group(0).lower() if word else ""
    return _CHANNEL_ALIASES.get(name, name)


def previous_tag(tag: str, version: AnyVersion, candidates: Mapping[str, AnyVersion]) -> Previous:
    """The previous release: the highest tag below ``tag`` by the scheme's precedence, ancestor or not.

    A stable release skips prereleases (v1.1.0 compares with v1.0.0, not
    v1.1.0-rc.2). A prerelease compares with the highest lower tag that is
    stable or in its own channel (v2.0.0-rc.2 with v2.0.0-rc.1; v2.0.0-rc.1
    with v1.9.0, not v2.0.0-beta.3). Ancestry does not matter: a release on a
    maintenance branch is still the previous release, and the caller leaves out
    what it already shipped.
    """
    below = [(v, name) for name, v in candidates.items() if v < version and name != tag]
    if version.is_prerelease:
        own = channel(version)
        below = [(v, name) for v, name in below if not v.is_prerelease or channel(v) == own]
        kind = f"stable or {own or 'same-channel'} tag"
    else:
        below = [(v, name) for v, name in below if not v.is_prerelease]
        kind = "release tag"
    if not below:
        return Previous(None, f"no {kind} below {tag}: first release, everything from the root commit")
    name = sorted(below, key=lambda pair: pair[0])[-1][1]  # sorted: the versions only promise __lt__
    return Previous(name, f"{name} is the highest {kind} below {tag}")
