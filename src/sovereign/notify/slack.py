"""Slack incoming webhook: Block Kit with a plain ``text`` fallback.

Slack's mrkdwn is not Markdown: ``*bold*``, ``<url|label>`` links. Untrusted
text is entity-escaped (``&``, ``<``, ``>``) and every mrkdwn object is sent with
``verbatim: true``, so Slack neither links nor parses mentions inside it.
"""

from __future__ import annotations

from typing import Any

from sovereign.notify import limits
from sovereign.notify.clip import clip_untrusted, measure
from sovereign.notify.message import ENTRY_CHARS, LOOK, NAME_CHARS, Item, Message
from sovereign.notify.sanitize import slack_escape

MAX_ENTRIES = 30
TAIL_BLOCKS = 3  # "…and N more", contributors, buttons
ENTRY_TEXT_BUDGET = 12_000  # all entry lines together: long enough, still readable


def _text(text: str, limit: int) -> str:
    return clip_untrusted(text, limit, slack_escape)


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def entry_line(item: Item) -> str:
    ref = slack_escape(item.ref)
    if item.url and ref:
        ref = f"<{item.url}|{ref}>"
    by = f" — {_text(item.author, NAME_CHARS)}" if item.author else ""
    return f"• {ref + ' ' if ref else ''}{_text(item.text, ENTRY_CHARS)}{by}"


def _count_fields(message: Message) -> list[dict[str, Any]]:
    counts = message.counts
    if len(counts) > limits.SLACK_FIELDS:
        rest = sum(n for _, n in counts[limits.SLACK_FIELDS - 1 :])
        counts = [*counts[: limits.SLACK_FIELDS - 1], ("Other sections", rest)]
    return [_mrkdwn(f"*{_text(title, 200)}*\n{n}") for title, n in counts]


def _contributors(names: tuple[str, ...]) -> str:
    shown: list[str] = []
    size = blank = 0
    for name in names:
        text = _text(name, NAME_CHARS)
        if not text:  # nothing left after cleaning (e.g. a zero-width space): not a name to show or count
            blank += 1
            continue
        if size + measure(text) > 2_000 or len(shown) == 20:
            break
        shown.append(text)
        size += measure(text) + 2
    more = len(names) - len(shown) - blank
    return "👥 " + ", ".join(shown) + (f" and {more} more" if more else "")


def _build(message: Message, max_entries: int) -> dict[str, Any]:
    icon, word = LOOK[message.status]
    where = "".join(
        part
        for part in (
            f" · *{_text(message.repository, 200)}*" if message.repository else "",
            f" · `{_text(message.tag, 200)}`" if message.tag else "",
        )
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _text(message.title, limits.SLACK_HEADER) or word}},
        _section(f"{icon} *{word}*{where}"),
    ]
    fields = _count_fields(message)
    if fields:
        blocks.append({"type": "section", "fields": fields})

    room = limits.SLACK_BLOCKS - len(blocks) - TAIL_BLOCKS - 1  # the divider
    sections: list[str] = []
    shown, budget, current = 0, ENTRY_TEXT_BUDGET, None
    for group, item in message.shown_order():
        if shown >= max_entries:
            break
        line = entry_line(item)
        heading = f"*{_text(group.title, 200)}*" if group is not current else ""
        addition = "\n".join(filter(None, [heading, line]))
        if heading or measure(sections[-1]) + 1 + measure(addition) > limits.SLACK_SECTION_TEXT:
            if len(sections) >= room or measure(addition) > min(budget, limits.SLACK_SECTION_TEXT):
                break
            sections.append(addition)
        elif measure(addition) + 1 > budget:
            break
        else:
            sections[-1] += "\n" + addition
        current, shown, budget = group, shown + 1, budget - measure(addition) - 1
    if sections:
        blocks.append({"type": "divider"})
        blocks += [_section(text) for text in sections]

    hidden = message.total - shown
    if hidden:
        link = f" — <{message.notes_url}|full release notes>" if message.notes_url else ""
        blocks.append(_section(f"…and {hidden} more{link}"))
    if message.contributors:
        blocks.append({"type": "context", "elements": [_mrkdwn(_contributors(message.contributors))]})
    buttons = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": link.label},
            "url": link.url,
            "action_id": f"sovereign-{link.label.lower()}",
        }
        for link in message.links
        if len(link.url) <= limits.SLACK_BUTTON_URL
    ]
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    total = message.total
    summary = f"{icon} {_text(message.title, 2_000) or word}"
    if total:
        summary += f": {total} change{'s' if total != 1 else ''}"
    return {"text": summary, "blocks": blocks}


def render(message: Message) -> dict[str, Any]:
    """The Slack payload: valid under every Slack limit (checked)."""
    return limits.fit("slack", lambda n: _build(message, n), MAX_ENTRIES)
