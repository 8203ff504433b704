"""The version a project file declares, read by parsing its format (never grep).

``pyproject.toml`` (``[project]``, then ``[tool.poetry]``), ``package.json``,
``Cargo.toml`` (``version.workspace = true`` resolved from the workspace root),
``setup.cfg`` (``[metadata] version``, ``file:`` followed) and a plain one-line
file such as ``VERSION``. Versions compare by PEP 440 normalisation, so the tag
``v1.2.3-rc.1`` matches ``1.2.3rc1``; semver-only versions compare as semver.
"""

from __future__ import annotations

import configparser
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sovereign import semver, tags
from sovereign.gha import quote

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, shipped as tomli (pinned in requirements/runtime.txt)
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

_PEP440 = re.compile(
    r"""
    v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?
    (?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    """,
    re.VERBOSE | re.IGNORECASE,
)
_PRE_SPELLING = {"alpha": "a", "a": "a", "beta": "b", "b": "b", "c": "rc", "pre": "rc", "preview": "rc", "rc": "rc"}
_MAX_BYTES = 1_000_000  # a version file is small; refuse to slurp anything huge


@dataclass(frozen=True)
class Found:
    """What a file declares: a version, or why it has none that can be compared."""

    version: str | None
    where: str  # e.g. "[project].version"
    dynamic: str = ""  # set when the version is computed at build time (setuptools-scm, attr:, …)


class VersionFileError(Exception):
    """The file is missing, unreadable or malformed; the message says which and why."""


def pep440_key(text: str) -> tuple[object, ...] | None:
    """PEP 440's normal form as a comparable key, or None if ``text`` is not PEP 440."""
    match = _PEP440.fullmatch(text.strip())
    if not match:
        return None
    release = [int(part) for part in match.group("release").split(".")]
    while len(release) > 1 and release[-1] == 0:  # 1.2 == 1.2.0 under PEP 440
        release.pop()
    pre = None
    if match.group("pre_l"):
        pre = (_PRE_SPELLING[match.group("pre_l").lower()], int(match.group("pre_n") or 0))
    post = None
    if match.group("post"):
        post = int(match.group("post_n1") or match.group("post_n2") or 0)
    dev = int(match.group("dev_n") or 0) if match.group("dev_l") else None
    local = re.sub(r"[-_.]", ".", match.group("local").lower()) if match.group("local") else None
    return (int(match.group("epoch") or 0), tuple(release), pre, post, dev, local)


def same_version(found: str, expected: tags.AnyVersion) -> bool:
    """Does a file's version equal the tag's? PEP 440 equivalence, else semver equality."""
    if isinstance(expected, tags.Pep440):
        return pep440_key(found) == pep440_key(str(expected))
    core = f"{expected.major}.{expected.minor}.{expected.patch}"
    tag_text = core + ("-" + ".".join(expected.prerelease) if expected.prerelease else "")
    found_key, tag_key = pep440_key(found), pep440_key(tag_text)
    if found_key is not None and tag_key is not None:
        return found_key == tag_key
    as_semver = semver.parse(found.strip().removeprefix("v"))
    return as_semver is not None and as_semver == expected


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > _MAX_BYTES:
            raise VersionFileError(f"is larger than {_MAX_BYTES} bytes")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VersionFileError("does not exist") from None
    except IsADirectoryError:
        raise VersionFileError("is a directory, not a file") from None
    except UnicodeDecodeError:
        raise VersionFileError("is not UTF-8 text") from None
    except OSError as err:
        raise VersionFileError(f"cannot be read ({err.strerror})") from None


