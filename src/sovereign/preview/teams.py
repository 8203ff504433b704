"""A Teams Adaptive Card laid out as Teams shows it: TextBlock (with the card's
Markdown subset), RichTextBlock/TextRun, FactSet, ColumnSet, Container (styles,
bleed), ActionSet and the card's actions as buttons. Images show their alt text."""

from __future__ import annotations

from typing import Any

from sovereign.preview.markdown_html import inline
from sovereign.preview.markup import arr, css_class, esc, link, obj, txt

CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def _look(item: dict[str, Any]) -> str:
    """Class names for the text styles an element sets (size, weight, colour, subtle, spacing)."""
    classes = [
        f"ac-{name}-{css_class(item.get(name))}" for name in ("size", "weight", "color", "spacing") if item.get(name)
    ]
    classes += [f"ac-{name}" for name in ("isSubtle", "italic", "strikethrough", "underline") if item.get(name) is True]
    if item.get("separator") is True:
        classes.append("ac-separator")
    align = css_class(item.get("horizontalAlignment"))
    if align:
        classes.append(f"ac-align-{align}")
    return " ".join(classes)


def _text_block(item: dict[str, Any]) -> str:
    lines = txt(item.get("text")).split("\n")
    body = "<br>".join(inline(line) for line in lines)
    return f'<div class="ac-text {_look(item)}">{body}</div>'


def _text_run(value: object) -> str:
    run = obj(value)
    if run.get("type") not in ("TextRun", None) and not isinstance(value, str):
        return f'<span class="alt">[{esc(txt(run.get("type")))}]</span>'
    text = esc(value if isinstance(value, str) else txt(run.get("text"))).replace("\n", "<br>")
    action = obj(run.get("selectAction"))
    if action.get("type") == "Action.OpenUrl":
        text = link(text, txt(action.get("url")))
    return f'<span class="{_look(run)}">{text}</span>'


def _action(value: object) -> str:
    action = obj(value)
    title = esc(txt(action.get("title")) or "(untitled)")
    if action.get("type") == "Action.OpenUrl":
        title = link(title, txt(action.get("url")))
    return f'<span class="ac-button">{title}</span>'


def _actions(actions: list[Any]) -> str:
    return f'<div class="ac-actions">{"".join(_action(a) for a in actions)}</div>' if actions else ""


def _column_width(value: object) -> str:
    width = txt(value)
    if width.isdigit():
        return f"flex:{int(width)} 1 0"
    if width.endswith("px") and width[:-2].isdigit():
        return f"flex:0 0 {int(width[:-2])}px"
    return "flex:0 0 auto" if width == "auto" else "flex:1 1 0"


def element(value: object) -> str:
    item = obj(value)
    kind = txt(item.get("type"))
    if kind == "TextBlock":
        return _text_block(item)
    if kind == "RichTextBlock":
        return f'<div class="ac-text {_look(item)}">{"".join(_text_run(r) for r in arr(item.get("inlines")))}</div>'
    if kind == "FactSet":
        rows = "".join(
            f"<tr><th>{inline(txt(obj(f).get('title')))}</th><td>{inline(txt(obj(f).get('value')))}</td></tr>"
            for f in arr(item.get("facts"))
        )
        return f'<table class="ac-facts {_look(item)}">{rows}</table>'
    if kind == "ColumnSet":
        columns = "".join(
            f'<div class="ac-column" style="{_column_width(obj(c).get("width"))}">{elements(obj(c).get("items"))}</div>'
            for c in arr(item.get("columns"))
        )
        return f'<div class="ac-columns {_look(item)}">{columns}</div>'
    if kind == "Container":
        style = css_class(item.get("style"))
        bleed = " ac-bleed" if item.get("bleed") is True else ""
        return f'<div class="ac-container ac-style-{style}{bleed} {_look(item)}">{elements(item.get("items"))}</div>'
    if kind == "ActionSet":
        return _actions(arr(item.get("actions")))
    if kind == "Image":
        return f'<div class="alt">[image: {esc(txt(item.get("altText")))}]</div>'
    return f'<div class="alt">[{esc(kind or "unknown")} element]</div>'


def elements(value: object) -> str:
    return "".join(element(e) for e in arr(value))


def card(value: object) -> str:
    content = obj(value)
    return f'<div class="ac-card">{elements(content.get("body"))}{_actions(arr(content.get("actions")))}</div>'


def message(payload: object) -> str:
    """The Workflows webhook envelope: every Adaptive Card attachment (a bare card works too)."""
    data = obj(payload)
    if data.get("type") == "AdaptiveCard":
        cards: list[object] = [data]
    else:
        cards = [obj(a).get("content") for a in arr(data.get("attachments")) if obj(a).get("contentType") == CARD_TYPE]
    shown = "".join(card(c) for c in cards) or '<p class="note">No Adaptive Card in this payload.</p>'
    return (
        '<div class="teams"><div class="tm-avatar" aria-hidden="true">S</div><div class="tm-body">'
        f'<div class="tm-name">Workflows</div>{shown}</div></div>'
    )
