"""The sentinel's inputs, parsed and checked once: what the gate runs on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sovereign.errors import SovereignError
from sovereign.gha import Secret
from sovereign.notes.config import Config

BUMP_CHECKS = ("fail", "warn", "off")


@dataclass(frozen=True)
class Settings:
    tag: str  # the release tag, as given (not stripped: "v1.2.3\n" is a bad tag)
    tag_pattern: re.Pattern[str] | None  # None: strict vMAJOR.MINOR.PATCH
    allow_prerelease: bool
    version_scheme: str  # semver or pep440 (tags.SCHEMES)
    require_newer: bool
    require_commit: bool
    require_branch: str  # "" when not requested
    version_files: tuple[str, ...]
    required_checks: tuple[str, ...]
    checks_timeout: int  # seconds
    require_signed: bool
    bump_check: str  # one of BUMP_CHECKS
    config: Config | SovereignError | None  # the changelog's config (or why it could not be read); None with off
    github_token: Secret
    repository: str  # owner/name, "" when unknown
    dry_run: bool
    workspace: Path
    artifacts_dir: Path
