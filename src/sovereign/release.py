"""The changelog JSON (``sovereign.changelog/v1``): the contract between stages.

The changelog stage writes it; grafana-push and notify read it with
:func:`load` instead of re-querying GitHub or re-parsing Markdown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypedDict

from sovereign.errors import SovereignError
from sovereign.gha import quote

SCHEMA = "sovereign.changelog/v1"
# In the body of the one draft release the changelog keeps for the next version
# (draft-release): how it finds its own draft again, and how the sentinel and a
# later publish-release tell it from a draft someone made by hand.
DRAFT_MARKER = "<!-- sovereign:draft -->"


class Entry(TypedDict):
    title: str
    commit: str
    pr: int | None
    url: str
    author: str
    labels: list[str]
    type: str
    scope: str
    breaking: bool
    security: bool


class Section(TypedDict):
    title: str
    entries: list[Entry]


class Changelog(TypedDict, total=False):
    schema: str
    tag: str
    version: str
    previous_tag: str | None
    previous_tag_reason: str
    repository: str
    date: str
    compare_url: str
    release_url: str
    sections: list[Section]
    breaking: list[Entry]
    security: list[Entry]
    contributors: list[str]
    stats: dict[str, Any]
    excluded: list[dict[str, Any]]
    # the version the changes call for (notes/bump.py); bump_commits: the changes that decided it
    bump: str
    bump_reason: str
    bump_commits: list[dict[str, Any]]
    next_version: str
    next_tag: str
    unreleased: bool  # notes for the commits after the latest release, up to ref (no tag yet)
    ref: str


REQUIRED = ("tag", "repository", "sections", "breaking", "security", "contributors", "stats")


def load(path: str | Path, input_name: str = "changelog-json") -> Changelog:
    """Read and check a changelog JSON file; every problem is a clear error."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SovereignError(
            f"input '{input_name}': file {file} does not exist", "run the changelog stage first, or fix the path"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise SovereignError(
            f"input '{input_name}': cannot read {file}: {type(err).__name__}",
            "check the path and the file's permissions",
        ) from None
    except json.JSONDecodeError as err:
        raise SovereignError(
            f"input '{input_name}': {file} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})",
            "pass the changelog-<tag>.json the changelog stage wrote",
        ) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise SovereignError(
            f"input '{input_name}': {file} is not a {SCHEMA} document",
            "pass the changelog-<tag>.json the changelog stage wrote",
        )
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise SovereignError(
            f"input '{input_name}': {file} lacks {', '.join(missing)}", "regenerate it with the changelog stage"
        )
    return data  # type: ignore[return-value]


def check_tag(changelog: Changelog, tag: str) -> None:
    """A changelog JSON only ever speaks for its own release: another tag's
    entries and compare link under this tag's name would be wrong."""
    if changelog.get("tag") != tag:
        raise SovereignError(
            f"input 'changelog-json' describes {quote(str(changelog.get('tag')))}, not the release tag {quote(tag)}",
            "pass the changelog-<tag>.json written for this release",
        )
