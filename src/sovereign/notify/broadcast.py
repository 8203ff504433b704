"""The notify run once its settings are known.

Settings -> one message (message.py) -> one payload per platform, fitted to and
checked against its limits (limits.py) -> posted to every configured webhook
(deliver.py), all of them tried -> recorded in ``notify-<tag>.json``. A channel
the delivery record (deliveries.py) says already has this release's message is
skipped unless ``resend`` is on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sovereign import artifacts, preview
from sovereign.errors import Failed, SovereignError
from sovereign.gha import Secret, Step
from sovereign.http import new_session
from sovereign.markdown import escape, heading, table
from sovereign.notify import deliver, deliveries, discord, limits, slack, teams
from sovereign.notify.message import Message, from_changelog, from_markdown
from sovereign.notify.release_notes import with_release_notes
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


def _outcome(result: deliver.Result, dry_run: bool) -> str:
    if result.skipped:
        return "⏭️ already sent"
    return "✅ sent" if result.delivered else ("📝 dry-run" if dry_run else "❌ failed")


def summary(tag: str, results: list[deliver.Result], dry_run: bool) -> str:
    rows = [
        [
            f"`{r.channel}`",
            _outcome(r, dry_run),
            escape(r.detail) + (f" — {escape(r.fix)}" if r.fix and not r.delivered and not dry_run else ""),
        ]
        for r in results
    ]
    return heading("notify", tag, dry_run) + table(["channel", "result", "detail"], rows) + "\n"


def history(step: Step, path: Path, resend: bool) -> list[deliveries.Delivery]:
    """The delivery record; with ``resend`` one that cannot be read is replaced, not fatal."""
    try:
        return deliveries.read(path)
    except SovereignError as err:
        if not resend:
            raise
        step.warning(f"{err.what}; resend is on, so it is replaced")
        return []


def skipped(delivery: deliveries.Delivery) -> deliver.Result:
    by = f" by run {delivery.run}" if delivery.run else ""
    return deliver.Result(
        delivery.channel,
        False,
        f"already delivered at {delivery.at}{by}; not sent again",
        "set resend: true to announce it again",
        message_id=delivery.message_id,
        skipped=True,
    )


def run_name(environ: Mapping[str, str]) -> str:
    run_id = environ.get("GITHUB_RUN_ID", "")
    return f"{run_id}/{environ.get('GITHUB_RUN_ATTEMPT') or '1'}" if run_id else ""


def deliver_all(
    step: Step, settings: Settings, message: Message, payloads: dict[str, dict[str, Any]]
) -> list[deliver.Result]:
    """Each channel's result: skipped when the delivery record says it has this
    message (unless ``resend``), shown in a dry-run, else posted and recorded."""
    record_path = settings.artifacts_dir / deliveries.FILE
    past = history(step, record_path, settings.resend)
    done = deliveries.earlier(past, message.repository, message.tag, message.status)
    if settings.resend and done:
        step.notice(f"resend is on: announcing again to {', '.join(done)}, which already had this message")
        done = {}
    results: list[deliver.Result] = []
    session = None if settings.dry_run else new_session()  # None: a dry-run
    for channel, payload in payloads.items():
        if channel in done:
            result = skipped(done[channel])
            step.info(f"{channel}: {result.detail}")
        elif session is None:
            # The exact body, on one line: no ::group:: here, the ritual already groups each stage.
            body = limits.encode(payload).decode("utf-8")
            would = f"{channel}: dry-run, would send {len(body.encode('utf-8'))} bytes: {body}"
            saved = settings.artifacts_dir / artifacts.file_name("notify", message.tag, "json")
            step.payload(f"{channel} (dry-run, not sent)", payload, saved, actions=[would])
            result = deliver.Result(channel, False, "dry-run: not sent")
        else:
            result = deliver.send(session, channel, settings.webhooks[channel], payload)
            step.info(f"{channel}: {result.detail}")
            if result.delivered:  # recorded at once: a crash after this send must not repeat it
                past.append(
                    deliveries.Delivery(
                        message.repository,
                        message.tag,
                        message.status,
                        channel,
                        deliveries.now(),
                        run_name(step.environ),
                        result.message_id,
                    )
                )
                step.set_output("record-digest", deliveries.write(record_path, past))
        results.append(result)
    return results


def broadcast(step: Step, settings: Settings) -> None:
    dry_run = settings.dry_run
    hooks = settings.webhooks
    mask_tokens(step, hooks)
    if settings.notes_ignored:
        step.notice("both changelog-json and changelog are set: the JSON is used")
    settings = with_release_notes(step, settings)
    message = build_message(settings, step.environ)
    channels = list(hooks) or list(RENDERERS)  # dry-run with nothing configured shows all three
    payloads = render(message, channels)
    step.info(f"notify: {message.title!s} — {message.total} entr{'y' if message.total == 1 else 'ies'}")

    results = deliver_all(step, settings, message, payloads)

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
        artifacts.file_name("notify", tag, "json"),
        json.dumps(record, ensure_ascii=False, indent=2),
        step,
    )
    sent = [r.channel for r in results if r.delivered]
    already = [r.channel for r in results if r.skipped]
    failed = [r.channel for r in results if not r.delivered and not r.skipped and not dry_run]
    step.set_output("sent", ",".join(sent))
    step.set_output("already-sent", ",".join(already))
    step.set_output("failed", ",".join(failed))
    step.set_output("discord-message-id", next((r.message_id for r in results if r.channel == "discord"), ""))
    step.set_output("notify-file", str(path))
    step.summary(summary(tag, results, dry_run))
    preview.refresh(settings.artifacts_dir, tag, step)

    problems = [SovereignError(f"{r.channel}: {r.detail}", r.fix) for r in results if r.channel in failed]
    if problems and settings.fail_on_error:
        raise Failed(problems)
    for problem in problems:
        step.warning(problem.what, problem.fix)
    step.info(
        f"notify: dry-run, {len(results)} payload(s) saved to {path}"
        if dry_run
        else f"notify: sent to {', '.join(sent) or 'no channel'}"
        + (f"; already sent before: {', '.join(already)}" if already else "")
        + (f"; failed: {', '.join(failed)}" if failed else "")
    )
