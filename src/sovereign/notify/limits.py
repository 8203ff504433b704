"""The one checker of every platform limit, run on the payload exactly as sent.

Renderers fit their payloads with it, the stage refuses to send a payload it
rejects, and every notify test runs its payloads through it. Lengths are
measured on the final strings, i.e. after escaping, and counted as the
strictest platform counts (code points or UTF-16 units, see :func:`measure`).

Sources: Slack Block Kit reference (blocks, text objects, elements); Discord
"Execute Webhook" and "Embed Limits"; Teams Workflows webhooks (28 KB message).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sovereign.errors import SovereignError
from sovereign.notify.clip import measure

PLATFORMS = ("slack", "discord", "teams")

SLACK_BLOCKS = 50
SLACK_TEXT = 40_000
SLACK_HEADER = 150
SLACK_SECTION_TEXT = 3_000
SLACK_FIELDS = 10
SLACK_FIELD = 2_000
SLACK_CONTEXT_ELEMENTS = 10
SLACK_ACTIONS_ELEMENTS = 25
SLACK_BUTTON_TEXT = 75
SLACK_BUTTON_URL = 3_000

DISCORD_CONTENT = 2_000
DISCORD_EMBEDS = 10
DISCORD_TITLE = 256
DISCORD_DESCRIPTION = 4_096
DISCORD_FIELDS = 25
DISCORD_FIELD_NAME = 256
DISCORD_FIELD_VALUE = 1_024
DISCORD_FOOTER = 2_048
DISCORD_AUTHOR = 256
DISCORD_TOTAL = 6_000

TEAMS_BYTES = 28 * 1024


def encode(payload: Any) -> bytes:
    """The request body: what is measured is what is sent."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _text(problems: list[str], where: str, obj: Any, limit: int, kinds: tuple[str, ...]) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in kinds or not isinstance(obj.get("text"), str):
        problems.append(f"{where}: not a {'/'.join(kinds)} text object")
        return
    size = measure(obj["text"])
    if not 0 < size <= limit:
        problems.append(f"{where}: text is {size} characters (1..{limit})")
    if obj["type"] == "mrkdwn" and obj.get("verbatim") is not True:
        problems.append(f"{where}: mrkdwn without verbatim: true would auto-parse mentions and links")


def slack(payload: Any) -> list[str]:
    problems: list[str] = []
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str) or not 0 < measure(text) <= SLACK_TEXT:
        problems.append(f"text: missing or longer than {SLACK_TEXT}")
    blocks = payload.get("blocks", []) if isinstance(payload, dict) else None
    if not isinstance(blocks, list) or len(blocks) > SLACK_BLOCKS:
        return [*problems, f"blocks: not a list of at most {SLACK_BLOCKS}"]
    action_ids: set[str] = set()
    for n, block in enumerate(blocks):
        where = f"blocks[{n}]"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "header":
            _text(problems, where, block.get("text"), SLACK_HEADER, ("plain_text",))
        elif kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"{where}: a section needs text or fields")
            if "text" in block:
                _text(problems, where, block["text"], SLACK_SECTION_TEXT, ("mrkdwn", "plain_text"))
            fields = block.get("fields", [])
            if not isinstance(fields, list) or len(fields) > SLACK_FIELDS:
                problems.append(f"{where}: more than {SLACK_FIELDS} fields")
            else:
                for i, field in enumerate(fields):
                    _text(problems, f"{where}.fields[{i}]", field, SLACK_FIELD, ("mrkdwn", "plain_text"))
        elif kind == "context":
            elements = block.get("elements", [])
            if not isinstance(elements, list) or not 0 < len(elements) <= SLACK_CONTEXT_ELEMENTS:
                problems.append(f"{where}: 1..{SLACK_CONTEXT_ELEMENTS} context elements")
            else:
                for i, element in enumerate(elements):
                    _text(problems, f"{where}.elements[{i}]", element, SLACK_SECTION_TEXT, ("mrkdwn", "plain_text"))
        elif kind == "actions":
            elements = block.get("elements", [])
            if not isinstance(elements, list) or not 0 < len(elements) <= SLACK_ACTIONS_ELEMENTS:
                problems.append(f"{where}: 1..{SLACK_ACTIONS_ELEMENTS} action elements")
                continue
            for i, button in enumerate(elements):
                at = f"{where}.elements[{i}]"
                if not isinstance(button, dict) or button.get("type") != "button":
                    problems.append(f"{at}: only buttons are used")
                    continue
                _text(problems, at, button.get("text"), SLACK_BUTTON_TEXT, ("plain_text",))
                url, action_id = button.get("url", ""), button.get("action_id", "")
                if not isinstance(url, str) or not 0 < len(url) <= SLACK_BUTTON_URL:
                    problems.append(f"{at}: url missing or longer than {SLACK_BUTTON_URL}")
                if not action_id or action_id in action_ids or len(action_id) > 255:
                    problems.append(f"{at}: action_id missing, repeated or too long")
                action_ids.add(action_id)
        elif kind != "divider":
            problems.append(f"{where}: unexpected block type {kind!r}")
    return problems


