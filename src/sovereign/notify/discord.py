"""Discord webhook: one embed in the status colour, nobody ever pinged.

Untrusted text is Markdown-escaped (no masked links, no ``<@id>``), and every
payload carries ``allowed_mentions: {"parse": []}``. Sent with ``?wait=true``
(see deliver.py) so a refusal is seen and the message id comes back.
"""

from __future__ import annotations

from typing import Any

from sovereign.notify import limits
from sovereign.notify.clip import clip_untrusted, measure
from sovereign.notify.message import ENTRY_CHARS, LOOK, NAME_CHARS, Item, Message
from sovereign.notify.sanitize import discord_escape

MAX_ENTRIES = 25
COLOURS = {"success": 0x2EB67D, "failure": 0xE01E5A, "cancelled": 0x95A5A6}
FOOTER = "Sovereign release ritual"
MORE_RESERVE = 60  # "…and N more — [full release notes](" + ")" around the URL


def _text(text: str, limit: int) -> str:
    return clip_untrusted(text, limit, discord_escape)


def entry_line(item: Item) -> str:
    ref = discord_escape(item.ref)
    if item.url and ref:
        ref = f"[{ref}]({item.url})"
    by = f" — {_text(item.author, NAME_CHARS)}" if item.author else ""
    return f"• {ref + ' ' if ref else ''}{_text(item.text, ENTRY_CHARS)}{by}"


def _joined(parts: list[str], limit: int, sep: str, more: int = 0) -> str:
    """Whole parts joined while they fit in ``limit``, then "and N more"."""
    out: list[str] = []
    for part in parts:
        if measure(sep.join([*out, part])) + 20 > limit:  # 20: room for the tail
            break
        out.append(part)
    hidden = len(parts) - len(out) + more
    return sep.join(out) + (f" and {hidden} more" if hidden else "")


def _fields(message: Message) -> list[dict[str, Any]]:
    counts = message.counts
    room = limits.DISCORD_FIELDS - 2  # contributors, links
    if len(counts) > room:
        counts = [*counts[: room - 1], ("Other sections", sum(n for _, n in counts[room - 1 :]))]
    fields = [{"name": _text(title, 100) or "Changes", "value": str(n), "inline": True} for title, n in counts]
    if message.contributors:
        names = [_text(name, NAME_CHARS) for name in message.contributors[:100]]
        extra = max(0, len(message.contributors) - 100)
        value = _joined([n for n in names if n], limits.DISCORD_FIELD_VALUE, ", ", extra)
        if value:
            fields.append({"name": "Contributors", "value": value, "inline": False})
    links = [f"[{link.label}]({link.url})" for link in message.links]
    value = " · ".join(link for link in links if measure(link) <= limits.DISCORD_FIELD_VALUE)
    while measure(value) > limits.DISCORD_FIELD_VALUE:
        value = value.rsplit(" · ", 1)[0]
    if value:
        fields.append({"name": "Links", "value": value, "inline": False})
    return fields


def _build(message: Message, max_entries: int) -> dict[str, Any]:
    icon, word = LOOK[message.status]
    embed: dict[str, Any] = {
        "title": _text(message.title, limits.DISCORD_TITLE) or word,
        "color": COLOURS[message.status],
        "footer": {"text": FOOTER},
    }
    if message.notes_url:
        embed["url"] = message.notes_url
    fields = _fields(message)
    where = "".join(
        (
            f" · **{_text(message.repository, 200)}**" if message.repository else "",
            f" · {_text(message.tag, 200)}" if message.tag else "",
        )
    )
    description = f"{icon} **{word}**{where}"
    fixed = measure(embed["title"]) + measure(FOOTER) + sum(measure(f["name"]) + measure(f["value"]) for f in fields)
    more_size = MORE_RESERVE + len(str(message.total)) + len(message.notes_url)
    budget = min(limits.DISCORD_DESCRIPTION, limits.DISCORD_TOTAL - fixed) - more_size

    shown, current = 0, None
    for group, item in message.shown_order():
        if shown >= max_entries:
            break
        heading = f"\n\n**{_text(group.title, 200)}**" if group is not current else ""
        addition = f"{heading}\n{entry_line(item)}"
        if measure(description) + measure(addition) > budget:
            break
        description += addition
        current, shown = group, shown + 1
    hidden = message.total - shown
    if hidden:
        link = f" — [full release notes]({message.notes_url})" if message.notes_url else ""
        description += f"\n\n…and {hidden} more{link}"
    embed["description"] = description
    if fields:
        embed["fields"] = fields
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


def render(message: Message) -> dict[str, Any]:
    """The Discord payload: valid under every Discord limit (checked)."""
    return limits.fit("discord", lambda n: _build(message, n), MAX_ENTRIES)
