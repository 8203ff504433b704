"""notify: the release broadcast to Slack, Discord and Teams.

Inputs -> one message (message.py) -> one payload per platform, fitted to and
checked against its limits (limits.py) -> recorded in ``notify-<tag>.json`` ->
posted to every configured webhook (deliver.py), all of them tried.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sovereign import artifacts, preview, release
from sovereign.errors import Failed, SovereignError
from sovereign.gha import REPOSITORY_INPUT, TAG_INPUT, Input, Inputs, Secret, Stage, Step, quote, release_tag
from sovereign.github_env import check_repository
from sovereign.http import check_url, new_session
from sovereign.markdown import escape, heading, table
from sovereign.notify import deliver, discord, limits, slack, teams
from sovereign.notify.message import STATUSES, Message, from_changelog, from_markdown

RENDERERS = {"slack": slack.render, "discord": discord.render, "teams": teams.render}
WEBHOOK_INPUTS = {
    "slack": "slack-webhook-url",
    "discord": "discord-webhook-url",
    "teams": "teams-webhook-url",
}
RECORD_SCHEMA = "sovereign.notify/v1"


def webhooks(step: Step, inputs: Inputs) -> dict[str, Secret]:
    """The configured webhooks, each checked against the URL policy (errors never echo it)."""
    found: dict[str, Secret] = {}
    problems: list[SovereignError] = []
    for channel, name in WEBHOOK_INPUTS.items():
        secret = inputs.secret(name)
        if not secret:
            continue
        try:
            check_url(secret.reveal(), f"input '{name}'")
        except SovereignError as err:
            problems.append(err)
            continue
        path = urlsplit(secret.reveal()).path
        if len(path) >= 16:  # the token part alone is secret too
            step.mask(path)
        found[channel] = secret
    if problems:
        raise Failed(problems)
    return found


def _notes(value: str, environ: Mapping[str, str]) -> str:
    """``changelog`` is the Markdown itself, or the path of a ``.md`` file."""
    if "\n" not in value and value.endswith(".md"):
        path = artifacts.workspace_file(value, "changelog", environ)
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return value


def build_message(step: Step, inputs: Inputs) -> Message:
    environ = step.environ
    status = inputs.text("status") or "success"
    if status not in STATUSES:
        raise SovereignError(
            f"input 'status' must be success, failure or cancelled, got {quote(status)}",
            "pass ${{ job.status }} or one of the three words",
        )
    repository = inputs.text("repository")
    if repository:
        check_repository(repository)
    common: dict[str, Any] = {
        "status": status,
        "title": inputs.text("title"),
        "repository": repository,
        "release_url": inputs.text("release-url"),
        "snapshot_url": inputs.text("snapshot-url"),
        "environ": environ,
    }
    json_file = inputs.text("changelog-json")
    if json_file:
        changelog = release.load(artifacts.workspace_file(json_file, "changelog-json", environ))
        if inputs.text("changelog"):
            step.notice("both changelog-json and changelog are set: the JSON is used")
        try:
            tag = release_tag(inputs.raw("tag"), environ)
        except SovereignError:
            if not changelog.get("tag"):
                raise
            tag = str(changelog["tag"])
        return from_changelog(changelog, tag=tag, **common)
    return from_markdown(
        _notes(inputs.text("changelog"), environ), tag=release_tag(inputs.raw("tag"), environ), **common
    )


def render(message: Message, channels: list[str]) -> dict[str, dict[str, Any]]:
    """Each channel's payload, checked once more by the shared limit checker."""
    payloads = {channel: RENDERERS[channel](message) for channel in channels}
    for channel, payload in payloads.items():
        problems = limits.violations(channel, payload)
        if problems:  # fit() already guarantees this; a payload over a limit is never sent
            raise SovereignError(f"the {channel} payload breaks a limit: {problems[0]}", "report this as a bug")
    return payloads


def summary(tag: str, results: list[deliver.Result], dry_run: bool) -> str:
    rows = [
        [
            f"`{r.channel}`",
            "✅ sent" if r.delivered else ("📝 dry-run" if dry_run else "❌ failed"),
            escape(r.detail) + (f" — {escape(r.fix)}" if r.fix and not r.delivered and not dry_run else ""),
        ]
        for r in results
    ]
    return heading("notify", tag, dry_run) + table(["channel", "result", "detail"], rows) + "\n"


def run(step: Step, inputs: Inputs) -> None:
    dry_run = inputs.flag("dry-run")
    fail_on_error = inputs.flag("fail-on-error")
    hooks = webhooks(step, inputs)
    if not hooks and not dry_run:
        raise SovereignError(
            "no webhook is configured",
            "set slack-webhook-url, discord-webhook-url or teams-webhook-url (or SLACK_WEBHOOK_URL, "
            "DISCORD_WEBHOOK_URL, TEAMS_WEBHOOK_URL) from a secret; see notify/README.md",
        )
    message = build_message(step, inputs)
    channels = list(hooks) or list(RENDERERS)  # dry-run with nothing configured shows all three
    payloads = render(message, channels)
    step.info(f"notify: {message.title!s} — {message.total} entr{'y' if message.total == 1 else 'ies'}")

    results: list[deliver.Result] = []
    if dry_run:
        for channel, payload in payloads.items():
            # The exact body, on one line: no ::group:: here, the ritual already groups each stage.
            body = limits.encode(payload).decode("utf-8")
            step.info(f"{channel}: dry-run, would send {len(body.encode('utf-8'))} bytes: {body}")
            results.append(deliver.Result(channel, False, "dry-run: not sent"))
    else:
        session = new_session()
        for channel, payload in payloads.items():
            result = deliver.send(session, channel, hooks[channel], payload)
            step.info(f"{channel}: {result.detail}")
            results.append(result)

    tag = message.tag
    record = {
        "schema": RECORD_SCHEMA,
        "tag": tag,
        "repository": message.repository,
        "status": message.status,
        "dry_run": dry_run,
        "channels": [{"channel": r.channel, "payload": payloads[r.channel], "result": r.as_dict()} for r in results],
    }
    directory = artifacts.artifacts_dir(inputs.text("artifacts-dir"), step.environ)
    path: Path = artifacts.write(
        directory, artifacts.file_name("notify", tag, "json"), json.dumps(record, ensure_ascii=False, indent=2), step
    )
    sent = [r.channel for r in results if r.delivered]
    failed = [r.channel for r in results if not r.delivered and not dry_run]
    step.set_output("sent", ",".join(sent))
    step.set_output("failed", ",".join(failed))
    step.set_output("discord-message-id", next((r.message_id for r in results if r.channel == "discord"), ""))
    step.set_output("notify-file", str(path))
    step.summary(summary(tag, results, dry_run))
    preview.refresh(directory, tag, step)

    problems = [SovereignError(f"{r.channel}: {r.detail}", r.fix) for r in results if not r.delivered and not dry_run]
    if problems and fail_on_error:
        raise Failed(problems)
    for problem in problems:
        step.warning(problem.line())
    step.info(
        f"notify: dry-run, {len(results)} payload(s) saved to {path}"
        if dry_run
        else f"notify: sent to {', '.join(sent) or 'no channel'}" + (f"; failed: {', '.join(failed)}" if failed else "")
    )


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
        Input("title", "the message title (default: '<repository> <tag> released', or failed/cancelled)"),
        Input("release-url", "link to the release"),
        Input("snapshot-url", "link to the Grafana snapshot"),
        Input(
            "fail-on-error", "fail the step when a channel was not delivered (after trying all)", "true", boolean=True
        ),
    ),
    main=run,
)
