"""A Discord webhook message as Discord shows it: the content, then each embed
with its colour bar, author, title (a link when it has a URL), description,
fields (inline ones three to a row) and footer. Images are not loaded."""

from __future__ import annotations

from typing import Any

from sovereign.preview.markdown_html import discord as markdown
from sovereign.preview.markup import arr, esc, link, number, obj, txt

DEFAULT_COLOUR = 0x1E1F22


def _colour(value: object) -> str:
    colour = number(value)
    shade = int(colour) if colour is not None and 0 <= colour <= 0xFFFFFF else DEFAULT_COLOUR
    return f"#{shade:06x}"


def _fields(fields: list[Any]) -> str:
    cells = []
    for value in fields:
        field = obj(value)
        width = " dc-inline" if field.get("inline") is True else ""
        cells.append(
            f'<div class="dc-field{width}"><div class="dc-field-name">{markdown(txt(field.get("name")))}</div>'
            f'<div class="dc-field-value">{markdown(txt(field.get("value")))}</div></div>'
        )
    return f'<div class="dc-fields">{"".join(cells)}</div>' if cells else ""


def embed(value: object) -> str:
    item = obj(value)
    parts = []
    author = obj(item.get("author"))
    if author.get("name"):
        parts.append(f'<div class="dc-author">{link(esc(txt(author.get("name"))), txt(author.get("url")))}</div>')
    if item.get("title"):
        title = markdown(txt(item.get("title")))
        parts.append(f'<div class="dc-title">{link(title, txt(item.get("url"))) if item.get("url") else title}</div>')
    if item.get("description"):
        parts.append(f'<div class="dc-description">{markdown(txt(item.get("description")))}</div>')
    parts.append(_fields(arr(item.get("fields"))))
    for key in ("image", "thumbnail"):
        if obj(item.get(key)).get("url"):
            parts.append(f'<div class="alt">[{key} not loaded in the preview]</div>')
    footer = " · ".join(t for t in (txt(obj(item.get("footer")).get("text")), txt(item.get("timestamp"))) if t)
    if footer:
        parts.append(f'<div class="dc-footer">{esc(footer)}</div>')
    return f'<div class="dc-embed" style="border-left-color:{_colour(item.get("color"))}">{"".join(parts)}</div>'


def message(payload: object) -> str:
    data = obj(payload)
    name = txt(data.get("username")) or "Sovereign"
    content = f'<div class="dc-content">{markdown(txt(data.get("content")))}</div>' if data.get("content") else ""
    embeds = "".join(embed(e) for e in arr(data.get("embeds")))
    return (
        '<div class="discord"><div class="dc-avatar" aria-hidden="true">S</div><div class="dc-body">'
        f'<div class="dc-name">{esc(name)} <span class="dc-bot">APP</span></div>{content}{embeds}</div></div>'
    )
