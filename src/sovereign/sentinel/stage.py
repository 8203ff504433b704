"""sentinel: the release gate. Every check runs and is reported; any failure fails the step."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from sovereign import artifacts, tags
from sovereign.errors import SovereignError
from sovereign.gha import (
    GITHUB_TOKEN_INPUT,
    REPOSITORY_INPUT,
    TAG_INPUT,
    Input,
    Inputs,
    Stage,
    Step,
    quote,
    release_tag,
)
from sovereign.github_env import repository_or_origin
from sovereign.notes.config import Config, load_config
from sovereign.sentinel.gate import gate
from sovereign.sentinel.required_checks import split_names
from sovereign.sentinel.settings import BUMP_CHECKS, Settings


def _tag_pattern(raw: str) -> re.Pattern[str] | None:
    if not raw:
        return None
    try:
        return re.compile(raw)
    except re.error as err:
        raise SovereignError(
            f"input 'tag-pattern' is not a valid regular expression: {err}", "fix the pattern"
        ) from None


def _workspace(environ: Mapping[str, str]) -> Path:
    """The checkout to gate; one that does not exist blocks the release before anything is written."""
    path = artifacts.workspace(environ)
    if not path.is_dir():
        raise SovereignError(
            f"the workspace {path} (GITHUB_WORKSPACE) does not exist: the tag cannot be verified",
            "run actions/checkout (with fetch-depth: 0) before the sentinel, or point GITHUB_WORKSPACE at the checkout",
        )
    return path


def resolve_settings(inputs: Inputs, environ: Mapping[str, str]) -> Settings:
    """Every input parsed and checked; the first bad one raises, in the order they were always reported."""
    dry_run = inputs.flag("dry-run")
    allow_prerelease = inputs.flag("allow-prerelease")
    tag = release_tag(inputs.raw("tag"), environ)
    require_newer = inputs.flag("require-newer")
    require_commit = inputs.flag("require-commit")
    require_signed = inputs.flag("require-signed")
    checks_timeout = inputs.integer("checks-timeout")
    tag_pattern = _tag_pattern(inputs.raw("tag-pattern"))
    scheme = tags.check_scheme(inputs.text("version-scheme"))
    artifacts_dir = artifacts.artifacts_dir(inputs.text("artifacts-dir"), environ)
    bump_check = inputs.text("bump-check").lower() or "warn"
    if bump_check not in BUMP_CHECKS:
        raise SovereignError(
            f"input 'bump-check' must be fail, warn or off, got {quote(inputs.text('bump-check'))}",
            "use bump-check: warn (the default), fail to block a release bumped too little, or off",
        )
    workspace = _workspace(environ)
    config: Config | SovereignError | None = None  # read only when bump-check uses it
    if bump_check != "off":
        try:
            config = load_config(workspace, inputs.text("config"))
        except SovereignError as err:
            if bump_check == "fail":
                raise
            config = err  # with warn, the check warns: the changelog stage reports the file itself
    return Settings(
        tag=tag,
        tag_pattern=tag_pattern,
        allow_prerelease=allow_prerelease,
        version_scheme=scheme,
        require_newer=require_newer,
        require_commit=require_commit,
        require_branch=inputs.text("require-branch"),
        version_files=tuple(inputs.items("version-files")),
        required_checks=tuple(split_names(inputs.raw("required-checks"))),
        checks_timeout=checks_timeout,
        require_signed=require_signed,
        bump_check=bump_check,
        config=config,
        github_token=inputs.secret("github-token"),
        repository=repository_or_origin(inputs.text("repository"), environ),
        dry_run=dry_run,
        workspace=workspace,
        artifacts_dir=artifacts_dir,
    )


def run(
    step: Step,
    inputs: Inputs,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Settings first, so a bad input fails before any git or HTTP call; tests inject ``clock``/``sleep``."""
    gate(step, resolve_settings(inputs, step.environ), clock, sleep)


STAGE = Stage(
    name="sentinel",
    description="The release gate: is this tag a sound release?",
    own_inputs=(
        TAG_INPUT,
        Input("tag-pattern", "a regular expression the whole tag must match (default: strict vMAJOR.MINOR.PATCH)"),
        Input(
            "allow-prerelease",
            "also accept prereleases such as v1.2.3-rc.1 (or 1.2rc1, 1.2.dev1 with pep440)",
            "false",
            boolean=True,
        ),
        Input(
            "version-scheme", "how tags hold versions: semver (v1.2.3-rc.1) or pep440 (1.2, 1.2rc1, 1.2.dev1)", "semver"
        ),
        Input("require-newer", "the tag must be above every release tag by version precedence", "true", boolean=True),
        Input(
            "require-commit",
            "the tag must point at the built commit: GITHUB_SHA, or the checkout's HEAD on workflow_dispatch "
            "or when HEAD differs from GITHUB_SHA (skipped when GITHUB_SHA is not set)",
            "true",
            boolean=True,
        ),
        Input("require-branch", "when set, the tagged commit must be reachable from this branch"),
        Input("version-files", "files whose version must equal the tag's (one per line or comma)"),
        Input(
            "required-checks",
            "check-run or status names that must have concluded success on the tagged commit "
            "(one per line or comma; commas inside parentheses, as in matrix names, do not split)",
        ),
        Input("checks-timeout", "seconds to wait for pending required checks", "0"),
        Input("require-signed", "the tag must be annotated with a signature GitHub verified", "false", boolean=True),
        Input(
            "bump-check",
            "fail, warn or off: is the tag's bump over the previous release at least what its changes call for?",
            "warn",
        ),
        Input("config", "the changelog's config file, so bump-check classifies as the changelog does"),
        GITHUB_TOKEN_INPUT,
        REPOSITORY_INPUT,
    ),
    main=run,
)
