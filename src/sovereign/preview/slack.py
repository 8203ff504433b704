"""A Slack message laid out as Slack shows its Block Kit blocks: header, section
(text, fields), context, divider, actions (buttons), image (as its alt text:
the page loads nothing from outside).

Slack's mrkdwn is not Markdown: ``*bold*``, ``_italic_``, ``~strike~``,
`` `code` ``, ``<url|label>`` links and ``<!here>``-style mentions, with ``&``,
``<`` and ``>`` sent as entities.
"""

from __future__ import annotations

from typing import Any

from sovereign.preview.markup import Handler, Inline, arr, esc, link, obj, txt


def _decode(text: str) -> str:
    """Slack's three entities back to characters (the text is escaped again for HTML)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(text: str) -> str:
    return esc(_decode(text)).replace("\n", "<br>")


def _angle(inner: str, label: str | None) -> str:
    """``<…>``: a link, or a mention Slack shows as a highlighted name."""
    if inner[:1] in "!@#":
        shown = label or {"!": "@", "@": "@", "#": "#"}[inner[0]] + inner[1:].split("^", maxsplit=1)[0]
        return f'<span class="sl-mention">{_text(shown)}</span>'
    url = _decode(inner)
    return link(_text(label if label is not None else inner), url)


def _engine() -> Inline:
    def tag(name: str, group: str) -> Handler:
        return lambda m: f"<{name}>{engine(m[group])}</{name}>"

    engine = Inline(
        [
            (r"```(?P<pre>[\s\S]+?)```", lambda m: f"<pre>{esc(_decode(m['pre']))}</pre>"),
            (r"`(?P<code>[^`\n]+)`", lambda m: f"<code>{esc(_decode(m['code']))}</code>"),
            (r"<(?P<target>[^<>|\n]+)(?:\|(?P<label>[^<>\n]*))?>", lambda m: _angle(m["target"], m["label"])),
            (r"(?<![\w*])\*(?!\s)(?P<bold>[^*\n]+?)\*(?![\w*])", tag("strong", "bold")),
            (r"(?<![\w_])_(?!\s)(?P<italic>[^_\n]+?)_(?![\w_])", tag("em", "italic")),
            (r"(?<![\w~])~(?!\s)(?P<strike>[^~\n]+?)~(?![\w~])", tag("s", "strike")),
        ],
        _text,
    )
    return engine


mrkdwn = _engine()


def text_object(value: object) -> str:
    """A text object: mrkdwn formatted, plain_text as it is (emoji codes left alone)."""
    item = obj(value)
    text = txt(item.get("text"))
    return mrkdwn(text) if item.get("type") == "mrkdwn" else _text(text)


def _button(element: dict[str, Any]) -> str:
    style = {"primary": " sl-primary", "danger": " sl-danger"}.get(txt(element.get("style")), "")
    label = text_object(element.get("text"))
    inner = link(label, txt(element.get("url"))) if element.get("url") else label
    return f'<span class="sl-button{style}">{inner}</span>'


def _element(element: dict[str, Any]) -> str:
    kind = txt(element.get("type"))
    if kind == "button":
        return _button(element)
    if kind == "image":
        return f'<span class="alt">[image: {esc(txt(element.get("alt_text")))}]</span>'
    if kind in ("mrkdwn", "plain_text"):
        return text_object(element)
    return f'<span class="alt">[{esc(kind or "element")}]</span>'


def block(value: object) -> str:
    item = obj(value)
    kind = txt(item.get("type"))
    if kind == "header":
        return f'<div class="sl-header">{text_object(item.get("text"))}</div>'
    if kind == "divider":
        return '<hr class="sl-divider">'
    if kind == "section":
        parts = []
        if item.get("text"):
            parts.append(f'<div class="sl-text">{text_object(item.get("text"))}</div>')
        fields = [f'<div class="sl-field">{text_object(f)}</div>' for f in arr(item.get("fields"))]
        if fields:
            parts.append(f'<div class="sl-fields">{"".join(fields)}</div>')
        accessory = obj(item.get("accessory"))
        if accessory:
            parts.append(f'<div class="sl-accessory">{_element(accessory)}</div>')
        return f'<div class="sl-section">{"".join(parts)}</div>'
    if kind == "context":
        elements = " ".join(_element(obj(e)) for e in arr(item.get("elements")))
        return f'<div class="sl-context">{elements}</div>'
    if kind == "actions":
        return f'<div class="sl-actions">{"".join(_element(obj(e)) for e in arr(item.get("elements")))}</div>'
    if kind == "image":
        title = text_object(item.get("title")) if item.get("title") else ""
        return f'<div class="sl-section alt">{title} [image: {esc(txt(item.get("alt_text")))}]</div>'
    return f'<div class="alt">[{esc(kind or "unknown")} block]</div>'


def message(payload: object) -> str:
    """The whole message: the blocks, or the fallback text when there are none."""
    data = obj(payload)
    blocks = arr(data.get("blocks"))
    body = (
        "\n".join(block(b) for b in blocks) if blocks else f'<div class="sl-text">{mrkdwn(txt(data.get("text")))}</div>'
    )
    fallback = txt(data.get("text"))
    note = f'<p class="note">Notification text: {_text(fallback)}</p>' if blocks and fallback else ""
    return (
        '<div class="slack"><div class="sl-avatar" aria-hidden="true">S</div><div class="sl-body">'
        f'<div class="sl-name">Sovereign <span class="sl-app">APP</span></div>{body}</div></div>{note}'
    )
