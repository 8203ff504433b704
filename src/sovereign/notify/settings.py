"""The notify stage's inputs, parsed and checked once (by stage.py) before any work.

Everything below stage.py reads a :class:`Settings` and never the raw inputs; the
helpers here take plain values, so each check can be tested on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sovereign import artifacts
from sovereign.errors import Failed, SovereignError
from sovereign.gha import Secret, quote, release_tag
from sovereign.http import check_url
from sovereign.notify.message import STATUSES
from sovereign.release import Changelog

WEBHOOK_INPUTS = {  # channel -> its input, in the order channels are rendered and sent
    "slack": "slack-webhook-url",
    "discord": "discord-webhook-url",
    "teams": "teams-webhook-url",
}


@dataclass(frozen=True)
class Settings:
    webhooks: Mapping[str, Secret]  # channel -> URL checked against the URL policy; only those configured
    dry_run: bool
    fail_on_error: bool
    status: str  # one of STATUSES
    repository: str  # owner/name, checked, or "" (then the changelog's)
    tag: str
    title: str  # "" means the default title
    release_url: str
    snapshot_url: str
    changelog: Changelog | None  # the changelog JSON, loaded and checked; it wins over ``notes``
    notes: str  # the Markdown notes, read from their file if one was named; "" when ``changelog`` is set
    notes_ignored: bool  # both changelog-json and changelog were given
    artifacts_dir: Path  # also holds the delivery record (deliveries.py)
    # reads the GitHub Release's notes when none are given
    github_token: Secret = field(default_factory=lambda: Secret(""))
    resend: bool = False  # post even to channels the delivery record says already have this message


def checked_webhooks(given: Mapping[str, Secret], dry_run: bool) -> dict[str, Secret]:
    """The configured webhooks (``given`` is keyed by channel), every bad one
    reported at once; errors never echo a URL."""
    found: dict[str, Secret] = {}
    problems: list[SovereignError] = []
    for channel, name in WEBHOOK_INPUTS.items():
        secret = given.get(channel)
        if not secret:
            continue
        try:
            check_url(secret.reveal(), f"input '{name}'")
        except SovereignError as err:
            problems.append(err)
            continue
        found[channel] = secret
    if problems:
        raise Failed(problems)
    if not found and not dry_run:
        raise SovereignError(
            "no webhook is configured",
            "set slack-webhook-url, discord-webhook-url or teams-webhook-url (or SLACK_WEBHOOK_URL, "
            "DISCORD_WEBHOOK_URL, TEAMS_WEBHOOK_URL) from a secret; see notify/README.md",
        )
    return found


def checked_status(value: str) -> str:
    status = value or "success"
    if status not in STATUSES:
        raise SovereignError(
            f"input 'status' must be success, failure or cancelled, got {quote(status)}",
            "pass ${{ job.status }} or one of the three words",
        )
    return status


def read_notes(value: str, environ: Mapping[str, str]) -> str:
    """``changelog`` is the Markdown itself, or the path of a ``.md`` file."""
    if "\n" not in value and value.endswith(".md"):
        path = artifacts.workspace_file(value, "changelog", environ)
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return value


def chosen_tag(raw_tag: str, changelog: Changelog | None, environ: Mapping[str, str]) -> str:
    """The ``tag`` input or the pushed tag; failing both, the changelog JSON's own tag."""
    try:
        return release_tag(raw_tag, environ)
    except SovereignError:
        if changelog is None or not changelog.get("tag"):
            raise
        return str(changelog["tag"])
