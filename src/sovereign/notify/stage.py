"""notify: the release broadcast to Slack, Discord and Teams.

The stage's inputs are read here, once, into :class:`Settings` (every bad value
fails before any HTTP call or file write); :func:`broadcast` does the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

from sovereign import artifacts, release
from sovereign.gha import GITHUB_TOKEN_INPUT, REPOSITORY_INPUT, TAG_INPUT, Input, Inputs, Stage, Step
from sovereign.github_env import check_repository, repository_or_origin
from sovereign.notify.broadcast import broadcast
from sovereign.notify.settings import (
    WEBHOOK_INPUTS,
    Settings,
    checked_status,
    checked_webhooks,
    chosen_tag,
    read_notes,
)


def settings(inputs: Inputs, environ: Mapping[str, str]) -> Settings:
    """Every input parsed and checked, in the order their errors have always come."""
    dry_run = inputs.flag("dry-run")
    fail_on_error = inputs.flag("fail-on-error")
    webhooks = checked_webhooks({channel: inputs.secret(name) for channel, name in WEBHOOK_INPUTS.items()}, dry_run)
    status = checked_status(inputs.text("status"))
    repository = repository_or_origin(inputs.text("repository"), environ)
    if repository:
        check_repository(repository)
    json_file, notes_given = inputs.text("changelog-json"), inputs.text("changelog")
    changelog = release.load(artifacts.workspace_file(json_file, "changelog-json", environ)) if json_file else None
    notes = "" if changelog is not None else read_notes(notes_given, environ)
    tag = chosen_tag(inputs.raw("tag"), changelog, environ)
    if changelog is not None:
        release.check_tag(changelog, tag)
    return Settings(
        webhooks=webhooks,
        dry_run=dry_run,
        fail_on_error=fail_on_error,
        status=status,
        repository=repository,
        tag=tag,
        title=inputs.text("title"),
        release_url=inputs.text("release-url"),
        snapshot_url=inputs.text("snapshot-url"),
        changelog=changelog,
        notes=notes,
        notes_ignored=changelog is not None and bool(notes_given),
        artifacts_dir=artifacts.artifacts_dir(inputs.text("artifacts-dir"), environ),
        github_token=inputs.secret("github-token"),
        resend=inputs.flag("resend"),
    )


def run(step: Step, inputs: Inputs) -> None:
    broadcast(step, settings(inputs, step.environ))


STAGE = Stage(
    name="notify",
    description="Broadcast the release to Slack, Discord and Microsoft Teams.",
    own_inputs=(
        Input("slack-webhook-url", "Slack incoming webhook URL", secret=True, env_fallbacks=("SLACK_WEBHOOK_URL",)),
        Input("discord-webhook-url", "Discord webhook URL", secret=True, env_fallbacks=("DISCORD_WEBHOOK_URL",)),
        Input("teams-webhook-url", "Teams Workflows webhook URL", secret=True, env_fallbacks=("TEAMS_WEBHOOK_URL",)),
        TAG_INPUT,
        REPOSITORY_INPUT,
        Input("status", "success, failure or cancelled", "success"),
        Input("changelog-json", "the changelog JSON (sovereign.changelog/v1) to announce"),
        Input("changelog", "plain Markdown notes (or a .md file), when no changelog-json is given"),
        GITHUB_TOKEN_INPUT,
        Input("title", "the message title (default: '<repository> <tag> released', or failed/cancelled)"),
        Input("release-url", "link to the release"),
        Input("snapshot-url", "link to the Grafana snapshot"),
        Input(
            "fail-on-error", "fail the step when a channel was not delivered (after trying all)", "true", boolean=True
        ),
        Input(
            "resend",
            "announce again on channels that already have this release's message (a deliberate re-announcement)",
            "false",
            boolean=True,
        ),
    ),
    main=run,
)
