"""The changelog's settings: every input parsed and checked once, before any git or HTTP call.

``stage.py`` builds them from the inputs; everything else takes these or plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sovereign.gha import Secret
from sovereign.notes.config import Config

SOURCES = ("auto", "git", "github")


@dataclass(frozen=True)
class Settings:
    tag: str  # the release tag, as given: not stripped ("" in unreleased mode)
    unreleased: bool  # notes for the commits after the latest release up to ref; no tag needed
    ref: str  # the tip in unreleased mode (default HEAD)
    previous_tag: str  # "" picks the highest version below tag that is an ancestor
    version_scheme: str  # semver or pep440 (tags.SCHEMES)
    source: str  # one of SOURCES
    repository: str  # owner/name
    workspace: Path  # the checkout, resolved
    out_dir: Path  # where the files go, inside the workspace
    config: Config  # read from the workspace (or the built-in defaults)
    token: Secret  # empty when none is set: then no API calls
    publish_release: bool  # checked: needs a token unless dry_run; not with unreleased
    draft_release: bool  # checked: needs unreleased, and a token unless dry_run
    dry_run: bool
