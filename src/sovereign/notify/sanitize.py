"""Untrusted text (PR titles, commit messages, names) made inert for each platform.

Every platform gets the same first pass, :func:`plain`: control characters,
zero-width and bidi characters are removed (they hide or reorder text, e.g.
``@\\u200beveryone`` or a right-to-left override that reverses a URL), and
broadcast mentions (``@everyone``, ``@here``, ``@channel`` …) get a full-width
at sign, which no platform parses as a mention. Then each platform's own
syntax is neutralised where the text is shown:

* Slack mrkdwn: ``&``, ``<``, ``>`` become entities, so ``<!channel>``,
  ``<@U123>`` and ``<https://evil|click>`` show literally (and every mrkdwn
  object is sent with ``verbatim: true``, so nothing is auto-parsed);
* Discord Markdown: every formatting character is backslash-escaped, so a
  masked link ``[click](https://evil)`` or ``<@123>`` cannot form;
* Teams: untrusted text goes only into Adaptive Card ``TextRun`` elements,
  which render no Markdown at all, so :func:`plain` is enough.

Links are built by us from checked URLs (:func:`safe_url`), never from text.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

_ZWJ = "\u200d"
# Format characters (Unicode category Cf: zero-width, bidi controls, soft hyphen,
# tags …) plus invisible fillers that are not Cf.
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u3164\uffa0")
_BROADCAST = re.compile(r"@(?=(?:everyone|here|channel|all|room|group|channels?)\b)", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DISCORD_SPECIAL = re.compile(r"([\\*_~`|>\[\]()<])|^([#-])")
_URL_UNSAFE = re.compile(r"[\s<>|\[\]()\"'`\\{}^]")


def _invisible(ch: str) -> bool:
    return ch in _INVISIBLE_EXTRA or unicodedata.category(ch) == "Cf"


def _clean(match: re.Match[str]) -> str:
    """One non-ASCII character: dropped if invisible, a space if unprintable."""
    ch, text, i = match.group(0), match.string, match.start()
    if ch == _ZWJ:
        # Keep a joiner inside an emoji sequence (👩‍💻); drop it anywhere else.
        before, after = text[i - 1 : i], text[i + 1 : i + 2]
        keep = before and after and not before.isascii() and not after.isascii() and not _invisible(after)
        return ch if keep else ""
    if _invisible(ch):
        return ""
    return ch if ch.isprintable() else " "


def plain(text: str) -> str:
    """One line of inert text: no controls, invisibles, bidi tricks or broadcasts."""
    if not text.isascii():
        text = _NON_ASCII.sub(_clean, text)
    text = _SPACES.sub(" ", _ASCII_CONTROL.sub(" ", text)).strip()
    return _BROADCAST.sub("＠", text)


def slack(text: str) -> str:
    """Untrusted text for Slack mrkdwn or plain_text."""
    return slack_escape(plain(text))


def slack_escape(text: str) -> str:
    """Entity-escape text that is already plain (e.g. a clipped :func:`plain` result)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def discord(text: str) -> str:
    """Untrusted text for Discord Markdown (embed description, fields, title)."""
    return discord_escape(plain(text))


def discord_escape(text: str) -> str:
    """Backslash before every Markdown character (and a heading or list marker at the start)."""
    return _DISCORD_SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def safe_url(url: str) -> str:
    """``url`` if it is an absolute http(s) URL, with link-breaking characters
    percent-encoded; "" otherwise (the item is then shown without a link)."""
    url = url.strip()
    if not url or len(url) > 2000 or not url.isprintable():
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return ""
    if any(ch.isspace() or ch in "<>|\\\"'`" for ch in parts.netloc):
        return ""
    if not url.isascii():
        url = quote(url, safe=":/?#@!$&*+,;=%~")
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", url)
