"""The HTML building blocks every renderer uses: escaping, vetted links, an inline
rule engine, and tolerant readers for JSON that may not have the expected shape.

Everything shown comes from artifacts that hold untrusted text (commit messages,
PR titles), so text is escaped where it is emitted, and an ``href`` is written
only for http(s) and mailto URLs: ``javascript:`` and friends stay plain text.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def esc(text: str) -> str:
    """Text as HTML text or attribute value (quotes included)."""
    return html.escape(text, quote=True)


def safe_href(url: str) -> str:
    """``url`` when it may become a link (http, https, mailto), else ""."""
    url = url.strip()
    if not url or not url.isprintable() or any(ch.isspace() for ch in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return ""
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return ""
    return url


def link(label_html: str, url: str) -> str:
    """An ``<a>`` around already-safe HTML, or the label alone when the URL may not be a link."""
    href = safe_href(url)
    if not href:
        return label_html
    return f'<a href="{esc(href)}" rel="noopener noreferrer nofollow">{label_html}</a>'


Handler = Callable[[re.Match[str]], str]


class Inline:
    """One pass over a line of inline markup: the earliest rule that matches wins,
    text between matches goes through ``text`` (which must escape it)."""

    def __init__(self, rules: Sequence[tuple[str, Handler]], text: Callable[[str], str]) -> None:
        self._handlers = [handler for _, handler in rules]
        self._pattern = re.compile("|".join(f"(?P<rule{i}>{pattern})" for i, (pattern, _) in enumerate(rules)))
        self._text = text

    def __call__(self, source: str) -> str:
        out: list[str] = []
        position = 0
        for match in self._pattern.finditer(source):
            out.append(self._text(source[position : match.start()]))
            index = next(i for i in range(len(self._handlers)) if match.group(f"rule{i}") is not None)
            out.append(self._handlers[index](match))
            position = match.end()
        out.append(self._text(source[position:]))
        return "".join(out)


# -- JSON of unknown shape: a hand-edited or older artifact must not break the page --


def obj(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def arr(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def txt(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def number(value: object) -> float | None:
    """A finite number, or None (JSON null, text, NaN and infinities)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def css_class(value: object) -> str:
    """A value used in a class name: only letters, digits and dashes survive."""
    return re.sub(r"[^a-z0-9-]", "", txt(value).lower())