def _toml(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError as err:
        raise VersionFileError(f"is not valid TOML ({err})") from None
    return data


def _string(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise VersionFileError(f"has {where} = {quote(str(value), 40)}, not a version string")
    return value.strip()


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def read_pyproject(path: Path) -> Found:
    data = _toml(path)
    project = _table(data, "project")
    if "version" in project:
        return Found(_string(project["version"], "[project].version"), "[project].version")
    tool = _table(data, "tool")
    dynamic = project.get("dynamic")
    if isinstance(dynamic, list) and "version" in dynamic:
        by = " by setuptools-scm, from git" if "setuptools_scm" in tool else ""
        return Found(None, "[project].dynamic", f"the version is dynamic (computed{by} at build time)")
    poetry = _table(tool, "poetry")
    if _table(tool, "poetry-dynamic-versioning").get("enabled") is True:
        return Found(None, "[tool.poetry-dynamic-versioning]", "the version is dynamic (poetry-dynamic-versioning)")
    if "version" in poetry:
        return Found(_string(poetry["version"], "[tool.poetry].version"), "[tool.poetry].version")
    raise VersionFileError("has neither [project].version nor [tool.poetry].version")


def read_package_json(path: Path) -> Found:
    try:
        data = json.loads(_read(path))
    except json.JSONDecodeError as err:
        raise VersionFileError(f"is not valid JSON ({err.msg} at line {err.lineno})") from None
    if not isinstance(data, dict) or "version" not in data:
        raise VersionFileError('has no top-level "version"')
    return Found(_string(data["version"], '"version"'), '"version"')


def _cargo_workspace_version(member: Path, stop: Path) -> Found:
    """``version.workspace = true``: the nearest ancestor Cargo.toml with ``[workspace]``."""
    for folder in member.parent.parents:
        candidate = folder / "Cargo.toml"
        if candidate.is_file():
            workspace = _table(_toml(candidate), "workspace")
            if workspace:
                version = _table(workspace, "package").get("version")
                where = f"[workspace.package].version of {candidate.relative_to(stop).as_posix()}"
                if version is None:
                    raise VersionFileError(f"inherits its version, but {where} is not set")
                return Found(_string(version, where), where)
        if folder == stop:
            break
    raise VersionFileError("has version.workspace = true but no workspace root Cargo.toml was found above it")


def read_cargo(path: Path, root: Path) -> Found:
    data = _toml(path)
    package = _table(data, "package")
    if "version" not in package:
        workspace_version = _table(_table(data, "workspace"), "package").get("version")
        if workspace_version is not None:  # a virtual workspace root
            return Found(_string(workspace_version, "[workspace.package].version"), "[workspace.package].version")
        raise VersionFileError("has no [package].version")
    version = package["version"]
    if isinstance(version, dict) and version.get("workspace") is True:
        return _cargo_workspace_version(path, root)
    return Found(_string(version, "[package].version"), "[package].version")


def read_setup_cfg(path: Path, root: Path) -> Found:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(_read(path), source=str(path))
    except configparser.Error as err:
        raise VersionFileError(f"is not a valid setup.cfg ({type(err).__name__})") from None
    if not parser.has_option("metadata", "version"):
        raise VersionFileError("has no [metadata] version")
    value = parser.get("metadata", "version").strip()
    if value.startswith("attr:"):
        return Found(None, "[metadata] version", f"the version is dynamic ({value}: read from code at build time)")
    if value.startswith("file:"):
        target = value.removeprefix("file:").strip().split(",")[0].strip()
        found = read_plain(inside(root, (path.parent / target).relative_to(root).as_posix()))
        return Found(found.version, f"[metadata] version = file: {target}")
    return Found(_string(value, "[metadata] version"), "[metadata] version")


def read_plain(path: Path) -> Found:
    lines = [line.strip() for line in _read(path).splitlines() if line.strip()]
    if len(lines) != 1:
        raise VersionFileError(f"should hold exactly one non-empty line (the version), it has {len(lines)}")
    return Found(lines[0], "its content")


def inside(root: Path, name: str) -> Path:
    """``name`` under ``root``; paths that leave the workspace are refused."""
    if not name or name.startswith("-") or Path(name).is_absolute():
        raise VersionFileError("must be a relative path inside the workspace")
    resolved_root = root.resolve()
    path = (resolved_root / name).resolve()
    if not path.is_relative_to(resolved_root):
        raise VersionFileError("is outside the workspace")
    return path


def read_version(root: Path, name: str) -> Found:
    """The version ``name`` (relative to ``root``) declares, by the file's kind."""
    path = inside(root, name)
    base = path.name.lower()
    resolved_root = root.resolve()
    if base == "pyproject.toml":
        return read_pyproject(path)
    if base == "package.json":
        return read_package_json(path)
    if base == "cargo.toml":
        return read_cargo(path, resolved_root)
    if base == "setup.cfg":
        return read_setup_cfg(path, resolved_root)
    return read_plain(path)
