"""Microsoft Teams Workflows webhook: an Adaptive Card in a message envelope.

The retired Office 365 connector format (MessageCard) is not used. Untrusted
text goes only into ``TextRun`` elements of ``RichTextBlock``s, which render no
Markdown, so a PR title cannot turn itself into a link; links are ``TextRun``
select actions and ``Action.OpenUrl`` buttons built from checked URLs.
"""

from __future__ import annotations

import json
from typing import Any

from sovereign.notify import limits
from sovereign.notify.clip import clip_untrusted
from sovereign.notify.message import ENTRY_CHARS, LOOK, NAME_CHARS, Item, Message

MAX_ENTRIES = 40
CONTAINER_STYLE = {"success": "good", "failure": "attention", "cancelled": "emphasis"}
TITLE_COLOUR = {"success": "Good", "failure": "Attention", "cancelled": "Default"}
MARGIN = 64  # bytes of slack for separators the block-by-block count does not see
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def _text(text: str, limit: int) -> str:
    return clip_untrusted(text, limit)


def _run(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": text, **style}


def _link(text: str, url: str) -> dict[str, Any]:
    return _run(text, selectAction={"type": "Action.OpenUrl", "url": url})


def _rich(*inlines: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": list(inlines), **props}


def entry_block(item: Item) -> dict[str, Any]:
    inlines = [_run("• ")]
    if item.ref:
        inlines.append(_link(item.ref, item.url) if item.url else _run(item.ref))
        inlines.append(_run(" "))
    by = f" — {_text(item.author, NAME_CHARS)}" if item.author else ""
    inlines.append(_run(_text(item.text, ENTRY_CHARS) + by))
    return _rich(*inlines, spacing="None")


def _size(block: dict[str, Any]) -> int:
    return len(json.dumps(block, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) + 1


def _more(message: Message, hidden: int) -> dict[str, Any]:
    more = [_run(f"…and {hidden} more")]
    if message.notes_url:
        more += [_run(" — "), _link("full release notes", message.notes_url)]
    return _rich(*more, spacing="Medium")


def _contributors(names: tuple[str, ...]) -> dict[str, Any]:
    shown = [n for n in (_text(name, NAME_CHARS) for name in names[:30]) if n]
    extra = len(names) - min(len(names), 30)
    return _rich(
        _run("👥 " + ", ".join(shown) + (f" and {extra} more" if extra else ""), isSubtle=True), spacing="Medium"
    )


def _build(message: Message, max_entries: int) -> dict[str, Any]:
    icon, word = LOOK[message.status]
    where = " · ".join(p for p in (_text(message.repository, 200), _text(message.tag, 200)) if p)
    head: list[dict[str, Any]] = [
        _rich(
            _run(
                _text(message.title, 400) or word,
                size="Large",
                weight="Bolder",
                color=TITLE_COLOUR[message.status],
            )
        ),
        _rich(_run(f"{icon} {word}" + (f" · {where}" if where else ""), weight="Bolder"), spacing="Small"),
    ]
    body: list[dict[str, Any]] = [
        {"type": "Container", "style": CONTAINER_STYLE[message.status], "bleed": True, "items": head}
    ]
    if message.counts:
        counts = " · ".join(f"{_text(title, 100)}: {n}" for title, n in message.counts[:50])
        body.append(_rich(_run(counts), spacing="Medium"))

    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": "1.4", "msteams": {"width": "Full"}}
    actions = [{"type": "Action.OpenUrl", "title": link.label, "url": link.url} for link in message.links]
    tail = [_contributors(message.contributors)] if message.contributors else []
    fixed = _envelope({**card, "body": [*body, _more(message, message.total), *tail], "actions": actions})
    budget = limits.TEAMS_BYTES - len(limits.encode(fixed)) - MARGIN
    shown, current = 0, None
    for group, item in message.shown_order():
        if shown >= max_entries:
            break
        blocks = [] if group is current else [_rich(_run(_text(group.title, 200), weight="Bolder"), spacing="Medium")]
        blocks.append(entry_block(item))
        cost = sum(_size(b) for b in blocks)
        if cost > budget:
            break
        body += blocks
        current, shown, budget = group, shown + 1, budget - cost
    if message.total > shown:
        body.append(_more(message, message.total - shown))
    body += tail
    card["body"] = body
    if actions:
        card["actions"] = actions
    return _envelope(card)


def _envelope(card: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def render(message: Message) -> dict[str, Any]:
    """The Teams payload: within the 28 KB message limit (checked)."""
    return limits.fit("teams", lambda n: _build(message, n), MAX_ENTRIES)