def _discord_embed(problems: list[str], n: int, embed: Any) -> int:
    """Check one embed; return the characters it counts towards the 6,000 total."""
    where = f"embeds[{n}]"
    if not isinstance(embed, dict):
        problems.append(f"{where}: not an object")
        return 0
    total = 0
    for key, limit in (("title", DISCORD_TITLE), ("description", DISCORD_DESCRIPTION)):
        size = measure(embed.get(key, ""))
        total += size
        if size > limit:
            problems.append(f"{where}.{key}: {size} characters (max {limit})")
    for key, limit in (("footer", DISCORD_FOOTER), ("author", DISCORD_AUTHOR)):
        part = embed.get(key, {})
        size = measure(part.get("text" if key == "footer" else "name", ""))
        total += size
        if size > limit:
            problems.append(f"{where}.{key}: {size} characters (max {limit})")
    fields = embed.get("fields", [])
    if len(fields) > DISCORD_FIELDS:
        problems.append(f"{where}: {len(fields)} fields (max {DISCORD_FIELDS})")
    for i, field in enumerate(fields):
        name, value = measure(field.get("name", "")), measure(field.get("value", ""))
        total += name + value
        if not 0 < name <= DISCORD_FIELD_NAME or not 0 < value <= DISCORD_FIELD_VALUE:
            problems.append(f"{where}.fields[{i}]: name {name} (1..256), value {value} (1..1024) characters")
    return total


def discord(payload: Any) -> list[str]:
    if not isinstance(payload, dict):
        return ["payload: not an object"]
    problems: list[str] = []
    if payload.get("allowed_mentions") != {"parse": []}:
        problems.append('allowed_mentions: must be {"parse": []} so nobody can be pinged')
    content, embeds = payload.get("content", ""), payload.get("embeds", [])
    if measure(content) > DISCORD_CONTENT:
        problems.append(f"content: {measure(content)} characters (max {DISCORD_CONTENT})")
    if not content and not embeds:
        problems.append("payload: needs content or embeds")
    if not isinstance(embeds, list) or len(embeds) > DISCORD_EMBEDS:
        return [*problems, f"embeds: not a list of at most {DISCORD_EMBEDS}"]
    total = sum(_discord_embed(problems, n, embed) for n, embed in enumerate(embeds))
    if total > DISCORD_TOTAL:
        problems.append(f"embeds: {total} characters in all (max {DISCORD_TOTAL})")
    return problems


def teams(payload: Any) -> list[str]:
    if not isinstance(payload, dict):
        return ["payload: not an object"]
    problems: list[str] = []
    size = len(encode(payload))
    if size > TEAMS_BYTES:
        problems.append(f"payload: {size} bytes (max {TEAMS_BYTES})")
    attachments = payload.get("attachments")
    if payload.get("type") != "message" or not isinstance(attachments, list) or not attachments:
        return [*problems, 'payload: not a {"type": "message", "attachments": [...]} envelope']
    for n, attachment in enumerate(attachments):
        card = attachment.get("content", {}) if isinstance(attachment, dict) else {}
        if attachment.get("contentType") != "application/vnd.microsoft.card.adaptive" or card.get("type") != (
            "AdaptiveCard"
        ):
            problems.append(f"attachments[{n}]: not an Adaptive Card")
        if card.get("msteams", {}).get("entities"):
            problems.append(f"attachments[{n}]: carries mention entities")
    return problems


CHECKERS = {"slack": slack, "discord": discord, "teams": teams}


def violations(platform: str, payload: Any) -> list[str]:
    """Every limit ``payload`` breaks on ``platform``; empty when it may be sent."""
    return CHECKERS[platform](payload)


def fit(platform: str, build: Callable[[int], dict[str, Any]], max_entries: int) -> dict[str, Any]:
    """``build(n)`` with the most entries (``max_entries``, then halving) that passes
    the checker. Renderers budget exactly, so this is a safety net, not a search."""
    entries = max_entries
    while True:
        payload = build(entries)
        problems = violations(platform, payload)
        if not problems:
            return payload
        if entries == 0:
            raise SovereignError(
                f"the {platform} message breaks the platform's limits: {'; '.join(problems[:3])}",
                "report this as a Sovereign bug, with the changelog JSON",
            )
        entries //= 2
