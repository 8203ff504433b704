"""changelog: release notes with breaking and security changes first, as Markdown and JSON."""

from __future__ import annotations

from collections.abc import Mapping

from sovereign import artifacts, tags
from sovereign.changelog.core import changelog
from sovereign.changelog.settings import SOURCES, Settings
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
from sovereign.github_env import check_repository, repository_or_origin
from sovereign.notes.config import load_config


def resolve_settings(inputs: Inputs, environ: Mapping[str, str]) -> Settings:
    """Every input parsed and checked, in the order their errors have always come."""
    dry_run = inputs.flag("dry-run")
    publish_release = inputs.flag("publish-release")
    unreleased = inputs.flag("unreleased")
    draft_release = inputs.flag("draft-release")
    tag = "" if unreleased else release_tag(inputs.raw("tag"), environ)
    source = inputs.text("source") or "auto"
    if source not in SOURCES:
        raise SovereignError(f"input 'source' must be auto, git or github, got {quote(source)}", "use source: auto")
    repository = check_repository(repository_or_origin(inputs.text("repository"), environ))
    scheme = tags.check_scheme(inputs.text("version-scheme"))
    workspace = artifacts.workspace(environ)
    out_dir = artifacts.artifacts_dir(inputs.text("artifacts-dir"), environ)
    config = load_config(workspace, inputs.text("config"))
    token = inputs.secret("github-token")
    if publish_release and not token and not dry_run:
        raise SovereignError("publish-release: true needs a token", "set github-token with contents: write")
    _check_unreleased(unreleased, draft_release, publish_release, bool(token) or dry_run)
    return Settings(
        tag=tag,
        unreleased=unreleased,
        ref=inputs.text("ref") or "HEAD",
        previous_tag=inputs.text("previous-tag"),
        version_scheme=scheme,
        source=source,
        repository=repository,
        workspace=workspace,
        out_dir=out_dir,
        config=config,
        token=token,
        publish_release=publish_release,
        draft_release=draft_release,
        dry_run=dry_run,
    )


def _check_unreleased(unreleased: bool, draft_release: bool, publish_release: bool, can_write: bool) -> None:
    if draft_release and not unreleased:
        raise SovereignError(
            "input 'draft-release: true' needs 'unreleased: true': the draft is the next version's, before its tag",
            "set unreleased: true (and run on pushes to the default branch), or use publish-release on tag pushes",
        )
    if draft_release and not can_write:
        raise SovereignError("input 'draft-release: true' needs a token", "set github-token with contents: write")
    if unreleased and publish_release:
        raise SovereignError(
            "input 'publish-release: true' needs a tag, and 'unreleased: true' has none",
            "use draft-release: true to keep a draft of the next version; publish-release on the tag push takes it over",
        )


def run(step: Step, inputs: Inputs) -> None:
    changelog(step, resolve_settings(inputs, step.environ))


STAGE = Stage(
    name="changelog",
    description="Release notes with breaking and security changes first, as Markdown and JSON.",
    own_inputs=(
        TAG_INPUT,
        Input("previous-tag", "compare with this tag (default: the highest version below tag, ancestor or not)"),
        Input(
            "unreleased",
            "notes for the commits after the latest release up to ref; no tag needed (heading: the next version)",
            "false",
            boolean=True,
        ),
        Input("ref", "with unreleased: the last commit to include (branch, tag or commit)", "HEAD"),
        Input(
            "version-scheme", "how tags hold versions: semver (v1.2.3-rc.1) or pep440 (1.2, 1.2rc1, 1.2.dev1)", "semver"
        ),
        Input("source", "auto (local history, API for pull requests when a token is set), git or github", "auto"),
        Input(
            "config",
            "config file (default: .github/sovereign.yml, else .github/release-drafter.yml, else .github/release.yml)",
        ),
        Input("publish-release", "create or update the GitHub Release of tag with these notes", "false", boolean=True),
        Input(
            "draft-release",
            "with unreleased: create or update the one draft GitHub Release of the next version",
            "false",
            boolean=True,
        ),
        GITHUB_TOKEN_INPUT,
        REPOSITORY_INPUT,
    ),
    main=run,
)
