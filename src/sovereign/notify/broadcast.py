"""The notify run once its settings are known.

Settings -> one message (message.py) -> one payload per platform, fitted to and
checked against its limits (limits.py) -> posted to every configured webhook
(deliver.py), all of them tried -> recorded in ``notify-<tag>.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sovereign import artifacts
from sovereign.errors import Failed, SovereignError
from sovereign.gha import Secret, Step
from sovereign.http import new_session
from sovereign.markdown import escape, heading, table
from sovereign.notify import deliver, discord, limits, slack, teams
from sovereign.notify.message import Message, from_changelog, from_markdown
from sovereign.notify.settings import Settings

RENDERERS = {"slack": slack.render, "discord": discord.render, "teams": teams.render}
RECORD_SCHEMA = "sovereign.notify/v1"


def mask_tokens(step: Step, webhooks: Mapping[str, Secret]) -> None:
    """Mask each webhook's path as well as its whole URL: the token part alone is secret too."""
    for secret in webhooks.values():
        path = urlsplit(secret.reveal()).path
        if len(path) >= 16:
            step.mask(path)


def build_message(settings: Settings, environ: Mapping[str, str]) -> Message:
    """The message: from the changelog JSON when there is one, else from the Markdown notes."""
    common: dict[str, Any] = {
        "status": settings.status,
        "title": settings.title,
        "repository": settings.repository,
        "tag": settings.tag,
        "release_url": settings.release_url,
        "snapshot_url": settings.snapshot_url,
        "environ": environ,
    }
    if settings.changelog is not None:
        return from_changelog(settings.changelog, **common)
    return from_markdown(settings.notes, **common)


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


def broadcast(step: Step, settings: Settings) -> None:
    dry_run = settings.dry_run
    hooks = settings.webhooks
    mask_tokens(step, hooks)
    if settings.notes_ignored:
        step.notice("both changelog-json and changelog are set: the JSON is used")
    message = build_message(settings, step.environ)
    channels = list(hooks) or list(RENDERERS)  # dry-run with nothing configured shows all three
    payloads = render(message, channels)
    step.info(f"notify: {message.title!s} — {message.total} entr{'y' if message.total == 1 else 'ies'}")

    results: list[deliver.Result] = []
    record_name = artifacts.file_name("notify", message.tag, "json")
    if dry_run:
        for channel, payload in payloads.items():
            # The exact body, on one line: no ::group:: here, the ritual already groups each stage.
            body = limits.encode(payload).decode("utf-8")
            would = f"{channel}: dry-run, would send {len(body.encode('utf-8'))} bytes: {body}"
            step.payload(
                f"{channel} (dry-run, not sent)", payload, settings.artifacts_dir / record_name, actions=[would]
            )
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
    path: Path = artifacts.write(
        settings.artifacts_dir,
        record_name,
        json.dumps(record, ensure_ascii=False, indent=2),
        step,
    )
    sent = [r.channel for r in results if r.delivered]
    failed = [r.channel for r in results if not r.delivered and not dry_run]
    step.set_output("sent", ",".join(sent))
    step.set_output("failed", ",".join(failed))
    step.set_output("discord-message-id", next((r.message_id for r in results if r.channel == "discord"), ""))
    step.set_output("notify-file", str(path))
    step.summary(summary(tag, results, dry_run))

    problems = [SovereignError(f"{r.channel}: {r.detail}", r.fix) for r in results if not r.delivered and not dry_run]
    if problems and settings.fail_on_error:
        raise Failed(problems)
    for problem in problems:
        step.warning(problem.what, problem.fix)
    step.info(
        f"notify: dry-run, {len(results)} payload(s) saved to {path}"
        if dry_run
        else f"notify: sent to {', '.join(sent) or 'no channel'}" + (f"; failed: {', '.join(failed)}" if failed else "")
    )
